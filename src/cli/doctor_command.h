// `redline doctor [--model M [--base-url U] [--api-key-env NAME]]`: can a
// trial run here, and against that model? Exit 0 yes, 1 no, 2 bad input.
#ifndef REDLINE_CLI_DOCTOR_COMMAND_H_
#define REDLINE_CLI_DOCTOR_COMMAND_H_

#include <string>

namespace CLI {
class App;
}

namespace redline {

class DoctorCommand {
 public:
  explicit DoctorCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
  std::string model_;
  std::string base_url_;
  std::string api_key_env_;
  double timeout_ = 60;
  bool host_only_ = false;
  bool model_only_ = false;
};

}  // namespace redline

#endif  // REDLINE_CLI_DOCTOR_COMMAND_H_
