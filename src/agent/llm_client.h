// The agent's brain, seen from the loop: one chat completion per step. An
// interface so the loop can be tested with a scripted fake.
#ifndef REDLINE_AGENT_LLM_CLIENT_H_
#define REDLINE_AGENT_LLM_CLIENT_H_

#include <string>
#include <vector>

namespace redline {

struct ChatMessage {
  std::string role;  ///< "system", "user" or "assistant"
  std::string content;
};

/// ok with the assistant's content, or !ok with a one-line error.
struct LlmReply {
  bool ok = false;
  std::string content;
  std::string error;
};

class LlmClient {
 public:
  virtual ~LlmClient() = default;
  /// One completion of the whole conversation. Never throws: transport and
  /// server failures come back as !ok.
  virtual LlmReply Complete(const std::vector<ChatMessage>& messages) = 0;
};

}  // namespace redline

#endif  // REDLINE_AGENT_LLM_CLIENT_H_
