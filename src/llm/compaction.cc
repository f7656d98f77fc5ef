#include "llm/compaction.h"

#include <regex>

#include "llm/llm_error.h"

namespace redline {

std::optional<CompactedHistory> CompactHistory(const std::vector<Message>& messages,
                                               int keep_last) {
  size_t task = 0;
  while (task < messages.size() && messages[task].role == "system") ++task;
  if (task >= messages.size()) return std::nullopt;
  size_t tail = messages.size() > static_cast<size_t>(keep_last)
                    ? messages.size() - keep_last
                    : 0;
  if (tail <= task + 1) tail = task + 1;
  // Local chat templates (and Anthropic) want user and assistant to
  // alternate: the task is a user turn, so the kept tail starts with the
  // assistant.
  while (tail < messages.size() && messages[tail].role != "assistant") ++tail;
  if (tail >= messages.size()) return std::nullopt;
  int dropped = static_cast<int>(tail - task - 1);
  if (dropped <= 0) return std::nullopt;
  CompactedHistory out;
  out.dropped = dropped;
  out.messages.assign(messages.begin(), messages.begin() + task + 1);
  out.messages.back().content +=
      "\n\n[" + std::to_string(dropped) +
      " earlier messages of this conversation were dropped to fit the model's "
      "context window; the most recent turns follow.]";
  out.messages.insert(out.messages.end(), messages.begin() + tail, messages.end());
  return out;
}

long ContextLengthIn(const std::string& message) {
  static const std::regex kPatterns[] = {
      std::regex(R"(maximum context length is (\d+))"),
      std::regex(R"(available context size \((\d+))"),
      std::regex(R"(n_ctx\D{0,4}(\d+))"),
      std::regex(R"((\d+) token context)")};
  for (const std::regex& pattern : kPatterns) {
    std::smatch match;
    if (std::regex_search(message, match, pattern)) return std::stol(match[1]);
  }
  return 0;
}

Completion CompleteWithCompaction(
    const std::vector<Message>& messages,
    const std::function<Completion(const std::vector<Message>&)>& call) {
  static const int kKeepLast[] = {6, 2};
  std::vector<int> compactions;
  double waited = 0;
  int retries = 0;
  const std::vector<Message>* current = &messages;
  CompactedHistory compacted;
  size_t next_level = 0;
  for (;;) {
    try {
      Completion completion = call(*current);
      completion.compactions = compactions;
      completion.retry_wait_seconds += waited;
      completion.retries += retries;
      return completion;
    } catch (const LlmError& e) {
      if (e.kind() != ErrorKind::kContextOverflow) throw;
      waited += e.retry_wait_seconds();
      retries += e.retries();
      std::optional<CompactedHistory> next;
      while (!next && next_level < std::size(kKeepLast))
        next = CompactHistory(messages, kKeepLast[next_level++]);
      if (!next) {
        long context = ContextLengthIn(e.what());
        std::string size = context > 0 ? std::to_string(context) + " tokens"
                                       : "its size is not in the server's message";
        throw LlmError(ErrorKind::kContextOverflow, e.endpoint(), e.http_status(),
                       std::string(e.what()) + " — even the compacted conversation "
                       "(system prompt, task and last turn) exceeds the model's "
                       "context window (" + size + "); serve the model with a "
                       "longer context", waited, retries);
      }
      compactions.push_back(next->dropped);
      compacted = std::move(*next);
      current = &compacted.messages;
    }
  }
}

}  // namespace redline
