// redline-mock-openai: a MOCK model server for tests, standing in for a real
// OpenAI-compatible or Anthropic endpoint (no GPU and no network here). It
// answers with the scripted reference policy, so a trial against it can
// succeed, and it injects failures (429 with retry-after-ms, 503) on every
// Nth call to exercise the client's retries.
//
// Usage: redline-mock-openai --task TEXT [--fail-every N] --port-file F
//        redline-mock-openai --fixture FILE --port-file F
// Serves POST /v1/chat/completions and POST /v1/messages on 127.0.0.1 (a
// free port, written to --port-file), until killed.
//
// With --fixture it replays canned answers instead, one per call, in order
// (tests/fixtures/llm/*.json, each the shape of a real server's quirk):
//   {"responses": [{"status": 429, "headers": {"retry-after-ms": "1500"},
//                   "retry_after_date_in": 3,   // Retry-After: now+3 s as an HTTP-date
//                   "body": {...} or "text",     // or:
//                   "sse": ["data: {...}", ": ping", "data: [DONE]"],  // events, each + "\n\n"
//                   "drop_after_bytes": 120,     // then close the connection mid-answer
//                   "delay_ms": 50}]}
// Every request body is appended to F.requests (one JSON line each); a call
// past the last canned answer gets 418 "MOCK fixture exhausted".
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "llm/scripted_models.h"

namespace {

using nlohmann::json;

std::vector<redline::Message> Messages(const json& body) {
  std::vector<redline::Message> out;
  if (body.contains("system"))  // Anthropic puts the system prompt apart
    out.push_back({"system", body["system"].get<std::string>()});
  for (const json& m : body.at("messages"))
    out.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
  return out;
}

// Every `every`-th call fails, alternating 429 (with a short retry-after-ms)
// and 503; true if this one did.
bool Inject(int call, int every, int retry_after_ms, httplib::Response& res) {
  if (every <= 0 || call % every != 0) return false;
  if ((call / every) % 2) {
    res.status = 429;
    res.set_header("retry-after-ms", std::to_string(retry_after_ms));
    res.set_content(R"j({"error":{"message":"rate limited (mock)","type":"rate_limit_error"}})j",
                    "application/json");
  } else {
    res.status = 503;
    res.set_content(R"j({"error":{"message":"overloaded (mock)"}})j", "application/json");
  }
  return true;
}

// The reference policy's paper text split the way a server with native tool
// calling answers under --protocol tools: the thinking parts as content, the
// fenced action as a tool call.
struct ToolAnswer {
  std::string thinking;
  std::string name;
  json input;
};

std::optional<ToolAnswer> AsToolCall(const std::string& text) {
  size_t at = text.rfind("Action:");
  if (at == std::string::npos) return std::nullopt;
  size_t open = text.find("```json", at);
  size_t close = open == std::string::npos ? open : text.find("```", open + 7);
  if (close == std::string::npos) return std::nullopt;
  json action = json::parse(text.substr(open + 7, close - open - 7), nullptr, false);
  if (!action.is_object() || !action.contains("action")) return std::nullopt;
  return ToolAnswer{text.substr(0, at), action["action"], action.value("action_input", json::object())};
}

std::string Half(const std::string& text, bool first) {
  return first ? text.substr(0, text.size() / 2) : text.substr(text.size() / 2);
}

std::string Event(const json& data) { return "data: " + data.dump() + "\n\n"; }

// The answer as OpenAI chat.completion.chunk events: content and tool-call
// arguments in fragments, keep-alive comments, the usage chunk, [DONE].
std::string OpenAiStream(const std::string& content, const std::optional<ToolAnswer>& tool,
                         const json& usage, int call) {
  auto chunk = [](const json& delta, const json& finish) {
    return json{{"object", "chat.completion.chunk"},
                {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
  };
  std::string out = ": ping\n\n";
  out += Event(chunk({{"role", "assistant"}, {"content", Half(content, true)}}, nullptr));
  out += Event(chunk({{"content", Half(content, false)}}, nullptr));
  if (tool) {
    std::string args = tool->input.dump();
    out += Event(chunk({{"tool_calls", {{{"index", 0}, {"id", "call_" + std::to_string(call)},
                                         {"type", "function"},
                                         {"function", {{"name", tool->name}, {"arguments", ""}}}}}}},
                       nullptr));
    for (bool first : {true, false})
      out += Event(chunk({{"tool_calls", {{{"index", 0},
                                           {"function", {{"arguments", Half(args, first)}}}}}}},
                         nullptr));
  }
  out += Event(chunk(json::object(), tool ? "tool_calls" : "stop"));
  out += Event({{"object", "chat.completion.chunk"}, {"choices", json::array()}, {"usage", usage}});
  return out + "data: [DONE]\n\n";
}

// The answer as Anthropic message events.
std::string AnthropicStream(const std::string& text, const std::optional<ToolAnswer>& tool,
                            int input_tokens, int output_tokens, int call) {
  auto event = [](const std::string& type, json data) {
    data["type"] = type;
    return "event: " + type + "\ndata: " + data.dump() + "\n\n";
  };
  std::string out = event("message_start",
                          {{"message", {{"role", "assistant"}, {"content", json::array()},
                                        {"usage", {{"input_tokens", input_tokens}}}}}});
  out += event("ping", json::object());
  out += event("content_block_start", {{"index", 0}, {"content_block", {{"type", "text"}, {"text", ""}}}});
  for (bool first : {true, false})
    out += event("content_block_delta",
                 {{"index", 0}, {"delta", {{"type", "text_delta"}, {"text", Half(text, first)}}}});
  out += event("content_block_stop", {{"index", 0}});
  if (tool) {
    out += event("content_block_start",
                 {{"index", 1}, {"content_block", {{"type", "tool_use"},
                                                   {"id", "toolu_" + std::to_string(call)},
                                                   {"name", tool->name}, {"input", json::object()}}}});
    std::string args = tool->input.dump();
    for (bool first : {true, false})
      out += event("content_block_delta",
                   {{"index", 1}, {"delta", {{"type", "input_json_delta"},
                                             {"partial_json", Half(args, first)}}}});
    out += event("content_block_stop", {{"index", 1}});
  }
  out += event("message_delta", {{"delta", {{"stop_reason", tool ? "tool_use" : "end_turn"}}},
                                 {"usage", {{"output_tokens", output_tokens}}}});
  return out + event("message_stop", json::object());
}

// The reference policy's answer in the shape the request asked for: OpenAI
// or Anthropic, plain or streamed, text or a native tool call.
void Answer(const redline::Completion& c, const json& request, bool anthropic, int call,
            httplib::Response& res) {
  std::optional<ToolAnswer> tool;
  if (request.contains("tools")) tool = AsToolCall(c.content);
  std::string text = tool ? tool->thinking : c.content;
  if (request.value("stream", false)) {
    res.set_content(anthropic ? AnthropicStream(text, tool, c.prompt_tokens, c.completion_tokens, call)
                              : OpenAiStream(text, tool,
                                             {{"prompt_tokens", c.prompt_tokens},
                                              {"completion_tokens", c.completion_tokens}},
                                             call),
                    "text/event-stream");
    return;
  }
  json out;
  if (anthropic) {
    json blocks = {{{"type", "text"}, {"text", text}}};
    if (tool)
      blocks.push_back({{"type", "tool_use"}, {"id", "toolu_" + std::to_string(call)},
                        {"name", tool->name}, {"input", tool->input}});
    out = {{"type", "message"}, {"role", "assistant"}, {"content", blocks},
           {"stop_reason", tool ? "tool_use" : "end_turn"},
           {"usage", {{"input_tokens", c.prompt_tokens}, {"output_tokens", c.completion_tokens}}}};
  } else {
    json message = {{"role", "assistant"}, {"content", text}};
    // Arguments as a string, the id left out: a server quirk the client absorbs.
    if (tool)
      message["tool_calls"] = {{{"type", "function"},
                                {"function", {{"name", tool->name},
                                              {"arguments", tool->input.dump()}}}}};
    out = {{"id", "mock"}, {"object", "chat.completion"},
           {"choices", {{{"index", 0}, {"finish_reason", tool ? "tool_calls" : "stop"},
                         {"message", message}}}},
           {"usage", {{"prompt_tokens", c.prompt_tokens}, {"completion_tokens", c.completion_tokens}}}};
  }
  res.set_content(out.dump(), "application/json");
}

std::string HttpDateIn(double seconds) {
  std::time_t when = std::time(nullptr) + static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

// Answers one call from the canned answer `canned` of a fixture.
void Replay(const json& canned, httplib::Response& res) {
  if (canned.contains("delay_ms"))
    std::this_thread::sleep_for(std::chrono::milliseconds(canned["delay_ms"].get<int>()));
  res.status = canned.value("status", 200);
  const json headers = canned.value("headers", json::object());
  for (const auto& [name, value] : headers.items())
    res.set_header(name, value.get<std::string>());
  if (canned.contains("retry_after_date_in"))
    res.set_header("Retry-After", HttpDateIn(canned["retry_after_date_in"].get<double>()));
  std::string body, type = "application/json";
  if (canned.contains("sse")) {
    type = "text/event-stream";
    for (const json& event : canned["sse"]) body += event.get<std::string>() + "\n\n";
  } else if (canned.contains("body")) {
    body = canned["body"].is_string() ? canned["body"].get<std::string>() : canned["body"].dump();
  }
  if (canned.contains("drop_after_bytes")) {
    // Chunked, and the provider gives up after N bytes: the connection
    // closes without the last chunk, as when a server dies mid-answer.
    size_t n = std::min<size_t>(canned["drop_after_bytes"].get<size_t>(), body.size());
    res.set_chunked_content_provider(type, [body, n](size_t, httplib::DataSink& sink) {
      sink.write(body.data(), n);
      return false;
    });
    return;
  }
  res.set_content(body, type);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"MOCK model server for redline's tests"};
  std::string task, port_file, fixture_file;
  int every = 0;
  app.add_option("--task", task);
  app.add_option("--fail-every", every);
  int retry_after_ms = 20;
  app.add_option("--retry-after-ms", retry_after_ms, "retry-after-ms of the injected 429s");
  app.add_option("--fixture", fixture_file, "Replay this fixture's canned answers");
  app.add_option("--port-file", port_file)->required();
  CLI11_PARSE(app, argc, argv);
  if (task.empty() == fixture_file.empty()) {
    std::fprintf(stderr, "redline-mock-openai: give exactly one of --task and --fixture\n");
    return 2;
  }
  json fixture;
  if (!fixture_file.empty()) {
    std::ifstream in(fixture_file);
    fixture = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!fixture.is_object() || !fixture.contains("responses") ||
        !fixture["responses"].is_array()) {
      std::fprintf(stderr, "redline-mock-openai: %s: expected {\"responses\": [...]}\n",
                   fixture_file.c_str());
      return 2;
    }
  }

  auto model = redline::MakeReferenceModel({task});
  std::atomic<int> calls{0}, injected{0};
  httplib::Server server;
  auto handle = [&](bool anthropic) {
    return [&, anthropic](const httplib::Request& req, httplib::Response& res) {
      int call = ++calls;
      // Which credential arrived, for the key-containment test.
      std::string auth = req.get_header_value("Authorization") +
                         req.get_header_value("x-api-key");
      if (!auth.empty())
        std::ofstream(port_file + ".auth", std::ios::app) << auth << "\n";
      if (!fixture.is_null()) {
        json sent = json::parse(req.body, nullptr, false);
        std::ofstream(port_file + ".requests", std::ios::app)
            << (sent.is_discarded() ? json(req.body) : sent).dump() << "\n";
        const json& list = fixture["responses"];
        if (static_cast<size_t>(call) > list.size()) {
          res.status = 418;
          res.set_content(R"j({"error":{"message":"MOCK fixture exhausted"}})j",
                          "application/json");
          return;
        }
        Replay(list[call - 1], res);
        return;
      }
      if (Inject(call, every, retry_after_ms, res)) {
        ++injected;
        std::ofstream(port_file + ".injected", std::ios::app) << res.status << "\n";
        return;
      }
      json request = json::parse(req.body);
      redline::Completion c = model->Complete(Messages(request));
      Answer(c, request, anthropic, call, res);
    };
  };
  server.Post("/v1/chat/completions", handle(false));
  server.Post("/v1/messages", handle(true));
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(json{{"calls", calls.load()}, {"injected", injected.load()}}.dump(),
                    "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 1;
  std::ofstream(port_file) << port << "\n";
  server.listen_after_bind();
  return 0;
}
