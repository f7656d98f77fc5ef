#include "llm/provider_config.h"

#include "llm/llm_error.h"

namespace redline {

std::string EndpointUrl(const std::string& base, const std::string& path) {
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + path;
}

std::string KeyVariable(const ModelOptions& options,
                        const std::string& fallback) {
  return options.api_key_env.empty() ? fallback : options.api_key_env;
}

ApiCallSettings MakeApiCallSettings(const ModelOptions& options,
                                    const std::string& default_key_variable) {
  std::string variable = KeyVariable(options, default_key_variable);
  // A local server that wants a key is a different fix from a wrong key.
  std::string auth_hint = options.api_key.empty()
                              ? "this server wants a key; set " + variable
                              : "set " + variable + " to a valid key";
  ApiCallSettings settings;
  settings.timeouts.connect_seconds = options.connect_timeout_seconds;
  settings.timeouts.total_seconds = options.timeout_seconds;
  settings.max_retries = options.max_retries;
  settings.auth_hint = auth_hint;
  settings.secret = options.api_key;
  settings.sleep_scale = options.retry_sleep_scale;
  return settings;
}

int ApproxPromptTokens(const std::vector<Message>& messages) {
  int total = 0;
  for (const Message& message : messages) total += ApproxTokens(message.content);
  return total;
}

void FlagSilentTruncation(Completion& completion, int estimate) {
  constexpr int kMinEstimate = 1000;
  if (estimate < kMinEstimate || completion.prompt_tokens <= 0 ||
      completion.prompt_tokens * 2 >= estimate)
    return;
  completion.warnings.push_back(
      "probable silent truncation: the server counted " +
      std::to_string(completion.prompt_tokens) + " prompt tokens for about " +
      std::to_string(estimate) +
      " sent (Ollama cuts the prompt to num_ctx; set OLLAMA_CONTEXT_LENGTH)");
}

void ThrowBadResponse(const std::string& url, const ApiCallResult& result,
                      const std::string& problem, const std::string& secret) {
  std::string excerpt = result.response.body.substr(0, 300);
  std::string message = "HTTP " + std::to_string(result.response.status) +
                        " from " + url + ": " + problem + ": " + excerpt;
  throw LlmError(ErrorKind::kBadResponse, url, result.response.status,
                 Redact(message, secret), result.retry_wait_seconds,
                 result.retries);
}

Completion CallAndParse(const std::string& url,
                        const std::vector<std::string>& headers,
                        const std::string& body, const ApiCallSettings& settings,
                        const std::string& api_key,
                        const std::function<Completion(const std::string&)>& parse) {
  ApiCallResult result = PostJsonWithRetries(url, headers, body, settings);
  Completion completion;
  try {
    completion = parse(result.response.body);
  } catch (const std::exception& e) {
    ThrowBadResponse(url, result, e.what(), api_key);
  }
  completion.retry_wait_seconds = result.retry_wait_seconds;
  completion.retries = result.retries;
  return completion;
}

}  // namespace redline
