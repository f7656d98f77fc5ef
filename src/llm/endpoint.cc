#include "llm/endpoint.h"

#include "base/error.h"

namespace redline {

std::string BaseUrlVariable(const std::string& provider) {
  if (provider == "openai") return "OPENAI_BASE_URL";
  if (provider == "anthropic") return "ANTHROPIC_BASE_URL";
  return "";
}

std::string ApiRoot(const std::string& provider, const std::string& base_url) {
  bool anthropic = provider == "anthropic";
  std::string root = base_url.empty()
                         ? (anthropic ? kAnthropicHostedRoot : kOpenAiHostedRoot)
                         : base_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  // The Anthropic SDK appends /v1/messages to its base URL; OpenAI's appends
  // only /chat/completions, so there the user's root keeps whatever it has.
  if (anthropic && !root.ends_with("/v1")) root += "/v1";
  return root;
}

std::string CompletionUrl(const std::string& provider, const std::string& base_url) {
  return ApiRoot(provider, base_url) +
         (provider == "anthropic" ? "/messages" : "/chat/completions");
}

void CheckBaseUrl(const std::string& base_url, const std::string& source) {
  if (base_url.empty() || base_url.starts_with("http://") ||
      base_url.starts_with("https://"))
    return;
  throw InputError(source + " " + base_url + ": expected http://… or https://…");
}

}  // namespace redline
