// Streamed answers (server-sent events) turned back into the plain JSON
// answer the same request without "stream" would have got, so parsing,
// tool-call normalisation and error classification are shared by both
// ways of calling. Used as ApiCallSettings::answer_filter.
#ifndef REDLINE_LLM_STREAM_ASSEMBLY_H_
#define REDLINE_LLM_STREAM_ASSEMBLY_H_

#include "llm/http_transport.h"

namespace redline {

/// OpenAI chat.completion.chunk events → a chat.completion body: content
/// and tool-call fragments concatenated (per index; a new id at a reused
/// index, as Ollama sends, starts a new call), usage from the chunk that
/// has it (OpenAI's last chunk has `choices: []`). A `data: {"error":…}` or
/// `event: error` event → an error answer (status from its code, 429 for
/// rate limits, 529 overloaded, else 500) for ClassifyResponse. No
/// `[DONE]` → a failure below HTTP ("stream cut", response.status kept at
/// 200 for the message), which is retried: a
/// truncated answer is never taken as complete. A chunk that is not JSON
/// → a 502 answer (retried).
HttpAttempt OpenAiStreamToAnswer(const HttpResponse& streamed);

/// The same for Anthropic's message_start / content_block_* /
/// message_delta / message_stop events; the end mark is message_stop.
HttpAttempt AnthropicStreamToAnswer(const HttpResponse& streamed);

}  // namespace redline

#endif  // REDLINE_LLM_STREAM_ASSEMBLY_H_
