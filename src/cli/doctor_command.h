// `redline doctor [--model M [--base-url U] [--api-key-env NAME]]`: can a
// trial run here, and against that model? With `--mode native
// --server-command T --weights DIR [--device NODE]… [--gpus N]`: can this
// node run that server twice in a device (doctor/native_checks.h)? Exit 0
// yes, 1 no, 2 bad input.
#ifndef REDLINE_CLI_DOCTOR_COMMAND_H_
#define REDLINE_CLI_DOCTOR_COMMAND_H_

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace redline {

struct NativeDoctorSpec;

class DoctorCommand {
 public:
  explicit DoctorCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  /// The native flags checked as `redline run` checks them (InputError);
  /// empty for --mode relay.
  NativeDoctorSpec NativeFromFlags() const;
  CLI::App* command_;
  std::string model_;
  std::string base_url_;
  std::string api_key_env_;
  double timeout_ = 60;
  bool host_only_ = false;
  bool model_only_ = false;
  // Native mode, as `redline run` takes it.
  std::string mode_ = "relay";
  std::string server_command_;
  std::string weights_;
  std::vector<std::string> device_nodes_;
  int gpus_ = -1;
  double memory_limit_gib_ = 4;
  double disk_limit_gib_ = 0;
};

}  // namespace redline

#endif  // REDLINE_CLI_DOCTOR_COMMAND_H_
