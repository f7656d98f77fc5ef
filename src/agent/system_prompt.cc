#include "agent/system_prompt.h"

// Generated from system_prompt.md by embed_text.cmake (see CMakeLists.txt).
#include "agent/system_prompt_text.h"

namespace redline {

std::string_view SystemPrompt() { return kSystemPromptText; }

}  // namespace redline
