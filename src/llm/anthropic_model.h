// anthropic/<model>: the Anthropic Messages API, plain or streamed, under
// the paper or the tools protocol, compacting the history on an overflow.
#ifndef REDLINE_LLM_ANTHROPIC_MODEL_H_
#define REDLINE_LLM_ANTHROPIC_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

/// The request body: system messages joined into the top-level "system",
/// the rest with consecutive same-role messages merged so turns alternate,
/// max_tokens (4096 unless set), temperature and top_p if set.
std::string BuildAnthropicRequest(const std::string& model,
                                  const std::vector<Message>& messages,
                                  const ModelOptions& options);

/// Joins the text blocks of "content"; usage.input_tokens/output_tokens
/// (absent → ApproxTokens); with `tools`, a tool_use block becomes the
/// paper's text. Throws std::runtime_error if the body is not a message.
Completion ParseAnthropicResponse(const std::string& body,
                                  const std::vector<Message>& messages,
                                  bool tools = false);

/// Builds the model; throws InputError if the hosted API is meant and
/// options.api_key is empty (naming ANTHROPIC_API_KEY).
std::unique_ptr<Model> MakeAnthropicModel(const std::string& name,
                                          const ModelOptions& options);

}  // namespace redline

#endif  // REDLINE_LLM_ANTHROPIC_MODEL_H_
