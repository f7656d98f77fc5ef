// `redline trial --run DIR --index I`: one trial of a prepared run folder,
// what each Slurm array task and Kubernetes pod runs. Exit 0 when the trial
// has a verdict (this process's or an earlier one's) or another process
// holds it; 130 when stopped (SIGTERM: scancel, a time limit); 1 when the
// harness could not run; 2 for bad input.
#ifndef REDLINE_CLI_TRIAL_COMMAND_H_
#define REDLINE_CLI_TRIAL_COMMAND_H_

#include <string>

namespace CLI {
class App;
}

namespace redline {

class TrialCommand {
 public:
  explicit TrialCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
  std::string run_dir_;
  int index_ = 0;
};

}  // namespace redline

#endif  // REDLINE_CLI_TRIAL_COMMAND_H_
