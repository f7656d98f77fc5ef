#include "llm/openai_model.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/error.h"
#include "llm/api_call.h"
#include "llm/compaction.h"
#include "llm/endpoint.h"
#include "llm/provider_config.h"
#include "llm/provider_json.h"
#include "llm/stream_assembly.h"
#include "llm/tool_protocol.h"

namespace redline {

namespace {

using json = nlohmann::json;

class OpenAiModel : public Model {
 public:
  OpenAiModel(std::string name, ModelOptions options, bool hosted)
      : name_(std::move(name)),
        options_(std::move(options)),
        hosted_(hosted),
        url_(CompletionUrl("openai", hosted_ ? "" : options_.base_url)),
        settings_(Settings(options_)) {}

  Completion Complete(const std::vector<Message>& messages) override {
    return CompleteWithCompaction(
        messages, [&](const std::vector<Message>& history) { return CallOnce(history); });
  }

  std::string Name() const override { return "openai/" + name_; }

 private:
  static ApiCallSettings Settings(const ModelOptions& options) {
    ApiCallSettings settings = MakeApiCallSettings(options, "OPENAI_API_KEY");
    if (options.stream) settings.answer_filter = OpenAiStreamToAnswer;
    return settings;
  }

  Completion CallOnce(const std::vector<Message>& messages) const {
    std::vector<std::string> headers = {"Content-Type: application/json"};
    // Local servers need no key, and some reject a bogus one: send the
    // header only when there is a key.
    if (!options_.api_key.empty())
      headers.push_back("Authorization: Bearer " + options_.api_key);
    bool tools = options_.protocol == "tools";
    Completion completion = CallAndParse(
        url_, headers, BuildOpenAiRequest(name_, messages, options_, hosted_),
        settings_, options_.api_key, [&](const std::string& body) {
          return ParseOpenAiResponse(body, messages, tools);
        });
    completion.streamed = options_.stream;
    return completion;
  }

  const std::string name_;
  const ModelOptions options_;
  const bool hosted_;
  const std::string url_;
  const ApiCallSettings settings_;
};

}  // namespace

std::string BuildOpenAiRequest(const std::string& model,
                               const std::vector<Message>& messages,
                               const ModelOptions& options,
                               bool hosted_openai) {
  bool tools = options.protocol == "tools";
  json list = json::array();
  // The history goes back flattened (assistant turns as the paper's text,
  // observations as user turns) under both protocols: docs/models.md says
  // why.
  for (const Message& message : tools ? WithToolsNote(messages) : messages)
    list.push_back({{"role", message.role}, {"content", message.content}});
  json body = {{"model", model}, {"messages", list}, {"stream", options.stream}};
  // Usage comes in a last chunk with `choices: []` only when asked for.
  if (options.stream) body["stream_options"] = {{"include_usage", true}};
  if (tools) {
    body["tools"] = json::parse(OpenAiToolsJson());
    body["tool_choice"] = "auto";
  }
  if (options.temperature) body["temperature"] = *options.temperature;
  if (options.top_p) body["top_p"] = *options.top_p;
  if (options.max_tokens)
    body[hosted_openai ? "max_completion_tokens" : "max_tokens"] =
        *options.max_tokens;
  if (options.seed) body["seed"] = *options.seed;
  return body.dump();
}

namespace {

// message.tool_calls as sent: ids may be missing, arguments an object (Ollama
// native) or a string.
std::vector<WireToolCall> WireCalls(const json& message) {
  std::vector<WireToolCall> calls;
  auto list = message.find("tool_calls");
  if (list == message.end() || !list->is_array()) return calls;
  for (const json& call : *list) {
    if (!call.is_object()) continue;
    const json function = call.value("function", json::object());
    if (!function.is_object()) continue;
    WireToolCall wire;
    if (call.contains("id") && call["id"].is_string()) wire.id = call["id"];
    if (function.contains("name") && function["name"].is_string()) wire.name = function["name"];
    if (function.contains("arguments")) {
      const json& args = function["arguments"];
      wire.arguments = args.is_string() ? args.get<std::string>() : args.dump();
    }
    calls.push_back(wire);
  }
  return calls;
}

}  // namespace

Completion ParseOpenAiResponse(const std::string& body,
                               const std::vector<Message>& messages, bool tools) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) throw std::runtime_error("the body is not JSON");
  auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object())
    throw std::runtime_error("no choices[0]");
  auto message = (*choices)[0].find("message");
  if (message == (*choices)[0].end() || !message->is_object())
    throw std::runtime_error("no choices[0].message");
  Completion completion;
  // content is null when the model only called tools, and "" on some
  // servers when it said nothing; both are an empty answer.
  auto content = message->find("content");
  if (content != message->end() && content->is_string())
    completion.content = content->get<std::string>();
  else if (content != message->end() && !content->is_null())
    throw std::runtime_error("choices[0].message.content is not a string");
  if (tools) {
    ToolTurn turn = ToolCallsToPaperText(completion.content, WireCalls(*message));
    completion.content = turn.text;
    completion.warnings = turn.warnings;
  }
  FillUsage(completion, parsed, messages, "prompt_tokens", "completion_tokens");
  return completion;
}

std::unique_ptr<Model> MakeOpenAiModel(const std::string& name,
                                       const ModelOptions& options) {
  CheckProtocol(options.protocol);
  if (name.empty())
    throw InputError("--model openai/: missing the model name, e.g. "
                     "openai/gpt-4o or openai/Qwen/Qwen2.5-72B-Instruct");
  CheckBaseUrl(options.base_url,
               options.base_url_env.empty() ? "--base-url" : options.base_url_env);
  bool hosted = ApiRoot("openai", options.base_url) == kOpenAiHostedRoot;
  if (hosted && options.api_key.empty())
    throw InputError("--model openai/" + name + ": no API key for " +
                     kOpenAiHostedRoot + "; set " +
                     KeyVariable(options, "OPENAI_API_KEY") +
                     " (or give --base-url for a local OpenAI-compatible "
                     "server)");
  return std::make_unique<OpenAiModel>(name, options, hosted);
}

}  // namespace redline
