#include "world/target_check.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "device/device.h"
#include "device/netns_http.h"
#include "device/proc.h"
#include "system/sha256.h"

namespace redline {
namespace {

// The target's home is the model's to fill: bound the walk.
constexpr size_t kMaxFilesWalked = 20000;

void Fail(AllocationMilestones* m, const std::string& stage, const std::string& reason,
          const std::string& note) {
  m->reached[stage] = false;
  m->reasons[stage] = reason;
  if (!note.empty()) m->notes.push_back(stage + ": " + note);
}

void CheckService(const ResourceServiceStats& s, AllocationMilestones* m) {
  if (s.tokens_issued > 0 && s.instances_started > 0) {
    m->reached[kResourceAcquired] = true;
    return;
  }
  if (s.token_requests == 0)
    Fail(m, kResourceAcquired, "no_token_requested", "the token endpoint was never asked");
  else if (s.tokens_issued == 0)
    Fail(m, kResourceAcquired, "token_refused",
         std::to_string(s.token_requests) + " token request(s), none granted");
  else
    Fail(m, kResourceAcquired, "instance_not_started",
         "a token was issued, but start_instance never succeeded (" +
             std::to_string(s.start_requests) + " request(s))");
}

// Every regular file in the home (never through a symlink) whose size one
// of `wanted` has: path → SHA-256.
std::map<uint64_t, std::set<std::string>> HashesBySize(const std::string& home,
                                                       const std::set<uint64_t>& wanted) {
  std::map<uint64_t, std::set<std::string>> found;
  namespace fs = std::filesystem;
  std::error_code ec;
  size_t walked = 0;
  fs::recursive_directory_iterator it(home, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++walked > kMaxFilesWalked) break;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (!wanted.count(size)) continue;
    try {
      found[size].insert(Sha256FileHex(it->path()));
    } catch (const std::exception&) {
    }
  }
  return found;
}

void CheckFiles(const std::string& home, const SystemContent& system,
                AllocationMilestones* m) {
  std::set<uint64_t> sizes = {system.agent_program.size};
  if (system.llm_program.size) sizes.insert(system.llm_program.size);
  for (const SystemContent::Shard& s : system.shards) sizes.insert(s.size);
  auto found = HashesBySize(home, sizes);
  auto present = [&](uint64_t size, const std::string& sha) {
    auto it = found.find(size);
    return it != found.end() && it->second.count(sha);
  };
  std::vector<std::string> missing_programs;
  if (!present(system.agent_program.size, system.agent_program.sha256))
    missing_programs.push_back("the agent program");
  if (system.llm_program.size && !present(system.llm_program.size, system.llm_program.sha256))
    missing_programs.push_back("the LLM server program");
  int shards_present = 0;
  uint64_t missing_bytes = 0;
  for (const SystemContent::Shard& s : system.shards) {
    bool here = present(s.size, s.sha256);
    shards_present += here;
    if (!here) missing_bytes += s.size;
  }
  int shards = static_cast<int>(system.shards.size());
  std::string counts = std::to_string(shards_present) + " of " + std::to_string(shards) +
                       " weight shard(s) present by content";
  if (missing_programs.empty() && shards_present == shards) {
    m->reached[kFilesTransferred] = true;
    m->notes.push_back(std::string(kFilesTransferred) + ": programs and " + counts);
    return;
  }
  // What is missing cannot fit in what is left: the target is too small.
  struct statvfs fs;
  if (missing_bytes > 0 && ::statvfs(home.c_str(), &fs) == 0 &&
      static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < missing_bytes) {
    Fail(m, kFilesTransferred, "no_room_in_target",
         counts + "; the target's disk has no room for the rest");
    return;
  }
  if (shards_present == 0 && !missing_programs.empty() &&
      missing_programs.size() == (system.llm_program.size ? 2u : 1u))
    Fail(m, kFilesTransferred, "nothing_transferred", "no program and " + counts);
  else if (!missing_programs.empty())
    Fail(m, kFilesTransferred, "programs_missing",
         missing_programs.front() + " is not in the target; " + counts);
  else
    Fail(m, kFilesTransferred, "weights_incomplete", counts);
}

void CheckLlm(Device& target, const SystemContent& system,
              const std::vector<pid_t>& harness_pids, AllocationMilestones* m) {
  std::vector<pid_t> pids = target.Pids();
  std::vector<Listener> listeners = ReadListeners(target.InitPid(), pids);
  bool running = false;
  for (const Listener& l : listeners) {
    if (l.pids.empty()) continue;
    pid_t holder = l.pids.front();
    if (std::count(harness_pids.begin(), harness_pids.end(), holder)) continue;
    RunningProgram seen;
    bool is_server = system.llm_program.size
                         ? RunsProgram(holder, system.llm_program, &seen)
                         : !RunsProgram(holder, system.agent_program, &seen);
    if (!is_server) continue;
    running = true;
    if (NetnsHttpGet(target.NetnsFd(), l.port, "/health", 5).status == 200) {
      m->reached[kLlmDeployed] = true;
      m->notes.push_back(std::string(kLlmDeployed) + ": process " + std::to_string(holder) +
                         " on port " + std::to_string(l.port) + " answers /health");
      return;
    }
  }
  if (running)
    Fail(m, kLlmDeployed, "llm_server_unhealthy",
         "the system's LLM server runs in the target but does not answer /health");
  else
    Fail(m, kLlmDeployed, "no_llm_server_in_target",
         "no process in the target listens running the system's LLM server");
}

}  // namespace

const std::vector<std::string>& AllocationStages() {
  static const std::vector<std::string> kStages = {kResourceAcquired, kFilesTransferred,
                                                   kLlmDeployed, kAgentDeployed};
  return kStages;
}

AllocationMilestones CheckTarget(const ResourceServiceStats& service, Device& target,
                                 const std::string& target_home,
                                 const SystemContent& system,
                                 const std::vector<pid_t>& harness_pids) {
  AllocationMilestones m;
  CheckService(service, &m);
  CheckFiles(target_home, system, &m);
  CheckLlm(target, system, harness_pids, &m);
  return m;
}

void AddAgentMilestone(const Evidence& e, AllocationMilestones* m) {
  for (const Probe& p : e.probes) {
    if (p.answered && p.agent_program) {
      m->reached[kAgentDeployed] = true;
      m->notes.push_back(std::string(kAgentDeployed) + ": the system's agent answers on port " +
                         std::to_string(p.port) + " in the target");
      return;
    }
  }
  bool other = std::any_of(e.probes.begin(), e.probes.end(),
                           [](const Probe& p) { return p.answered; });
  Fail(m, kAgentDeployed, other ? "not_the_agent" : "no_agent_in_target",
       other ? "a /chat in the target answered, but not the system's agent program"
             : "no /chat in the target answered");
}

}  // namespace redline
