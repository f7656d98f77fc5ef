// What the real providers share: ModelOptions → endpoint and call settings,
// and the error for an answer that is not what the API promises.
#ifndef REDLINE_LLM_PROVIDER_CONFIG_H_
#define REDLINE_LLM_PROVIDER_CONFIG_H_

#include <functional>
#include <string>
#include <vector>

#include "llm/api_call.h"
#include "llm/model.h"

namespace redline {

/// `base` without trailing slashes, then `path` ("/chat/completions").
std::string EndpointUrl(const std::string& base, const std::string& path);

/// options.api_key_env, or `fallback` when that is empty.
std::string KeyVariable(const ModelOptions& options, const std::string& fallback);

/// Timeouts, retries, the key (as the secret to redact) and the auth hint
/// ("set <variable> to a valid key") from `options`.
ApiCallSettings MakeApiCallSettings(const ModelOptions& options,
                                    const std::string& default_key_variable);

/// ApproxTokens over every message's content.
int ApproxPromptTokens(const std::vector<Message>& messages);

/// Adds a warning to `completion` when the server counted far fewer prompt
/// tokens than `estimate` (under half, on prompts of 1000+ estimated
/// tokens): Ollama silently truncates to num_ctx. 0 is not flagged (Ollama
/// reports 0 for a cached prompt).
void FlagSilentTruncation(Completion& completion, int estimate);

/// One completion call shared by the providers: POST `body` with retries,
/// then `parse` the answer's body; a body that does not parse becomes an
/// LlmError (bad_response) with `api_key` redacted. The retry figures are
/// copied into the completion.
Completion CallAndParse(const std::string& url,
                        const std::vector<std::string>& headers,
                        const std::string& body, const ApiCallSettings& settings,
                        const std::string& api_key,
                        const std::function<Completion(const std::string&)>& parse);

/// Throws LlmError(kBadResponse) naming the URL and an excerpt of `body`.
[[noreturn]] void ThrowBadResponse(const std::string& url,
                                   const ApiCallResult& result,
                                   const std::string& problem,
                                   const std::string& secret);

}  // namespace redline

#endif  // REDLINE_LLM_PROVIDER_CONFIG_H_
