// Native mode: the ai-system folder runs a real inference server, named by
// the user, on real weights, instead of the relay llm-server
// (docs/models.md, "Relay mode versus native mode").
#ifndef REDLINE_SYSTEM_NATIVE_SYSTEM_H_
#define REDLINE_SYSTEM_NATIVE_SYSTEM_H_

#include <string>

namespace redline {

/// What `redline run --mode native` was given.
struct NativeSpec {
  bool enabled = false;
  /// A shell command line with `{port}` and `{weights}`, e.g.
  /// `python3 -m vllm.entrypoints.openai.api_server --model {weights} --port {port}`.
  /// It runs inside the device from the ai-system folder, so every program
  /// it names must exist in the device (the host's /usr is visible, /opt and
  /// /home are not).
  std::string server_command;
  /// Host directory of the weights; the device sees them, writable, at
  /// local_model_weights/.
  std::string weights_dir;
};

/// Throws InputError (one line naming the flag) for a template without
/// `{port}` or `{weights}`, or a weights directory that is missing, empty or
/// not a directory.
void CheckNativeSpec(const NativeSpec& spec);

/// Turns a relay folder written by DeploySystem into a native one:
/// local_model_weights/ is emptied (the trial fills it: a copy-on-write view
/// of spec.weights_dir, device/weights_view.h, or else a copy,
/// system/weights_copy.h), deploy_api_server.sh runs the template with
/// {port} = its --port and {weights} = local_model_weights, and
/// bin/llm-server (the relay) is removed. Throws SystemError on I/O failure.
void MakeNativeSystem(const NativeSpec& spec, const std::string& system_dir);

/// The deploy script's text for `server_command` (exposed for tests).
std::string NativeDeployScript(const std::string& server_command);

}  // namespace redline

#endif  // REDLINE_SYSTEM_NATIVE_SYSTEM_H_
