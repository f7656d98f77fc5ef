// `redline selftest [--case NAME]... [--json]`: the escape suite
// (docs/containment.md). Prints one row per case (case, expected, observed,
// contained, seconds); exit 0 if every case was contained, 1 on any escape
// or if the suite could not run, 2 for bad input.
#ifndef REDLINE_CLI_SELFTEST_COMMAND_H_
#define REDLINE_CLI_SELFTEST_COMMAND_H_

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace redline {

class SelftestCommand {
 public:
  explicit SelftestCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
  std::vector<std::string> cases_;
  bool json_ = false;
};

}  // namespace redline

#endif  // REDLINE_CLI_SELFTEST_COMMAND_H_
