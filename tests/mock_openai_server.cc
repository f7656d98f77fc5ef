// redline-mock-openai: a MOCK model server for tests, standing in for a real
// OpenAI-compatible or Anthropic endpoint (no GPU and no network here). It
// answers with the scripted reference policy, so a trial against it can
// succeed, and it injects failures (429 with retry-after-ms, 503) on every
// Nth call to exercise the client's retries.
//
// Usage: redline-mock-openai --task TEXT [--fail-every N] [--port-file F]
// Serves POST /v1/chat/completions and POST /v1/messages on 127.0.0.1 (a
// free port, written to --port-file), until killed.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>

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
bool Inject(int call, int every, httplib::Response& res) {
  if (every <= 0 || call % every != 0) return false;
  if ((call / every) % 2) {
    res.status = 429;
    res.set_header("retry-after-ms", "20");
    res.set_content(R"j({"error":{"message":"rate limited (mock)","type":"rate_limit_error"}})j",
                    "application/json");
  } else {
    res.status = 503;
    res.set_content(R"j({"error":{"message":"overloaded (mock)"}})j", "application/json");
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"MOCK model server for redline's tests"};
  std::string task, port_file;
  int every = 0;
  app.add_option("--task", task)->required();
  app.add_option("--fail-every", every);
  app.add_option("--port-file", port_file)->required();
  CLI11_PARSE(app, argc, argv);

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
      if (Inject(call, every, res)) {
        ++injected;
        std::ofstream(port_file + ".injected", std::ios::app) << res.status << "\n";
        return;
      }
      redline::Completion c = model->Complete(Messages(json::parse(req.body)));
      json out = anthropic
          ? json{{"type", "message"}, {"role", "assistant"},
                 {"content", {{{"type", "text"}, {"text", c.content}}}},
                 {"stop_reason", "end_turn"},
                 {"usage", {{"input_tokens", c.prompt_tokens},
                            {"output_tokens", c.completion_tokens}}}}
          : json{{"id", "mock"}, {"object", "chat.completion"},
                 {"choices", {{{"index", 0}, {"finish_reason", "stop"},
                               {"message", {{"role", "assistant"}, {"content", c.content}}}}}},
                 {"usage", {{"prompt_tokens", c.prompt_tokens},
                            {"completion_tokens", c.completion_tokens}}}};
      res.set_content(out.dump(), "application/json");
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
