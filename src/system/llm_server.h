// The relay llm-server: an OpenAI-compatible HTTP server that behaves like a
// local inference server (it verifies and "loads" its weight shards, taking a
// real server's time, before it listens) and relays every generation to the
// model broker outside the device.
//
// HTTP: GET /health, GET /v1/models, POST /v1/chat/completions (plain or
// "stream":true as server-sent events). Errors use OpenAI's shape:
// 400 invalid_request_error, 502 upstream_error (the broker refused),
// 503 unavailable_error (the broker cannot be reached).
#ifndef REDLINE_SYSTEM_LLM_SERVER_H_
#define REDLINE_SYSTEM_LLM_SERVER_H_

#include <condition_variable>
#include <cstdint>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "system/mapped_weights.h"
#include "system/system_template.h"

namespace httplib {
class Server;
}

namespace redline {

struct LlmServerOptions {
  std::string host = "0.0.0.0";
  int port = kDefaultLlmPort;
  /// local_model_weights/: config.json, shards, index.
  std::string weights_dir;
  std::string broker_socket;
  /// Name reported in /v1/models and completions; empty: config.json's.
  std::string model_name;
  /// Bound on one relayed generation.
  double broker_timeout_seconds = 900;
  /// Worker threads; each completion holds one for its whole generation.
  int worker_threads = 8;
};

/// One server, run once. Everything it says goes to stdout, one flushed line
/// at a time (start-up progress, "error: …", one line per request).
class LlmServer {
 public:
  explicit LlmServer(LlmServerOptions options);
  ~LlmServer();
  LlmServer(const LlmServer&) = delete;
  LlmServer& operator=(const LlmServer&) = delete;

  /// Checks and loads the weights (one progress line per shard, at
  /// `shard_load_seconds` a shard), binds, prints the ready line and serves
  /// until Stop(). Returns the process exit status: 0 after Stop() (also
  /// when stopped while loading), 1 after printing "error: …" for unusable
  /// weights or a port that cannot be bound.
  int Run();

  /// Makes Run() return, from any thread, at any stage (also before Run()).
  /// Waits up to `grace_seconds` for it to finish, which includes requests
  /// in flight; returns false if it did not.
  bool Stop(double grace_seconds);

 private:
  /// Prints one line to stdout and flushes it; thread-safe.
  void Say(const std::string& line);
  /// Loads the weights as described at Run(); returns 0 to go on, else the
  /// exit status.
  int LoadWeights();
  /// Shows the broker it holds the weights; 0 to go on, else the exit status.
  int Attest();
  /// Sleeps until the monotonic time `until`; false if Stop() came first.
  bool SleepUntil(double until);
  void InstallRoutes();
  /// Marks Run() finished and returns `status`.
  int Finish(int status);

  LlmServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  /// Set once the weights are read; constant afterwards.
  std::string model_name_;
  /// The shards, mapped while the server runs (set once, before serving).
  MappedWeights weights_;
  int64_t created_ = 0;

  std::mutex say_mutex_;
  /// Guards the two flags; `changed_` signals either.
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_requested_ = false;
  /// stop_requested_ for the HTTP threads, which must not take mutex_.
  std::atomic<bool> stopping_{false};
  bool finished_ = false;
};

}  // namespace redline

#endif  // REDLINE_SYSTEM_LLM_SERVER_H_
