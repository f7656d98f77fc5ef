// `redline scenarios`: one line per built-in scenario.
#ifndef REDLINE_CLI_SCENARIOS_COMMAND_H_
#define REDLINE_CLI_SCENARIOS_COMMAND_H_

namespace CLI {
class App;
}

namespace redline {

class ScenariosCommand {
 public:
  explicit ScenariosCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
};

}  // namespace redline

#endif  // REDLINE_CLI_SCENARIOS_COMMAND_H_
