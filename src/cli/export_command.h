// `redline export --format inspect|inspect-eval DIR… --out PATH`: run
// folders (matrix folders: every cell) as Inspect AI eval logs.
#ifndef REDLINE_CLI_EXPORT_COMMAND_H_
#define REDLINE_CLI_EXPORT_COMMAND_H_

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace redline {

class ExportCommand {
 public:
  explicit ExportCommand(CLI::App& app);
  bool Selected() const;
  /// 0: written; 2: bad input (one line naming the file or flag), or the
  /// logs cannot be written.
  int Execute() const;

 private:
  CLI::App* command_;
  std::vector<std::string> dirs_;
  std::string format_;
  std::string out_;
};

}  // namespace redline

#endif  // REDLINE_CLI_EXPORT_COMMAND_H_
