#include "llm/anthropic_model.h"

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

constexpr int kDefaultMaxTokens = 4096;

class AnthropicModel : public Model {
 public:
  AnthropicModel(std::string name, ModelOptions options)
      : name_(std::move(name)),
        options_(std::move(options)),
        url_(CompletionUrl("anthropic", options_.base_url)),
        settings_(Settings(options_)) {}

  Completion Complete(const std::vector<Message>& messages) override {
    return CompleteWithCompaction(
        messages, [&](const std::vector<Message>& history) { return CallOnce(history); });
  }

  std::string Name() const override { return "anthropic/" + name_; }

 private:
  static ApiCallSettings Settings(const ModelOptions& options) {
    ApiCallSettings settings = MakeApiCallSettings(options, "ANTHROPIC_API_KEY");
    if (options.stream) settings.answer_filter = AnthropicStreamToAnswer;
    return settings;
  }

  Completion CallOnce(const std::vector<Message>& messages) const {
    std::vector<std::string> headers = {"Content-Type: application/json",
                                        "anthropic-version: 2023-06-01"};
    if (!options_.api_key.empty())
      headers.push_back("x-api-key: " + options_.api_key);
    bool tools = options_.protocol == "tools";
    Completion completion = CallAndParse(
        url_, headers, BuildAnthropicRequest(name_, messages, options_),
        settings_, options_.api_key, [&](const std::string& body) {
          return ParseAnthropicResponse(body, messages, tools);
        });
    completion.streamed = options_.stream;
    return completion;
  }

  const std::string name_;
  const ModelOptions options_;
  const std::string url_;
  const ApiCallSettings settings_;
};

}  // namespace

std::string BuildAnthropicRequest(const std::string& model,
                                  const std::vector<Message>& messages,
                                  const ModelOptions& options) {
  bool tools = options.protocol == "tools";
  std::string system;
  json turns = json::array();
  for (const Message& message : tools ? WithToolsNote(messages) : messages) {
    if (message.role == "system") {
      if (!system.empty()) system += "\n\n";
      system += message.content;
      continue;
    }
    // The API has only user and assistant turns and requires them to
    // alternate; anything else the agent sends is the user speaking.
    std::string role = message.role == "assistant" ? "assistant" : "user";
    if (!turns.empty() && turns.back()["role"] == role) {
      turns.back()["content"] =
          turns.back()["content"].get<std::string>() + "\n\n" + message.content;
    } else {
      turns.push_back({{"role", role}, {"content", message.content}});
    }
  }
  json body = {{"model", model},
               {"max_tokens", options.max_tokens.value_or(kDefaultMaxTokens)},
               {"messages", turns}};
  if (!system.empty()) body["system"] = system;
  if (options.temperature) body["temperature"] = *options.temperature;
  if (options.top_p) body["top_p"] = *options.top_p;
  if (options.stream) body["stream"] = true;
  if (tools) {
    body["tools"] = json::parse(AnthropicToolsJson());
    body["tool_choice"] = {{"type", "auto"}};
  }
  return body.dump();
}

Completion ParseAnthropicResponse(const std::string& body,
                                  const std::vector<Message>& messages, bool tools) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) throw std::runtime_error("the body is not JSON");
  auto content = parsed.find("content");
  if (content == parsed.end() || !content->is_array())
    throw std::runtime_error("no content array");
  Completion completion;
  std::vector<WireToolCall> calls;
  for (const json& block : *content) {
    if (!block.is_object()) continue;
    if (block.value("type", "") == "tool_use") {
      // input is an object; a streamed one that did not parse stays a string.
      json input = block.value("input", json::object());
      calls.push_back({block.value("id", ""), block.value("name", ""),
                       input.is_string() ? input.get<std::string>() : input.dump()});
      continue;
    }
    if (block.value("type", "") != "text") continue;
    auto text = block.find("text");
    if (text != block.end() && text->is_string())
      completion.content += text->get<std::string>();
  }
  if (tools) {
    ToolTurn turn = ToolCallsToPaperText(completion.content, calls);
    completion.content = turn.text;
    completion.warnings = turn.warnings;
  }
  FillUsage(completion, parsed, messages, "input_tokens", "output_tokens");
  return completion;
}

std::unique_ptr<Model> MakeAnthropicModel(const std::string& name,
                                          const ModelOptions& options) {
  CheckProtocol(options.protocol);
  if (name.empty())
    throw InputError("--model anthropic/: missing the model name, e.g. "
                     "anthropic/claude-sonnet-4-5");
  CheckBaseUrl(options.base_url,
               options.base_url_env.empty() ? "--base-url" : options.base_url_env);
  bool hosted = ApiRoot("anthropic", options.base_url) == kAnthropicHostedRoot;
  if (hosted && options.api_key.empty())
    throw InputError("--model anthropic/" + name + ": no API key for " +
                     kAnthropicHostedRoot + "; set " +
                     KeyVariable(options, "ANTHROPIC_API_KEY"));
  return std::make_unique<AnthropicModel>(name, options);
}

}  // namespace redline
