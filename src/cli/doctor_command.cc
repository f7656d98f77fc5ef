#include "cli/doctor_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "base/error.h"
#include "base/files.h"
#include "doctor/check.h"
#include "doctor/host_checks.h"
#include "doctor/model_checks.h"
#include "doctor/native_checks.h"
#include "system/native_system.h"

namespace redline {

DoctorCommand::DoctorCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "doctor", "Check that trials can run here (and against --model): what works, "
                "what to change");
  command_->add_option("--model", model_,
                       "provider/name to check: openai/…, anthropic/…, scripted/…, "
                       "replay/<file>");
  command_->add_option("--base-url", base_url_,
                       "API root as the SDKs take it (Anthropic: with or without /v1); "
                       "default $OPENAI_BASE_URL / $ANTHROPIC_BASE_URL");
  command_->add_option("--api-key-env", api_key_env_,
                       "Environment variable holding the API key");
  command_->add_option("--timeout", timeout_, "Seconds per completion request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command_->add_flag("--model-only", model_only_, "Skip the host checks");
  command_->add_option("--mode", mode_,
                       "relay, or native: check that this node can run --server-command "
                       "twice (original and replica) in a device")
      ->capture_default_str();
  command_->add_option("--server-command", server_command_,
                       "native: the server's command line, with {port} and {weights}");
  command_->add_option("--weights", weights_, "native: directory of the weights");
  command_->add_option("--device", device_nodes_,
                       "native: host device node passed into every device, e.g. "
                       "/dev/nvidia0 (repeat for each)");
  command_->add_option("--gpus", gpus_,
                       "native: GPUs a trial needs (default: the /dev/nvidiaN given with "
                       "--device; 1 for vLLM without any)");
  command_->add_option("--memory-limit-gib", memory_limit_gib_,
                       "native: the device's memory limit, as redline run takes it")
      ->capture_default_str();
  command_->add_option("--disk-limit-gib", disk_limit_gib_,
                       "native: the home's size limit, as redline run takes it (0: none)")
      ->capture_default_str();
}

bool DoctorCommand::Selected() const { return command_->parsed(); }

NativeDoctorSpec DoctorCommand::NativeFromFlags() const {
  if (mode_ != "relay" && mode_ != "native")
    throw InputError("--mode " + mode_ + ": must be relay or native");
  bool native_flags = !server_command_.empty() || !weights_.empty() ||
                      !device_nodes_.empty() || gpus_ >= 0;
  if (mode_ == "relay") {
    if (native_flags)
      throw InputError("--server-command, --weights, --device and --gpus need --mode native");
    return {};
  }
  if (server_command_.empty()) throw InputError("--mode native needs --server-command");
  if (model_only_) throw InputError("--model-only: --mode native has no endpoint to check");
  NativeSpec native;
  native.enabled = true;
  native.server_command = server_command_;
  native.weights_dir = weights_.empty()
                           ? ""
                           : std::filesystem::absolute(weights_).lexically_normal().string();
  CheckNativeSpec(native);  // the template and the weights, as redline run checks them
  if (!model_.empty() && (!model_.starts_with("openai/") || model_.size() <= 7))
    throw InputError("--model " + model_ +
                     ": --mode native needs openai/<name>, the model the server serves");
  if (!base_url_.empty() || !api_key_env_.empty())
    throw InputError("--base-url and --api-key-env: --mode native has no endpoint of its own");
  for (const std::string& node : device_nodes_)
    if (!node.starts_with("/dev/"))
      throw InputError("--device " + node + ": not a path under /dev");
  if (gpus_ < -1) throw InputError("--gpus " + std::to_string(gpus_) + ": must be 0 or more");
  if (memory_limit_gib_ < 0.125)
    throw InputError("--memory-limit-gib " + std::to_string(memory_limit_gib_) +
                     ": must be at least 0.125");
  if (disk_limit_gib_ < 0)
    throw InputError("--disk-limit-gib " + std::to_string(disk_limit_gib_) +
                     ": must be 0 (none) or more");
  NativeDoctorSpec spec;
  spec.server_command = native.server_command;
  spec.weights_dir = native.weights_dir;
  spec.model = model_;
  spec.device_nodes = device_nodes_;
  spec.gpus = gpus_;
  spec.memory_limit_bytes = static_cast<uint64_t>(memory_limit_gib_ * (1ull << 30));
  spec.disk_limit_bytes = static_cast<uint64_t>(disk_limit_gib_ * (1ull << 30));
  return spec;
}

int DoctorCommand::Execute() const {
  try {
    NativeDoctorSpec native = NativeFromFlags();
    if (mode_ == "native") {
      Checks checks = RunHostChecks(ExecutableDir());
      Append(&checks, NativeChecks(native, ExecutableDir()));
      PrintChecks(stdout, checks);
      int status = DoctorExitStatus(checks);
      std::printf("\n%s\n", status != 0
                                 ? "native trials cannot run until the FAIL lines are fixed"
                                 : "native trials can run here");
      return status;
    }
    if (model_only_ && model_.empty())
      throw InputError("--model-only needs --model");
    if (model_.empty() && (!base_url_.empty() || !api_key_env_.empty()))
      throw InputError("--base-url and --api-key-env need --model");
    Checks checks;
    // Model checks first: a bad --model is bad input and must not wait for
    // the host checks (which start a device).
    if (!model_.empty())
      checks = ModelChecks({model_, base_url_, api_key_env_, timeout_});
    if (!model_only_) {
      Checks host = RunHostChecks(ExecutableDir());
      checks.insert(checks.begin(), host.begin(), host.end());
    }
    PrintChecks(stdout, checks);
    int status = DoctorExitStatus(checks);
    const char* verdict =
        status != 0   ? "trials cannot run until the FAIL lines are fixed"
        : model_only_ ? "the model checks pass (host not checked)"
                      : "trials can run here";
    std::printf("\n%s\n", verdict);
    return status;
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline doctor: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline doctor: %s\n", e.what());
    return 1;
  }
}

}  // namespace redline
