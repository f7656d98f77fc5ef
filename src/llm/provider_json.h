// JSON helpers shared by the provider wire code (openai_model.cc,
// anthropic_model.cc). Included only by those .cc files: nlohmann/json stays
// out of every header the rest of redline sees.
#ifndef REDLINE_LLM_PROVIDER_JSON_H_
#define REDLINE_LLM_PROVIDER_JSON_H_

#include <nlohmann/json.hpp>

namespace redline {

/// usage[field] when it is an integer, else `fallback` (servers that omit
/// usage get the local estimate).
inline int TokenCount(const nlohmann::json& usage, const char* field, int fallback) {
  auto it = usage.find(field);
  if (it == usage.end() || !it->is_number_integer()) return fallback;
  return it->get<int>();
}

}  // namespace redline

#endif  // REDLINE_LLM_PROVIDER_JSON_H_
