// `redline status DIR`: pending / running / done / failed for every trial of
// a run (or of each cell of a matrix), from the folder and from Slurm.
// Exit 0; 2 for a folder that is not a run.
#ifndef REDLINE_CLI_STATUS_COMMAND_H_
#define REDLINE_CLI_STATUS_COMMAND_H_

#include <string>

namespace CLI {
class App;
}

namespace redline {

class StatusCommand {
 public:
  explicit StatusCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
  std::string dir_;
  bool quiet_ = false;
};

}  // namespace redline

#endif  // REDLINE_CLI_STATUS_COMMAND_H_
