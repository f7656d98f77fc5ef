// The model under test, as the broker sees it: a chat completion function.
// Implementations: scripted/reference, scripted/null, replay/<file> (built
// in, for controls and checker cases) and the real providers
// (openai_model.h, anthropic_model.h).
#ifndef REDLINE_LLM_MODEL_H_
#define REDLINE_LLM_MODEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace redline {

struct Message {
  std::string role;  ///< "system", "user" or "assistant"
  std::string content;
};

struct Completion {
  std::string content;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  /// Seconds spent sleeping between retries of this call (backoff and
  /// server-requested waits), so a time limit can leave it out.
  double retry_wait_seconds = 0;
  /// How many times the call was retried.
  int retries = 0;
  /// Messages dropped from the middle of the conversation because the
  /// endpoint said the context was exceeded (0: the whole history fitted).
  /// One entry per compaction, in order.
  std::vector<int> compactions;
  /// Things worth a look that did not fail the call, e.g. "probable silent
  /// truncation" when the server counted far fewer prompt tokens than sent.
  std::vector<std::string> warnings;
  /// The answer came as a stream of server-sent events.
  bool streamed = false;
};

/// Facts a model may need beyond the messages.
struct ModelOptions {
  /// The trial's task text. The built-in models use it to tell the task
  /// conversation (the one whose first observation is "Task: <task>") from
  /// any other conversation, such as the checker's probes.
  std::string task;

  // Real providers (openai/…, anthropic/…); the built-in models ignore these.

  /// API root as the provider's SDK takes it: http://127.0.0.1:8000/v1 for
  /// an OpenAI-compatible server; https://api.anthropic.com, with or without
  /// /v1, for Anthropic (llm/endpoint.h). Empty: the provider's hosted API.
  std::string base_url;
  /// The environment variable base_url was read from (OPENAI_BASE_URL,
  /// ANTHROPIC_BASE_URL) when --base-url was absent; empty otherwise.
  std::string base_url_env;
  /// The key's value (the caller reads it from the environment). Required
  /// for the hosted APIs; optional with a custom base_url. Never logged and
  /// never part of an error message.
  std::string api_key;
  /// The environment variable the key came from (e.g. from --api-key-env),
  /// named in "what to fix" messages; empty: OPENAI_API_KEY or
  /// ANTHROPIC_API_KEY.
  std::string api_key_env;
  /// Sampling settings; unset ones are not sent (Anthropic requires
  /// max_tokens and gets 4096 when unset; it has no seed).
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> max_tokens;
  std::optional<int64_t> seed;
  double connect_timeout_seconds = 10;
  /// Whole request, per attempt.
  double timeout_seconds = 600;
  /// Retries after the first attempt (connection errors, 408, 409, 429,
  /// 5xx, 529).
  int max_retries = 5;
  /// Ask for server-sent events (openai/…, anthropic/…): the answer is read
  /// as a stream, and a stream cut before its end is retried.
  bool stream = false;
  /// "paper" (the scaffold's text format, as the paper) or "tools" (the
  /// three actions sent as native tools; the tool call is turned back into
  /// the paper's text before the agent sees it).
  std::string protocol = "paper";
  /// Tests only: actual sleeps between retries are this fraction of the
  /// wait (the recorded retry_wait_seconds stays the honoured value).
  double retry_sleep_scale = 1.0;
};

class Model {
 public:
  virtual ~Model() = default;
  /// One completion. Thread-safe: the broker calls it from several
  /// connections at once. Throws SystemError for infrastructure failures.
  virtual Completion Complete(const std::vector<Message>& messages) = 0;
  /// "provider/name" as given on the command line.
  virtual std::string Name() const = 0;
};

/// Builds a model from `provider/name`. Throws InputError naming the problem
/// (unknown provider, unreadable replay file, a replay line that is not a
/// JSON object with a string "content", …).
std::unique_ptr<Model> MakeModel(const std::string& spec,
                                 const ModelOptions& options);

/// Approximate token count (4 characters a token), for models that do not
/// report usage.
int ApproxTokens(const std::string& text);

}  // namespace redline

#endif  // REDLINE_LLM_MODEL_H_
