// Context length: the OpenAI API has no field for it, so each server family
// is asked where it keeps it. Every probe is a short, harmless request;
// servers that lack the route answer 404 and the next one is tried.
#include <nlohmann/json.hpp>

#include "doctor/model_http.h"
#include "doctor/provider_wire.h"
#include "llm/provider_config.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr HttpTimeouts kProbeTimeouts{5, 10};

// The server root: the API root without its "/v1".
std::string ServerRoot(const std::string& base) {
  if (base.size() >= 3 && base.ends_with("/v1")) return base.substr(0, base.size() - 3);
  return base;
}

json GetJson(const ProviderWire& wire, const std::string& url) {
  HttpAttempt a = HttpGet(url, wire.headers, kProbeTimeouts);
  if (!a.answered || a.response.status != 200) return nullptr;
  return json::parse(a.response.body, nullptr, false);
}

long PositiveAt(const json& j, const json::json_pointer& at) {
  if (!j.is_object() && !j.is_array()) return -1;
  if (!j.contains(at) || !j[at].is_number_integer()) return -1;
  long n = j[at].get<long>();
  return n > 0 ? n : -1;
}

// llama-server: GET /props has default_generation_settings.n_ctx (and, in
// newer builds, n_ctx at the top); GET /slots has each slot's n_ctx.
long LlamaServer(const ProviderWire& wire, std::string* source) {
  std::string root = ServerRoot(wire.base);
  json props = GetJson(wire, root + "/props");
  for (const char* at : {"/default_generation_settings/n_ctx", "/n_ctx"}) {
    long n = PositiveAt(props, json::json_pointer(at));
    if (n > 0) return *source = "llama-server /props", n;
  }
  long n = PositiveAt(GetJson(wire, root + "/slots"), json::json_pointer("/0/n_ctx"));
  if (n > 0) *source = "llama-server /slots";
  return n;
}

// Ollama: POST /api/show {"model": name}; model_info has
// "<architecture>.context_length" (what the model supports; the server may
// run it with a smaller num_ctx, which parameters can set).
long Ollama(const ProviderWire& wire, std::string* source) {
  HttpAttempt a = HttpPost(ServerRoot(wire.base) + "/api/show", wire.headers,
                           json{{"model", wire.model}}.dump(), kProbeTimeouts);
  if (!a.answered || a.response.status != 200) return -1;
  json j = json::parse(a.response.body, nullptr, false);
  if (!j.is_object() || !j.contains("model_info") || !j["model_info"].is_object())
    return -1;
  for (const auto& [key, value] : j["model_info"].items())
    if (key.ends_with(".context_length") && value.is_number_integer()) {
      *source = "Ollama /api/show (the model's maximum; the server's num_ctx may be lower)";
      return value.get<long>();
    }
  return -1;
}

}  // namespace

long ProbeContextLength(const ProviderWire& wire, long from_models,
                        std::string* source) {
  if (from_models > 0) return *source = "vLLM /v1/models max_model_len", from_models;
  if (wire.provider != "openai" || wire.hosted) return -1;
  long n = LlamaServer(wire, source);
  return n > 0 ? n : Ollama(wire, source);
}

}  // namespace redline
