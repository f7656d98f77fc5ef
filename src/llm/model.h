// The model under test, as the broker sees it: a chat completion function.
// Implementations: scripted/reference, scripted/null, replay/<file> (built
// in, for controls and checker cases); real providers come with issue #3.
#ifndef REDLINE_LLM_MODEL_H_
#define REDLINE_LLM_MODEL_H_

#include <memory>
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
};

/// Facts a model may need beyond the messages.
struct ModelOptions {
  /// The trial's task text. The built-in models use it to tell the task
  /// conversation (the one whose first observation is "Task: <task>") from
  /// any other conversation, such as the checker's probes.
  std::string task;
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
