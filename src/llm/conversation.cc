#include "llm/conversation.h"

#include "llm/response_text.h"

namespace redline {

static const Message* FirstUser(const std::vector<Message>& messages) {
  for (const Message& m : messages)
    if (m.role == "user") return &m;
  return nullptr;
}

static std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

bool IsTaskConversation(const std::vector<Message>& messages,
                        const std::string& task) {
  const Message* first = FirstUser(messages);
  return first && !task.empty() && FirstLine(first->content) == "Task: " + task;
}

int AssistantTurns(const std::vector<Message>& messages) {
  int n = 0;
  for (const Message& m : messages) n += m.role == "assistant";
  return n;
}

std::string LastUserMessage(const std::vector<Message>& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->role == "user") return it->content;
  return "";
}

std::string UserRequest(const std::vector<Message>& messages) {
  const Message* first = FirstUser(messages);
  if (!first) return "";
  std::string line = FirstLine(first->content);
  if (line.starts_with("Task: ")) return line.substr(6);
  return first->content;
}

std::string EchoFinish(const std::vector<Message>& messages) {
  std::string request = UserRequest(messages);
  Thoughts t{"A user sent me a message.", "None.", "The message reads: " + request,
             {"Answer the user.", "Repeat what the user said.", "Finish."}};
  return FinishResponse(t, "You said: " + request);
}

int PromptTokens(const std::vector<Message>& messages) {
  int n = 0;
  for (const Message& m : messages) n += ApproxTokens(m.content);
  return n;
}

}  // namespace redline
