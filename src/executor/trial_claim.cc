#include "executor/trial_claim.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "base/random.h"
#include "base/unique_fd.h"
#include "run/run.h"

namespace redline {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string ClaimText(const Claimant& c) {
  std::ostringstream out;
  out << "host=" << c.host << "\npid=" << c.pid << "\njob=" << c.job
      << "\ntask=" << c.task << "\nrestart=" << c.restart << "\nsince=" << c.since
      << "\n";
  return out.str();
}

Claimant ParseClaim(const std::string& text) {
  Claimant c;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "host") c.host = value;
    else if (key == "pid") c.pid = std::atol(value.c_str());
    else if (key == "job") c.job = value;
    else if (key == "task") c.task = value;
    else if (key == "restart") c.restart = std::atoi(value.c_str());
    else if (key == "since") c.since = value;
  }
  return c;
}

// O_EXCL create; false if it exists.
bool CreateExclusive(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    if (errno == EEXIST) return false;
    ThrowErrno("open(\"" + path + "\", O_EXCL)");
  }
  WriteAll(fd.get(), text, path);
  if (::fsync(fd.get()) != 0) ThrowErrno("fsync(\"" + path + "\")");
  return true;
}

}  // namespace

Claimant ThisClaimant() {
  Claimant c;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  c.host = host;
  c.pid = ::getpid();
  c.job = Env("SLURM_ARRAY_JOB_ID");
  if (c.job.empty()) c.job = Env("SLURM_JOB_ID");
  c.task = Env("SLURM_ARRAY_TASK_ID");
  c.restart = std::atoi(Env("SLURM_RESTART_COUNT").c_str());
  c.since = IsoTimestamp();
  return c;
}

std::string ClaimPath(const std::string& run_dir, int index) {
  return run_dir + "/claims/" + TrialDirName(index);
}

bool ClaimTrial(const std::string& run_dir, int index, const Claimant& me,
                std::string* holder) {
  MakeDirs(run_dir + "/claims");
  std::string path = ClaimPath(run_dir, index);
  if (CreateExclusive(path, ClaimText(me))) return true;
  std::string text;
  try {
    text = ReadFile(path);
  } catch (const SystemError&) {
  }
  Claimant old = ParseClaim(text);
  bool requeued = !me.job.empty() && old.job == me.job && old.task == me.task &&
                  old.restart < me.restart;
  if (requeued) {
    // Only one of several racing takers wins the rename.
    std::string aside = path + ".requeued-" + RandomToken(6);
    if (::rename(path.c_str(), aside.c_str()) == 0) {
      ::unlink(aside.c_str());
      MoveTrialAside(run_dir, index);
      if (CreateExclusive(path, ClaimText(me))) return true;
    }
  }
  *holder = text;
  return false;
}

void ReleaseClaim(const std::string& run_dir, int index) {
  std::string path = ClaimPath(run_dir, index);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    ThrowErrno("unlink(\"" + path + "\")");
}

std::optional<Claimant> ReadClaim(const std::string& run_dir, int index) {
  std::string path = ClaimPath(run_dir, index);
  if (!PathExists(path)) return std::nullopt;
  try {
    return ParseClaim(ReadFile(path));
  } catch (const SystemError&) {
    return std::nullopt;
  }
}

std::string MoveTrialAside(const std::string& run_dir, int index) {
  std::string dir = run_dir + "/trials/" + TrialDirName(index);
  if (!PathExists(dir)) return "";
  MakeDirs(run_dir + "/incomplete");
  std::string aside = run_dir + "/incomplete/" + TrialDirName(index) + "-" +
                      std::to_string(static_cast<long>(WallSeconds())) + "-" +
                      RandomToken(4);
  if (::rename(dir.c_str(), aside.c_str()) != 0)
    ThrowErrno("rename(\"" + dir + "\", \"" + aside + "\")");
  return aside;
}

}  // namespace redline
