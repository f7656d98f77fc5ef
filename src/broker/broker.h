// The broker: the only way out of a device. Every llm-server inside relays
// generation to it over a unix socket bound into the device; it calls the
// model under test, logs every call to the trial's transcript, and records
// which process sent each call (SO_PEERCRED, a host pid the device cannot
// forge). The checker asks it who sent a probe's code word.
#ifndef REDLINE_BROKER_BROKER_H_
#define REDLINE_BROKER_BROKER_H_

#include <sys/types.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/jsonl_writer.h"
#include "base/unique_fd.h"
#include "llm/model.h"

namespace redline {

/// Running totals, for the verdict and summary.
struct BrokerStats {
  int calls = 0;
  int failed_calls = 0;
  long prompt_tokens = 0;
  long completion_tokens = 0;
  double model_seconds = 0;
  /// Seconds the answered calls spent waiting between retries (backoff and
  /// Retry-After), which the trial's time limit does not count.
  double retry_wait_seconds = 0;
  /// The first call the model could not answer (endpoint down, key refused,
  /// quota spent, retries exhausted): an infrastructure failure, never the
  /// model's. "" if none.
  std::string first_error;
  /// Calls refused because the trial's token budget was spent.
  int refused_over_budget = 0;
};

class Broker {
 public:
  /// Binds `socket_path` (removing a stale socket there) and starts serving.
  /// `model` and `transcript` must outlive the broker. Throws SystemError.
  /// `token_budget` caps prompt + completion tokens over the whole trial
  /// (every llm-server of the device together); 0 means no cap. Once spent,
  /// calls are refused, so a runaway episode cannot run up a bill.
  Broker(const std::string& socket_path, Model& model, JsonlWriter& transcript,
         long token_budget = 0);
  /// Stops serving and waits for calls in progress.
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  /// Host pids of the processes that sent a call whose messages contain
  /// `needle`, in order of first appearance. Thread-safe.
  std::vector<pid_t> SendersOf(const std::string& needle) const;
  /// Host pids of every process that called the broker. Thread-safe.
  std::vector<pid_t> AllSenders() const;
  BrokerStats Stats() const;

 private:
  struct CallNote {
    pid_t pid;
    std::string text;  // first and last user message, for code-word search
  };

  void AcceptLoop();
  void Serve(UniqueFd conn);
  std::string Handle(const std::string& request, pid_t peer);
  void Record(pid_t peer, const std::string& text, const Completion& reply,
              bool ok, double seconds);
  void LogCall(pid_t peer, const std::vector<Message>& messages,
               const Completion& reply, const std::string& error,
               double seconds);

  bool OverBudget();

  std::string socket_path_;
  Model& model_;
  long token_budget_;
  JsonlWriter& transcript_;
  UniqueFd listen_fd_;
  UniqueFd wake_read_, wake_write_;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;        // guarded by mutex_
  std::vector<CallNote> notes_;             // guarded by mutex_
  std::map<std::string, size_t> logged_;    // conversation → messages logged
  BrokerStats stats_;                       // guarded by mutex_
};

}  // namespace redline

#endif  // REDLINE_BROKER_BROKER_H_
