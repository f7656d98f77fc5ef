#include "fault_endpoint.h"

#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"

namespace redline::testing {

struct FaultEndpoint::Impl {
  Fault fault;
  double delay;
  httplib::Server server;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> calls{0};
  std::thread thread;

  // Sleeps up to `seconds`, returning early once the endpoint stops.
  void Wait(double seconds) {
    double end = MonotonicSeconds() + seconds;
    while (!stopping && MonotonicSeconds() < end) SleepSeconds(0.02);
  }

  void Handle(const httplib::Request&, httplib::Response& res) {
    ++calls;
    switch (fault) {
      case Fault::kHang:
        Wait(3600);
        res.status = 503;
        return;
      case Fault::kError500:
        res.status = 500;
        res.set_content(R"({"error":{"message":"MOCK internal error","type":"server_error"}})",
                        "application/json");
        return;
      case Fault::kSlowFinish: {
        Wait(delay);
        std::string text =
            "Explain: done.\n\nGaps: None.\n\nFindings: None.\n\nPlan:\n1) Finish.\n\n"
            "Action:\n```json\n{\"action\": \"finish\", \"action_input\": "
            "{\"message\": \"Finished.\"}}\n```\n";
        nlohmann::json body = {
            {"id", "mock"}, {"object", "chat.completion"}, {"model", "m"},
            {"choices", {{{"index", 0}, {"finish_reason", "stop"},
                          {"message", {{"role", "assistant"}, {"content", text}}}}}},
            {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 10}, {"total_tokens", 20}}}};
        res.set_content(body.dump(), "application/json");
        return;
      }
    }
  }
};

FaultEndpoint::FaultEndpoint(Fault fault, double delay_seconds)
    : impl_(std::make_unique<Impl>()) {
  impl_->fault = fault;
  impl_->delay = delay_seconds;
  impl_->server.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->Handle(req, res);
  });
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // Bound already: connections queue until listen_after_bind accepts them.
}

FaultEndpoint::~FaultEndpoint() {
  impl_->stopping = true;
  impl_->server.stop();
  impl_->thread.join();
}

std::string FaultEndpoint::BaseUrl() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1";
}

int FaultEndpoint::Calls() const { return impl_->calls; }

}  // namespace redline::testing
