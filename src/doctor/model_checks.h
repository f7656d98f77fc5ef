// Model checks of `redline doctor --model M`: can a trial talk to M? For a
// real endpoint: reachable, key accepted, the model listed, a one-token
// completion, tool calls, the context length. Built-in models need nothing.
#ifndef REDLINE_DOCTOR_MODEL_CHECKS_H_
#define REDLINE_DOCTOR_MODEL_CHECKS_H_

#include <string>

#include "doctor/check.h"

namespace redline {

struct ModelCheckOptions {
  std::string spec;         ///< provider/name, as for redline run --model
  std::string base_url;     ///< "" = the provider's hosted API
  std::string api_key_env;  ///< "" = OPENAI_API_KEY / ANTHROPIC_API_KEY
  double timeout_seconds = 60;  ///< per completion request
};

/// Runs the checks. Throws InputError (one line naming the problem) for a
/// spec that is not provider/name, an unknown provider, a replay file that
/// does not parse, or a base URL that is not http(s)://. Never prints or
/// returns the API key.
Checks ModelChecks(const ModelCheckOptions& options);

}  // namespace redline

#endif  // REDLINE_DOCTOR_MODEL_CHECKS_H_
