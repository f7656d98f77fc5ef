#include "cli/doctor_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/error.h"
#include "base/files.h"
#include "doctor/check.h"
#include "doctor/host_checks.h"
#include "doctor/model_checks.h"

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
}

bool DoctorCommand::Selected() const { return command_->parsed(); }

int DoctorCommand::Execute() const {
  try {
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
