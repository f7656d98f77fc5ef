// openai/<model>: any OpenAI-compatible /chat/completions endpoint (OpenAI,
// vLLM, llama-server, Ollama, SGLang), plain or streamed, under the paper
// or the tools protocol, compacting the history on a context overflow.
#ifndef REDLINE_LLM_OPENAI_MODEL_H_
#define REDLINE_LLM_OPENAI_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "llm/model.h"

namespace redline {

/// The request body: model, messages, stream (with include_usage), the
/// tools under the tools protocol, and the sampling settings that are
/// set. The cap is sent as max_completion_tokens to the hosted OpenAI API
/// (o-series models reject max_tokens) and as max_tokens elsewhere (local
/// servers ignore or reject the newer name).
std::string BuildOpenAiRequest(const std::string& model,
                               const std::vector<Message>& messages,
                               const ModelOptions& options,
                               bool hosted_openai);

/// Reads choices[0].message.content (null → "") and usage (absent →
/// ApproxTokens of the prompt and the content); with `tools`, the tool
/// calls (or calls left in the content) become the paper's text
/// (tool_protocol.h). Warns of probable silent truncation. Throws
/// std::runtime_error if the body is not a chat completion.
Completion ParseOpenAiResponse(const std::string& body,
                               const std::vector<Message>& messages,
                               bool tools = false);

/// Builds the model; throws InputError if the hosted API is meant and
/// options.api_key is empty (naming OPENAI_API_KEY).
std::unique_ptr<Model> MakeOpenAiModel(const std::string& name,
                                       const ModelOptions& options);

}  // namespace redline

#endif  // REDLINE_LLM_OPENAI_MODEL_H_
