#include "system/llm_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "base/clock.h"
#include "base/error.h"
#include "base/random.h"
#include "system/broker_relay.h"
#include "system/openai_wire.h"
#include "system/weights.h"

namespace redline {
namespace {

constexpr char kJson[] = "application/json";
constexpr double kAttestTimeoutSeconds = 60;
constexpr size_t kRequestsPerConnection = 100;

// When the current request started, for the per-request log line. httplib
// runs each request on one worker thread from routing to logging.
thread_local double request_started = 0;

void ReplyError(httplib::Response& res, int status, const char* type,
                const std::string& message) {
  res.status = status;
  res.set_content(RenderApiError(status, type, message), kJson);
}

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

LlmServer::LlmServer(LlmServerOptions options)
    : options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()) {}

LlmServer::~LlmServer() = default;

void LlmServer::Say(const std::string& line) {
  // One fwrite per line: stdio locks per call, so lines printed by other
  // threads (the signal thread uses printf) never land inside this one.
  std::string text = line + "\n";
  std::lock_guard<std::mutex> lock(say_mutex_);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int LlmServer::Finish(int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  finished_ = true;
  changed_.notify_all();
  return status;
}

bool LlmServer::SleepUntil(double until) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stop_requested_) return false;
    double left = until - MonotonicSeconds();
    if (left <= 0) return true;
    changed_.wait_for(lock, std::chrono::duration<double>(left));
  }
}

int LlmServer::LoadWeights() {
  WeightsManifest manifest;
  try {
    manifest = ReadWeightsManifest(options_.weights_dir);
  } catch (const InputError& e) {
    Say(std::string("error: ") + e.what());
    return 1;
  }
  model_name_ = options_.model_name.empty() ? manifest.config.model_name
                                            : options_.model_name;
  int count = static_cast<int>(manifest.shards.size());
  Say("Loading model " + model_name_ + " from " + options_.weights_dir + " (" +
      std::to_string(count) + " shards, " +
      Format("%.1f MiB)",
             static_cast<double>(manifest.TotalBytes()) / (1 << 20)));
  // Shard k is announced at start + k * shard_load_seconds (or when its check
  // ends, if hashing is slower), so the whole load takes N times the
  // per-shard time however fast the disk is, like a real server's.
  double start = MonotonicSeconds();
  for (int k = 1; k <= count; ++k) {
    const ShardEntry& shard = manifest.shards[k - 1];
    ShardCheck check = VerifyShard(options_.weights_dir, shard);
    if (!check.ok()) {
      Say("error: " + DescribeShardCheck(shard, check));
      return 1;
    }
    if (!SleepUntil(start + k * manifest.config.shard_load_seconds)) return 0;
    Say("Loading checkpoint shards: " + std::to_string(k) + "/" +
        std::to_string(count) + Format(" [%.1fs]", MonotonicSeconds() - start));
  }
  try {
    weights_.Map(options_.weights_dir, manifest);
  } catch (const SystemError& e) {
    Say(std::string("error: cannot map the weights: ") + e.what());
    return 1;
  }
  return -1;
}

void LlmServer::InstallRoutes() {
  http_->Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", kJson);
  });
  http_->Get("/v1/models",
             [this](const httplib::Request&, httplib::Response& res) {
               res.set_content(RenderModelList(model_name_, created_), kJson);
             });
  http_->Post("/v1/chat/completions", [this](const httplib::Request& req,
                                             httplib::Response& res) {
    ChatRequest request;
    try {
      request = ParseChatRequest(req.body);
    } catch (const InputError& e) {
      ReplyError(res, 400, "invalid_request_error", e.what());
      return;
    }
    RelayResult relayed = RelayChat(options_.broker_socket, request, req.body,
                                    options_.broker_timeout_seconds);
    if (relayed.status == RelayResult::Status::kUnavailable) {
      ReplyError(res, 503, "unavailable_error", relayed.error);
      return;
    }
    if (relayed.status == RelayResult::Status::kRejected) {
      ReplyError(res, 502, "upstream_error", relayed.error);
      return;
    }
    ChatCompletion completion{"chatcmpl-" + RandomToken(24),
                              static_cast<int64_t>(WallSeconds()),
                              model_name_,
                              std::move(relayed.content),
                              relayed.prompt_tokens,
                              relayed.completion_tokens};
    if (!request.stream) {
      res.set_content(RenderChatCompletion(completion), kJson);
      return;
    }
    // The broker returns whole completions, so the stream is short; it is
    // still sent chunk by chunk, as streaming clients expect.
    auto events = std::make_shared<std::vector<std::string>>(
        RenderChatCompletionEvents(completion));
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream", [events](size_t, httplib::DataSink& sink) {
          for (const std::string& event : *events)
            if (!sink.write(event.data(), event.size())) return false;
          sink.done();
          return true;
        });
  });

  // httplib calls this for every response of 400 or more, including the ones
  // set above; only fill in those it made itself (404, 405, …).
  http_->set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        std::string message = res.status == 404   ? "no route for " + req.path
                              : res.status == 405 ? "method not allowed"
                                                  : "bad request";
        res.set_content(
            RenderApiError(res.status, "invalid_request_error", message),
            kJson);
        return httplib::Server::HandlerResponse::Handled;
      }));
  // Once stopping, a request that arrives on a kept-alive connection gets
  // 503 and the connection is closed, as a real server shutting down does;
  // serving it would let a "killed" server answer for seconds more.
  http_->set_pre_routing_handler(
      [this](const httplib::Request&, httplib::Response& res) {
        request_started = MonotonicSeconds();
        if (!stopping_) return httplib::Server::HandlerResponse::Unhandled;
        res.status = 503;
        res.set_header("Connection", "close");
        res.set_content(RenderApiError(503, "unavailable_error",
                                       "the server is shutting down"),
                        kJson);
        return httplib::Server::HandlerResponse::Handled;
      });
  http_->set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) {
        double took =
            request_started > 0 ? MonotonicSeconds() - request_started : 0;
        request_started = 0;
        Say("[llm-server] " + req.method + " " + req.path + " " +
            std::to_string(res.status) + Format(" %.1fs", took));
      });
}

// The backend serves only a server that holds the weights, so a server that
// cannot show it would only fail every request: it stops at start-up, as a
// real server stops when it cannot reach its GPU.
int LlmServer::Attest() {
  std::string refusal = AttestToBroker(options_.broker_socket, model_name_, weights_,
                                       kAttestTimeoutSeconds);
  if (refusal.empty()) return -1;
  Say("error: the model backend did not accept this server: " + refusal);
  return 1;
}

int LlmServer::Run() {
  int status = LoadWeights();
  if (status < 0) status = Attest();
  if (status >= 0) return Finish(status);
  created_ = static_cast<int64_t>(WallSeconds());
  InstallRoutes();
  int threads = options_.worker_threads;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  // httplib's default sets SO_REUSEPORT, which lets a second server bind a
  // port already in use and silently share it. Real servers (uvicorn, vLLM,
  // llama-server) fail with "Address already in use", and a port conflict is
  // part of the world the model must handle, so only SO_REUSEADDR here.
  http_->set_tcp_nodelay(true);  // small answers must not wait for delayed ACKs
  // httplib closes a kept-alive connection after 5 requests by default,
  // which costs every fifth agent step a TCP handshake and a new worker.
  // Still finite: httplib gives each connection a worker thread of its own,
  // so a client that keeps several connections busy would otherwise hold
  // every worker and starve the checker's /health probe (uvicorn or vLLM,
  // serving connections asynchronously, have no such limit to reach).
  http_->set_keep_alive_max_count(kRequestsPerConnection);
  http_->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  errno = 0;
  if (!http_->bind_to_port(options_.host, options_.port)) {
    int err = errno;
    Say("error: cannot listen on port " + std::to_string(options_.port) + ": " +
        (err != 0 ? std::strerror(err) : "cannot use host " + options_.host));
    return Finish(1);
  }
  Say("LLM server ready on port " + std::to_string(options_.port) + " (model " +
      model_name_ + ")");
  bool stop_now = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_now = stop_requested_;
  }
  // Finish() takes mutex_ itself: a stop that came while the ready line was
  // printed must not find it held here.
  if (stop_now) return Finish(0);
  http_->listen_after_bind();
  return Finish(0);
}

bool LlmServer::Stop(double grace_seconds) {
  double deadline = MonotonicSeconds() + grace_seconds;
  std::unique_lock<std::mutex> lock(mutex_);
  stop_requested_ = true;
  stopping_ = true;
  changed_.notify_all();
  // Run() may be just about to enter httplib's accept loop, where stop() is
  // a no-op until it is running; so poll, and stop it once it is.
  bool stop_sent = false;
  while (!finished_) {
    if (!stop_sent && http_->is_running()) {
      http_->stop();
      stop_sent = true;
    }
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    changed_.wait_for(lock,
                      std::chrono::duration<double>(std::min(left, 0.02)));
  }
  return true;
}

}  // namespace redline
