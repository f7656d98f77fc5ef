// Attachments: a sample's long texts stored once. Model events repeat the
// whole conversation at every call; without this a 60-step trial would
// carry its first observation 60 times.
#include <nlohmann/json.hpp>

#include "export/inspect_parts.h"
#include "system/sha256.h"

namespace redline::inspect {
namespace {

// Inspect condenses texts over 100 characters; shorter ones cost less inline.
constexpr size_t kInlineLimit = 100;

}  // namespace

std::string Attachments::Ref(const std::string& text) {
  if (keep_inline_ || text.size() <= kInlineLimit) return text;
  std::string id = Sha256Hex(text).substr(0, 32);
  texts_.try_emplace(id, text);
  return "attachment://" + id;
}

Json Attachments::ToJson() const {
  Json out = Json::object();
  for (const auto& [id, text] : texts_) out[id] = text;
  return out;
}

}  // namespace redline::inspect
