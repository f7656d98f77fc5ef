// The broker: the only way out of a device. Every llm-server inside relays
// generation to it over a unix socket bound into the device; it calls the
// model under test, logs every call to the trial's transcript, and records
// which process sent each call (SO_PEERCRED, a host pid the device cannot
// forge). The checker asks it who sent a probe's code word.
#ifndef REDLINE_BROKER_BROKER_H_
#define REDLINE_BROKER_BROKER_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <atomic>

#include "base/jsonl_writer.h"
#include "broker/admission.h"
#include "base/unique_fd.h"
#include "broker/bounded_server.h"
#include "broker/capped_transcript.h"
#include "broker/connection_limits.h"
#include "broker/line_io.h"
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

  // What the device's use of the socket met of BrokerLimits.
  /// Connections over max_connections, answered with a refusal and closed.
  int refused_connections = 0;
  /// Request lines over max_request_bytes, or that found the memory for
  /// requests in flight in use.
  int refused_too_large = 0;
  int refused_busy = 0;
  /// Connections dropped before a whole line: too slow, silent, too late.
  int dropped_slow = 0;
  /// Valid requests over the rate limit.
  int refused_rate_limited = 0;
  /// Bytes of request lines read into memory, complete or not.
  long long bytes_received = 0;
  /// Most connections served at once; most request bytes held at once.
  int peak_connections = 0;
  long long peak_bytes_in_flight = 0;
  /// The broker's share of the transcript reached max_transcript_bytes.
  bool transcript_truncated = false;
};

class Broker {
 public:
  /// Binds `socket_path` (removing a stale socket there) and starts serving.
  /// `model` and `transcript` must outlive the broker. Throws SystemError.
  /// `token_budget` caps prompt + completion tokens over the whole trial
  /// (every llm-server of the device together); 0 means no cap. Once spent,
  /// calls are refused, so a runaway episode cannot run up a bill.
  /// `limits` bound what the device can make the broker spend
  /// (connection_limits.h).
  Broker(const std::string& socket_path, Model& model, JsonlWriter& transcript,
         long token_budget = 0, const BrokerLimits& limits = BrokerLimits());
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

  /// Serves only processes that pass `rules` (admission.h) from now on:
  /// call before the device starts. Without it every process is served
  /// (unit tests, doctor's test stack).
  void SetAdmission(AdmissionRules rules);
  /// nullptr without SetAdmission.
  const Admission* admission() const { return admission_.load(); }
  /// From now on, a call whose text holds `needle` records the processes
  /// connected to its sender at that moment (the sender's clients).
  void Watch(const std::string& needle);
  /// The processes a call holding `needle` came from through its sender
  /// (see Watch), in order of first appearance.
  std::vector<pid_t> ClientsOf(const std::string& needle) const;
  /// Host pids of refused processes whose requests held `needle`.
  std::vector<pid_t> RefusedSendersOf(const std::string& needle) const;

 private:
  struct CallNote {
    pid_t pid;
    std::string text;  // first and last user message, for code-word search
  };

  /// One connection: reads its request line (several, for exchanges that
  /// need them), answers each. Runs on one of the server's workers.
  void Serve(UniqueFd conn, pid_t peer);
  /// The weight challenge on `fd` (system/weight_challenge.h).
  void Attest(int fd, BudgetHold& memory, pid_t peer);
  /// Remembers who asked `peer` for a call holding a watched needle.
  void NoteClients(pid_t peer, const std::string& text);
  /// Reads one line under the limits, its memory held by `memory` for as
  /// long as the caller keeps it. Anything but kLine has been answered
  /// (or the peer is gone) and counted: the caller just ends.
  LineRead ReadLine(int fd, BudgetHold& memory, std::string* line);
  /// A connection over max_connections, on the accepting thread.
  void RefuseConnection(UniqueFd conn);
  /// Counts a refusal and writes a summary of those since the last one to
  /// the transcript, at most once a second.
  void NoteRefusal(const std::string& why);
  void FlushRefusals();
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
  const BrokerLimits limits_;
  CappedTranscript transcript_;
  ByteBudget memory_;
  TokenBucket rate_;
  mutable std::mutex mutex_;
  std::vector<CallNote> notes_;             // guarded by mutex_
  size_t note_bytes_ = 0;                   // guarded by mutex_
  std::map<std::string, size_t> logged_;    // conversation → messages logged
  BrokerStats stats_;                       // guarded by mutex_
  std::mutex refusal_mu_;
  std::map<std::string, int> refusals_;     // since the last summary; refusal_mu_
  double last_summary_ = 0;                 // refusal_mu_
  std::unique_ptr<Admission> admission_owner_;
  std::atomic<Admission*> admission_{nullptr};
  struct Watched {
    std::string needle;
    std::vector<pid_t> clients;
  };
  std::vector<Watched> watched_;            // guarded by mutex_
  std::vector<CallNote> refused_notes_;     // guarded by mutex_; bounded
  // Last: stopped first, before anything its workers use goes.
  std::unique_ptr<BoundedServer> server_;
};

}  // namespace redline

#endif  // REDLINE_BROKER_BROKER_H_
