// Context overflow → compaction: when the endpoint says the conversation
// no longer fits, the middle of it is dropped (the system prompt, the task
// message and the last turns stay) and the call is made again, so a long
// episode goes on instead of ending as an error.
#ifndef REDLINE_LLM_COMPACTION_H_
#define REDLINE_LLM_COMPACTION_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

struct CompactedHistory {
  std::vector<Message> messages;
  int dropped = 0;  ///< messages taken out of the middle
};

/// Keeps the leading system messages, the first other message (the task)
/// and about the last `keep_last` messages, starting the kept tail at an
/// assistant turn so user and assistant still alternate; the task message
/// gets a note saying how many messages were dropped. nullopt when nothing
/// would be dropped.
std::optional<CompactedHistory> CompactHistory(const std::vector<Message>& messages,
                                               int keep_last);

/// Calls `call` with `messages`; on a context overflow (LlmError
/// kContextOverflow) compacts — the last 6 messages kept, then the last 2 —
/// and calls again. Each compaction is appended to the result's
/// `compactions`, and retry counts and waits add up over the attempts. If
/// even the smallest history overflows, throws LlmError(kContextOverflow)
/// naming the context length the server gave.
Completion CompleteWithCompaction(
    const std::vector<Message>& messages,
    const std::function<Completion(const std::vector<Message>&)>& call);

/// The context length in a server's overflow message ("maximum context
/// length is 32768 tokens", "available context size (4096 tokens)",
/// "n_ctx":4096); 0 if none is found.
long ContextLengthIn(const std::string& message);

}  // namespace redline

#endif  // REDLINE_LLM_COMPACTION_H_
