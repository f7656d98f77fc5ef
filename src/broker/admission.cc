#include "broker/admission.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace redline {
namespace {

// Field 22 of /proc/pid/stat, after the parenthesised command name (which
// may itself hold spaces and parentheses).
uint64_t StartTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i)
    if (i == 22) return std::stoull(field);
  return 0;
}

}  // namespace

Admission::Admission(AdmissionRules rules) : rules_(std::move(rules)) {}

std::optional<Admission::Identity> Admission::IdentityOf(pid_t pid) {
  struct stat st{};
  std::string exe = "/proc/" + std::to_string(pid) + "/exe";
  if (pid <= 0 || ::stat(exe.c_str(), &st) != 0) return std::nullopt;
  uint64_t ticks = 0;
  try {
    ticks = StartTicks(pid);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (ticks == 0) return std::nullopt;
  return Identity{pid, ticks, static_cast<uint64_t>(st.st_dev),
                  static_cast<uint64_t>(st.st_ino)};
}

void Admission::Note(pid_t pid, bool admitted, const std::string& step,
                     const std::string& reason) {
  if (!admitted) ++refusals_;
  if (records_.size() < kMaxRecords) records_.push_back({pid, admitted, step, reason});
}

std::optional<WeightChallenge> Admission::Challenge(pid_t peer, std::string* refusal) {
  std::optional<Identity> id = IdentityOf(peer);
  std::string not_server = !id ? "the process is gone"
                           : rules_.check_program ? rules_.check_program(peer)
                                                  : "";
  std::lock_guard<std::mutex> lock(mutex_);
  if (!not_server.empty()) {
    *refusal = "process " + std::to_string(peer) +
               " is not the system's LLM server program: " + not_server;
    Note(peer, false, "attest", *refusal);
    return std::nullopt;
  }
  if (next_challenge_ >= rules_.challenges.size()) {
    *refusal = "no weight challenge is left: this backend has admitted " +
               std::to_string(admitted_.size()) + " servers already";
    Note(peer, false, "attest", *refusal);
    return std::nullopt;
  }
  pending_.push_back({*id, next_challenge_});
  return rules_.challenges[next_challenge_++].challenge;
}

bool Admission::Verify(pid_t peer, const std::string& answer, std::string* refusal) {
  std::optional<Identity> id = IdentityOf(peer);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const auto& p) {
    return id && p.first == *id;
  });
  if (it == pending_.end()) {
    *refusal = "process " + std::to_string(peer) + " answered no challenge it was given";
    Note(peer, false, "attest", *refusal);
    return false;
  }
  const PreparedChallenge& challenge = rules_.challenges[it->second];
  pending_.erase(it);
  if (answer != challenge.answer) {
    *refusal = "process " + std::to_string(peer) +
               " does not hold the model's weights: its answer to the weight "
               "challenge is wrong";
    Note(peer, false, "attest", *refusal);
    return false;
  }
  admitted_.push_back(*id);
  Note(peer, true, "attest", "");
  return true;
}

bool Admission::Serves(pid_t peer, std::string* refusal) {
  std::optional<Identity> id = IdentityOf(peer);
  std::lock_guard<std::mutex> lock(mutex_);
  if (id && std::find(admitted_.begin(), admitted_.end(), *id) != admitted_.end())
    return true;
  bool same_pid = std::any_of(admitted_.begin(), admitted_.end(),
                              [&](const Identity& a) { return a.pid == peer; });
  *refusal = same_pid
                 ? "process " + std::to_string(peer) +
                       " is no longer the process that passed the weight challenge (it "
                       "ran another program since, or its pid was reused)"
                 : "process " + std::to_string(peer) +
                       " has not shown that it holds the model's weights: the backend "
                       "serves only an LLM server that passed the weight challenge at "
                       "start-up";
  Note(peer, false, "generate", *refusal);
  return false;
}

std::vector<pid_t> Admission::ClientsOf(pid_t server) const {
  return rules_.clients_of ? rules_.clients_of(server) : std::vector<pid_t>{};
}

std::vector<pid_t> Admission::Admitted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<pid_t> pids;
  for (const Identity& id : admitted_) pids.push_back(id.pid);
  return pids;
}

std::vector<AdmissionRecord> Admission::Records() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_;
}

int Admission::refusals() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refusals_;
}

}  // namespace redline
