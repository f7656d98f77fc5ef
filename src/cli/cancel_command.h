// `redline cancel DIR`: scancel what is left of a run's (or a matrix's) job
// arrays. Running trials end as `interrupted`; `redline run --resume DIR
// --executor slurm` submits them again. Exit 0; 1 if scancel failed; 2 for
// a folder that is not a run.
#ifndef REDLINE_CLI_CANCEL_COMMAND_H_
#define REDLINE_CLI_CANCEL_COMMAND_H_

#include <string>

namespace CLI {
class App;
}

namespace redline {

class CancelCommand {
 public:
  explicit CancelCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
  std::string dir_;
};

}  // namespace redline

#endif  // REDLINE_CLI_CANCEL_COMMAND_H_
