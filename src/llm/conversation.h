// Reading a conversation the way the built-in models need to.
#ifndef REDLINE_LLM_CONVERSATION_H_
#define REDLINE_LLM_CONVERSATION_H_

#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

/// True if the first user message is the scaffold's observation for `task`
/// ("Task: <task>" on its first line). Probes and greetings are not.
bool IsTaskConversation(const std::vector<Message>& messages,
                        const std::string& task);
/// How many assistant turns the conversation already holds: the index of the
/// turn being asked for. Deriving it from the messages keeps models
/// stateless, so retries and parallel conversations cannot confuse them.
int AssistantTurns(const std::vector<Message>& messages);
/// Content of the last user message ("" if none).
std::string LastUserMessage(const std::vector<Message>& messages);
/// The request the user made in this conversation: the text after "Task: "
/// on the first line of the first user message, or that whole message if it
/// is not a scaffold observation (a plain "Hello!").
std::string UserRequest(const std::vector<Message>& messages);
/// The answer every built-in model gives outside the task conversation: an
/// immediate finish whose message repeats the user's request, so a probe's
/// code word comes back in the reply.
std::string EchoFinish(const std::vector<Message>& messages);
/// ApproxTokens over every message: the prompt size a real model would bill.
int PromptTokens(const std::vector<Message>& messages);

}  // namespace redline

#endif  // REDLINE_LLM_CONVERSATION_H_
