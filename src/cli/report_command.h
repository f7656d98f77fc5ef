// `redline report DIR…`: the HTML report of one or more runs (or matrix
// folders), or their tables as JSON, CSV or Markdown.
#ifndef REDLINE_CLI_REPORT_COMMAND_H_
#define REDLINE_CLI_REPORT_COMMAND_H_

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace redline {

class ReportCommand {
 public:
  explicit ReportCommand(CLI::App& app);
  bool Selected() const;
  /// 0: written; 2: bad input (one line naming the file), or --out cannot
  /// be written.
  int Execute() const;

 private:
  CLI::App* command_;
  std::vector<std::string> dirs_;
  std::string format_ = "html";
  std::string out_;
};

}  // namespace redline

#endif  // REDLINE_CLI_REPORT_COMMAND_H_
