// What the model checks send to an OpenAI-compatible or Anthropic endpoint
// and what they read back: request bodies and answer parsing, as plain data
// (the JSON stays in provider_wire.cc).
#ifndef REDLINE_DOCTOR_PROVIDER_WIRE_H_
#define REDLINE_DOCTOR_PROVIDER_WIRE_H_

#include <string>
#include <vector>

namespace redline {

struct ProviderWire {
  std::string provider;  ///< "openai" or "anthropic"
  std::string model;     ///< the name after the provider's slash
  std::string base;      ///< API root without trailing slash, e.g. …/v1
  /// Where the base came from: "--base-url", "$ANTHROPIC_BASE_URL" (or
  /// OPENAI_…), or "the hosted API".
  std::string base_source;
  bool hosted = false;   ///< the provider's own API
  std::string key_variable;
  std::string key;       ///< never printed
  /// "Name: value" lines: content type, auth (when there is a key), version.
  std::vector<std::string> headers;
};

/// Fills a wire from the command line; reads the key, and the base URL when
/// `base_url` is "", from the environment as the providers' SDKs do
/// (llm/endpoint.h). Throws InputError for a base URL that is not http(s).
ProviderWire MakeProviderWire(const std::string& provider, const std::string& model,
                              const std::string& base_url,
                              const std::string& api_key_env);

/// "/chat/completions" or "/messages".
std::string CompletionPath(const ProviderWire& wire);
/// A one-token completion of a trivial prompt. `max_completion_tokens`:
/// name the limit as OpenAI's newer models require.
std::string OneTokenBody(const ProviderWire& wire, bool max_completion_tokens);
/// A request offering one trivial tool and asking the model to call it.
std::string ToolCallBody(const ProviderWire& wire, bool max_completion_tokens);

struct ModelList {
  bool parsed = false;  ///< {"data":[{"id":…}]} was found
  std::vector<std::string> ids;
  long max_model_len = -1;  ///< vLLM's, for our model; -1 if not given
};
ModelList ParseModelList(const std::string& body, const std::string& model);

struct ReplyFacts {
  bool parsed = false;     ///< a completion of the provider's shape
  bool tool_call = false;  ///< it called a tool
  int prompt_tokens = -1;
  int completion_tokens = -1;
};
ReplyFacts ParseReply(const ProviderWire& wire, const std::string& body);

/// The context length the server reports for the model, trying vLLM's
/// /v1/models (`from_models`), llama-server's /props and /slots, and
/// Ollama's /api/show. -1 if none says; `source` names where it came from.
long ProbeContextLength(const ProviderWire& wire, long from_models,
                        std::string* source);

}  // namespace redline

#endif  // REDLINE_DOCTOR_PROVIDER_WIRE_H_
