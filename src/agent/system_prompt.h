// The system prompt of the scaffold: src/agent/system_prompt.md, embedded
// at build time. It is ours; the paper never published its own.
#ifndef REDLINE_AGENT_SYSTEM_PROMPT_H_
#define REDLINE_AGENT_SYSTEM_PROMPT_H_

#include <string_view>

namespace redline {

/// The exact bytes of system_prompt.md (hash them to identify the prompt).
std::string_view SystemPrompt();

}  // namespace redline

#endif  // REDLINE_AGENT_SYSTEM_PROMPT_H_
