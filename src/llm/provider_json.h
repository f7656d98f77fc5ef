// JSON helpers shared by the provider wire code (openai_model.cc,
// anthropic_model.cc). Included only by those .cc files: nlohmann/json stays
// out of every header the rest of redline sees.
#ifndef REDLINE_LLM_PROVIDER_JSON_H_
#define REDLINE_LLM_PROVIDER_JSON_H_

#include <nlohmann/json.hpp>
#include <vector>

#include "llm/model.h"
#include "llm/provider_config.h"

namespace redline {

/// usage[field] when it is an integer, else `fallback` (servers that omit
/// usage get the local estimate).
inline int TokenCount(const nlohmann::json& usage, const char* field, int fallback) {
  auto it = usage.find(field);
  if (it == usage.end() || !it->is_number_integer()) return fallback;
  return it->get<int>();
}

/// Token counts of `completion` from the answer's "usage" object (its field
/// names differ per API), each falling back to the local estimate, and the
/// warning when the server counted far fewer prompt tokens than were sent.
inline void FillUsage(Completion& completion, const nlohmann::json& answer,
                      const std::vector<Message>& messages, const char* prompt_field,
                      const char* completion_field) {
  int prompt_estimate = ApproxPromptTokens(messages);
  int completion_estimate = ApproxTokens(completion.content);
  auto usage = answer.find("usage");
  bool has = usage != answer.end() && usage->is_object();
  completion.prompt_tokens = has ? TokenCount(*usage, prompt_field, prompt_estimate)
                                 : prompt_estimate;
  completion.completion_tokens =
      has ? TokenCount(*usage, completion_field, completion_estimate) : completion_estimate;
  FlagSilentTruncation(completion, prompt_estimate);
}

}  // namespace redline

#endif  // REDLINE_LLM_PROVIDER_JSON_H_
