#include "doctor/provider_wire.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "llm/endpoint.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr char kTrivialPrompt[] = "Reply with the single word: ok";
constexpr char kToolPrompt[] = "What time is it? Use the get_time tool.";
constexpr char kAnthropicVersion[] = "anthropic-version: 2023-06-01";

int IntOr(const json& j, const char* key, int fallback) {
  return j.is_object() && j.contains(key) && j[key].is_number_integer()
             ? j[key].get<int>() : fallback;
}

json UserMessages(const char* text) {
  return json::array({{{"role", "user"}, {"content", text}}});
}

json Limit(const ProviderWire& wire, bool max_completion_tokens, int tokens) {
  if (wire.provider == "anthropic") return {{"max_tokens", tokens}};
  return {{max_completion_tokens ? "max_completion_tokens" : "max_tokens", tokens}};
}

}  // namespace

ProviderWire MakeProviderWire(const std::string& provider, const std::string& model,
                              const std::string& base_url,
                              const std::string& api_key_env) {
  ProviderWire w;
  w.provider = provider;
  w.model = model;
  bool anthropic = provider == "anthropic";
  std::string base = base_url;
  w.base_source = "--base-url";
  if (base.empty()) {
    std::string variable = BaseUrlVariable(provider);
    const char* value = std::getenv(variable.c_str());
    base = value ? value : "";
    w.base_source = base.empty() ? "the hosted API" : "$" + variable;
    CheckBaseUrl(base, variable);
  }
  w.base = ApiRoot(provider, base);
  w.hosted = w.base == (anthropic ? kAnthropicHostedRoot : kOpenAiHostedRoot);
  w.key_variable = !api_key_env.empty() ? api_key_env
                   : anthropic          ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
  const char* key = std::getenv(w.key_variable.c_str());
  w.key = key ? key : "";
  w.headers = {"Content-Type: application/json"};
  if (anthropic) {
    w.headers.push_back(kAnthropicVersion);
    if (!w.key.empty()) w.headers.push_back("x-api-key: " + w.key);
  } else if (!w.key.empty()) {
    w.headers.push_back("Authorization: Bearer " + w.key);
  }
  return w;
}

std::string CompletionPath(const ProviderWire& wire) {
  return wire.provider == "anthropic" ? "/messages" : "/chat/completions";
}

std::string OneTokenBody(const ProviderWire& wire, bool max_completion_tokens) {
  json body = {{"model", wire.model}, {"messages", UserMessages(kTrivialPrompt)}};
  body.update(Limit(wire, max_completion_tokens, 1));
  return body.dump();
}

std::string ToolCallBody(const ProviderWire& wire, bool max_completion_tokens) {
  json body = {{"model", wire.model}, {"messages", UserMessages(kToolPrompt)}};
  body.update(Limit(wire, max_completion_tokens, 64));
  json schema = {{"type", "object"}, {"properties", json::object()}};
  const char* what = "Returns the current time.";
  if (wire.provider == "anthropic") {
    body["tools"] = {{{"name", "get_time"}, {"description", what}, {"input_schema", schema}}};
    body["tool_choice"] = {{"type", "any"}};
  } else {
    body["tools"] = {{{"type", "function"},
                      {"function", {{"name", "get_time"}, {"description", what},
                                    {"parameters", schema}}}}};
    body["tool_choice"] = "required";
  }
  return body.dump();
}

ModelList ParseModelList(const std::string& body, const std::string& model) {
  ModelList list;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) return list;
  list.parsed = true;
  for (const json& m : j["data"]) {
    if (!m.is_object() || !m.contains("id") || !m["id"].is_string()) continue;
    list.ids.push_back(m["id"].get<std::string>());
    if (list.ids.back() == model && m.contains("max_model_len") &&
        m["max_model_len"].is_number_integer())
      list.max_model_len = m["max_model_len"].get<long>();
  }
  return list;
}

ReplyFacts ParseReply(const ProviderWire& wire, const std::string& body) {
  ReplyFacts facts;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return facts;
  const json usage = j.value("usage", json::object());
  if (wire.provider == "anthropic") {
    if (!j.contains("content") || !j["content"].is_array()) return facts;
    for (const json& block : j["content"])
      if (block.is_object() && block.value("type", "") == "tool_use") facts.tool_call = true;
    facts.prompt_tokens = IntOr(usage, "input_tokens", -1);
    facts.completion_tokens = IntOr(usage, "output_tokens", -1);
  } else {
    if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty())
      return facts;
    const json& choice = j["choices"][0];
    if (!choice.is_object() || !choice.contains("message")) return facts;
    const json& message = choice["message"];
    facts.tool_call = message.is_object() && message.contains("tool_calls") &&
                      message["tool_calls"].is_array() && !message["tool_calls"].empty();
    facts.prompt_tokens = IntOr(usage, "prompt_tokens", -1);
    facts.completion_tokens = IntOr(usage, "completion_tokens", -1);
  }
  facts.parsed = true;
  return facts;
}

}  // namespace redline
