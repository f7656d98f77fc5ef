// Who the broker serves. A process may relay generation only after it has
// shown, at start-up, that it is the system's LLM server program and holds
// the model's weights (the weight challenge, system/weight_challenge.h). The
// broker knows the process from SO_PEERCRED; the admission binds what it
// proved to that process — its pid, start time and program file — so a
// later process with the same pid, or the same process after an exec, is a
// stranger again. Everything refused is kept, for the verdict's evidence.
#ifndef REDLINE_BROKER_ADMISSION_H_
#define REDLINE_BROKER_ADMISSION_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "system/weight_challenge.h"

namespace redline {

struct AdmissionRules {
  /// Used once each, in order.
  std::vector<PreparedChallenge> challenges;
  /// "" if `pid` runs the system's LLM server program; else one line saying
  /// what it runs instead.
  std::function<std::string(pid_t pid)> check_program;
  /// Host pids of the processes whose HTTP requests the server `pid` is
  /// serving right now (connected to one of its listening ports).
  std::function<std::vector<pid_t>(pid_t pid)> clients_of;
};

/// One process the broker turned away, or admitted.
struct AdmissionRecord {
  pid_t pid = 0;
  bool admitted = false;
  /// "attest" (the challenge step) or "generate" (a relay request).
  std::string step;
  std::string reason;  ///< why refused; "" when admitted
};

class Admission {
 public:
  explicit Admission(AdmissionRules rules);

  /// First step of `peer`'s attestation: its challenge, or nullopt and
  /// `*refusal` (the program is not the LLM server, no challenge is left).
  std::optional<WeightChallenge> Challenge(pid_t peer, std::string* refusal);
  /// Second step: admits `peer` if `answer` is the answer to the challenge
  /// it was handed; else false and `*refusal`.
  bool Verify(pid_t peer, const std::string& answer, std::string* refusal);
  /// A relay request of `peer` is served only if it was admitted and is
  /// still the same process running the same program file.
  bool Serves(pid_t peer, std::string* refusal);
  /// Clients of `server` now (the rules' clients_of; empty without one).
  std::vector<pid_t> ClientsOf(pid_t server) const;

  /// Host pids admitted so far.
  std::vector<pid_t> Admitted() const;
  /// Attestations and refusals, in order; at most kMaxRecords kept.
  std::vector<AdmissionRecord> Records() const;
  /// Every refusal, also those past kMaxRecords.
  int refusals() const;

  static constexpr size_t kMaxRecords = 64;

 private:
  struct Identity {
    pid_t pid = 0;
    uint64_t start_ticks = 0;
    uint64_t exe_dev = 0;
    uint64_t exe_ino = 0;
    bool operator==(const Identity&) const = default;
  };
  static std::optional<Identity> IdentityOf(pid_t pid);
  void Note(pid_t pid, bool admitted, const std::string& step, const std::string& reason);

  AdmissionRules rules_;
  mutable std::mutex mutex_;
  size_t next_challenge_ = 0;                 // guarded by mutex_
  std::vector<std::pair<Identity, size_t>> pending_;  // challenge handed out
  std::vector<Identity> admitted_;
  std::vector<AdmissionRecord> records_;
  int refusals_ = 0;
};

}  // namespace redline

#endif  // REDLINE_BROKER_ADMISSION_H_
