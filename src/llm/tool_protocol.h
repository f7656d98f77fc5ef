// The "tools" protocol (--protocol tools): the paper's three actions sent
// as native tools, and the model's tool call turned back into the paper's
// text (thinking parts, then `Action:` and a fenced JSON block) so the agent
// in the device parses it unchanged. Normalises what real servers send
// (llm-interop.md §2): calls without ids, arguments as an object, a string
// or a double-encoded string, calls left in `content` (Hermes <tool_call>,
// Llama <|python_tag|>, bare JSON), invalid argument JSON.
#ifndef REDLINE_LLM_TOOL_PROTOCOL_H_
#define REDLINE_LLM_TOOL_PROTOCOL_H_

#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

/// A tool call as a server sent it.
struct WireToolCall {
  std::string id;         ///< may be empty (old llama.cpp, old Ollama)
  std::string name;
  std::string arguments;  ///< the JSON text: the string as sent, or the object dumped
};

/// The answer the agent gets, and what was noticed on the way.
struct ToolTurn {
  std::string text;
  std::vector<std::string> warnings;
  /// The call carried out (id made up when missing); empty name: none.
  WireToolCall call;
};

/// "paper" or "tools"; anything else throws InputError naming --protocol.
void CheckProtocol(const std::string& protocol);

/// The three tools, as the JSON text of OpenAI's `tools` array and of
/// Anthropic's.
std::string OpenAiToolsJson();
std::string AnthropicToolsJson();

/// `messages` with a note appended to the system prompt: the actions are
/// tools here; the thinking parts are still written as text.
std::vector<Message> WithToolsNote(const std::vector<Message>& messages);

/// The agent's text for an answer of `content` and `calls`. No calls: the
/// calls embedded in `content` if any, else `content` unchanged (the model
/// may have written the paper's text format itself). The first call is
/// carried out (the paper's agent takes one action a turn; more is a
/// warning); invalid argument JSON is passed on as written, so the agent
/// answers the model with a format error, and noted as a warning.
ToolTurn ToolCallsToPaperText(const std::string& content,
                              const std::vector<WireToolCall>& calls);

}  // namespace redline

#endif  // REDLINE_LLM_TOOL_PROTOCOL_H_
