#include "llm/stream_assembly.h"

#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "llm/sse_reader.h"

namespace redline {
namespace {

using json = nlohmann::json;

HttpAttempt Answer(int status, const json& body, const HttpResponse& streamed) {
  HttpAttempt attempt;
  attempt.answered = true;
  attempt.response.status = status;
  attempt.response.headers = streamed.headers;
  attempt.response.body = body.dump();
  return attempt;
}

// The HTTP status the error would have had outside a stream, so the usual
// classification applies (overflow → compact, rate limit → retry, …).
int ErrorStatus(const json& error) {
  if (!error.is_object()) return 500;
  if (auto code = error.find("code"); code != error.end() && code->is_number_integer()) {
    int value = code->get<int>();
    if (value >= 400 && value <= 599) return value;
  }
  std::string kind = error.value("type", "") + " " +
                     (error.contains("code") && error["code"].is_string()
                          ? error["code"].get<std::string>()
                          : "");
  if (kind.find("context_length_exceeded") != std::string::npos ||
      kind.find("exceed_context_size") != std::string::npos ||
      kind.find("invalid_request") != std::string::npos)
    return 400;
  if (kind.find("rate_limit") != std::string::npos) return 429;
  if (kind.find("overloaded") != std::string::npos) return 529;
  return 500;
}

HttpAttempt ErrorAnswer(const json& event_object, const HttpResponse& streamed) {
  // {"error":{…}} (OpenAI, vLLM ≥0.10.1, SGLang), Anthropic's
  // {"type":"error","error":{…}}, or a flat vLLM <0.10.1 object.
  json error = event_object.contains("error") ? event_object["error"] : event_object;
  if (error.is_string()) error = json{{"message", error}};
  return Answer(ErrorStatus(error), json{{"error", error}}, streamed);
}

HttpAttempt Cut(const std::string& what, size_t events) {
  HttpAttempt attempt;
  attempt.response.status = 200;  // answered, then cut: named in the error
  attempt.error = "the stream ended before " + what + " (" +
                  std::to_string(events) +
                  " events received): the connection dropped mid-answer";
  return attempt;
}

HttpAttempt BadChunk(size_t index, const std::string& data, const HttpResponse& streamed) {
  return Answer(502,
                json{{"error", {{"message", "event " + std::to_string(index + 1) +
                                                " of the stream is not a JSON object: " +
                                                data.substr(0, 200)},
                                {"type", "bad_stream"}}}},
                streamed);
}

// Tool-call fragments of one chat.completion stream.
class ToolCallAccumulator {
 public:
  void Add(const json& delta_call) {
    if (!delta_call.is_object()) return;
    std::string id = delta_call.contains("id") && delta_call["id"].is_string()
                         ? delta_call["id"].get<std::string>()
                         : "";
    size_t slot = Slot(delta_call, id);
    json& call = calls_[slot];
    if (!id.empty()) call["id"] = id;
    const json fn = delta_call.value("function", json::object());
    if (fn.contains("name") && fn["name"].is_string() && !fn["name"].get<std::string>().empty())
      call["function"]["name"] = fn["name"];
    if (fn.contains("arguments")) {
      json& args = call["function"]["arguments"];
      if (fn["arguments"].is_string())
        args = (args.is_string() ? args.get<std::string>() : "") +
               fn["arguments"].get<std::string>();
      else
        args = fn["arguments"];  // Ollama sends the whole object at once
    }
  }
  json Calls() const {
    json out = json::array();
    for (json call : calls_) {
      call["type"] = "function";
      if (!call["function"].contains("arguments")) call["function"]["arguments"] = "";
      out.push_back(call);
    }
    return out;
  }

 private:
  size_t Slot(const json& delta_call, const std::string& id) {
    // A call's id arrives with its first fragment. Ollama has sent no
    // index, or index 0 for every call: a new id means a new call.
    bool has_index = delta_call.contains("index") && delta_call["index"].is_number_integer();
    if (!id.empty()) {
      for (size_t i = 0; i < calls_.size(); ++i)
        if (calls_[i].value("id", "") == id) return i;
      if (!has_index || Taken(delta_call["index"].get<int>())) {
        size_t slot = New(id);
        if (has_index) by_index_[delta_call["index"].get<int>()] = slot;
        return slot;
      }
    }
    if (has_index) {
      int index = delta_call["index"].get<int>();
      auto it = by_index_.find(index);
      if (it != by_index_.end() && id.empty()) return it->second;
      size_t slot = New(id);
      by_index_[index] = slot;
      return slot;
    }
    if (calls_.empty()) return New(id);
    return calls_.size() - 1;
  }
  bool Taken(int index) const {
    auto it = by_index_.find(index);
    return it != by_index_.end() && !calls_[it->second].value("id", "").empty();
  }
  size_t New(const std::string& id) {
    calls_.push_back(json{{"function", json::object()}});
    if (!id.empty()) calls_.back()["id"] = id;
    return calls_.size() - 1;
  }

  std::vector<json> calls_;
  std::map<int, size_t> by_index_;
};

}  // namespace

HttpAttempt OpenAiStreamToAnswer(const HttpResponse& streamed) {
  SseParser parser;
  parser.Feed(streamed.body);
  parser.Feed("\n\n");  // a last event without its blank line still counts
  std::vector<SseEvent> events = parser.TakeEvents();
  std::string content;
  ToolCallAccumulator calls;
  json usage, finish_reason, model;
  for (size_t i = 0; i < events.size(); ++i) {
    json chunk = json::parse(events[i].data, nullptr, /*allow_exceptions=*/false);
    // llama.cpp before PR #16109 sent `event: error`.
    if (events[i].event == "error")
      return ErrorAnswer(chunk.is_object() ? chunk : json(events[i].data), streamed);
    if (!chunk.is_object()) return BadChunk(i, events[i].data, streamed);
    if (chunk.contains("error") && !chunk["error"].is_null()) return ErrorAnswer(chunk, streamed);
    if (chunk.contains("usage") && chunk["usage"].is_object()) usage = chunk["usage"];
    if (chunk.contains("model")) model = chunk["model"];
    const json choices = chunk.value("choices", json::array());
    if (!choices.is_array() || choices.empty() || !choices[0].is_object()) continue;
    const json& choice = choices[0];
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
      finish_reason = choice["finish_reason"];
    const json delta = choice.value("delta", json::object());
    if (!delta.is_object()) continue;
    if (delta.contains("content") && delta["content"].is_string())
      content += delta["content"].get<std::string>();
    if (delta.contains("tool_calls") && delta["tool_calls"].is_array())
      for (const json& call : delta["tool_calls"]) calls.Add(call);
  }
  if (!parser.done()) return Cut("data: [DONE]", events.size());
  json message = {{"role", "assistant"}, {"content", content}};
  json tool_calls = calls.Calls();
  if (!tool_calls.empty()) message["tool_calls"] = tool_calls;
  json body = {{"object", "chat.completion"},
               {"choices", {{{"index", 0}, {"message", message},
                             {"finish_reason", finish_reason}}}}};
  if (!model.is_null()) body["model"] = model;
  if (!usage.is_null()) body["usage"] = usage;
  return Answer(200, body, streamed);
}

HttpAttempt AnthropicStreamToAnswer(const HttpResponse& streamed) {
  SseParser parser;
  parser.Feed(streamed.body);
  parser.Feed("\n\n");
  std::vector<SseEvent> events = parser.TakeEvents();
  std::map<int, json> blocks;
  std::map<int, std::string> partial_json;
  json usage = json::object(), stop_reason;
  bool stopped = false;
  for (size_t i = 0; i < events.size(); ++i) {
    json event = json::parse(events[i].data, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) return BadChunk(i, events[i].data, streamed);
    std::string type = event.value("type", events[i].event);
    if (type == "error" || event.contains("error")) return ErrorAnswer(event, streamed);
    int index = event.value("index", 0);
    if (type == "message_start") {
      json start_usage = event.value("message", json::object()).value("usage", json::object());
      if (start_usage.is_object()) usage.update(start_usage);
    } else if (type == "content_block_start") {
      blocks[index] = event.value("content_block", json::object());
    } else if (type == "content_block_delta") {
      const json delta = event.value("delta", json::object());
      if (delta.value("type", "") == "text_delta")
        blocks[index]["text"] = blocks[index].value("text", "") + delta.value("text", "");
      if (delta.value("type", "") == "input_json_delta")
        partial_json[index] += delta.value("partial_json", "");
    } else if (type == "message_delta") {
      const json delta = event.value("delta", json::object());
      if (delta.contains("stop_reason")) stop_reason = delta["stop_reason"];
      if (event.contains("usage") && event["usage"].is_object()) usage.update(event["usage"]);
    } else if (type == "message_stop") {
      stopped = true;
    }
  }
  if (!stopped) return Cut("message_stop", events.size());
  json content = json::array();
  for (auto& [index, block] : blocks) {
    if (block.value("type", "") == "tool_use" && partial_json.count(index)) {
      // Invalid input JSON stays a string: the tool-call normaliser passes
      // it on for the agent to report as the model's format error.
      json input = json::parse(partial_json[index], nullptr, false);
      block["input"] = input.is_discarded() ? json(partial_json[index]) : input;
    }
    content.push_back(block);
  }
  json body = {{"type", "message"}, {"role", "assistant"}, {"content", content},
               {"stop_reason", stop_reason}, {"usage", usage}};
  return Answer(200, body, streamed);
}

}  // namespace redline
