// Where a real provider's calls go: the API root as the official SDKs take
// it, from --base-url or the SDKs' environment variables.
#ifndef REDLINE_LLM_ENDPOINT_H_
#define REDLINE_LLM_ENDPOINT_H_

#include <string>

namespace redline {

/// The hosted APIs' roots, with /v1.
inline constexpr char kOpenAiHostedRoot[] = "https://api.openai.com/v1";
inline constexpr char kAnthropicHostedRoot[] = "https://api.anthropic.com/v1";

/// The variable the provider's official SDK reads its base URL from when
/// none is passed: "OPENAI_BASE_URL" or "ANTHROPIC_BASE_URL"; "" for any
/// other provider.
std::string BaseUrlVariable(const std::string& provider);

/// The API root the calls are made under, without trailing slashes.
/// `base_url` "" is the hosted API. OpenAI-compatible servers take the root
/// with /v1, as the OpenAI SDK does (http://127.0.0.1:8000/v1). Anthropic
/// takes it with or without /v1: the Anthropic SDK and ANTHROPIC_BASE_URL
/// give it without (https://api.anthropic.com), so /v1 is added when
/// missing.
std::string ApiRoot(const std::string& provider, const std::string& base_url);

/// ApiRoot + "/chat/completions" (openai) or "/messages" (anthropic): the
/// URL every completion is posted to.
std::string CompletionUrl(const std::string& provider, const std::string& base_url);

/// Throws InputError unless `base_url` is "" or starts with http:// or
/// https://; the message names `source` ("--base-url" or the variable).
void CheckBaseUrl(const std::string& base_url, const std::string& source);

}  // namespace redline

#endif  // REDLINE_LLM_ENDPOINT_H_
