// Host memory, the device's memory limit and disk for native mode: a trial
// holds two servers (the original's and a replica's) and the weights
// twice: the trial's (a copy-on-write view that takes no room, or a copy
// where no view can be made) and the replica's copy of its folder. Too
// little of any of them makes the replica fail for the node's sake, not the
// model's.
#include <sys/statvfs.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "device/weights_view.h"
#include "doctor/native_checks.h"
#include "doctor/probe_dir.h"
#include "system/weights_copy.h"

namespace redline {
namespace {

// Trials' homes (and so the weights' copies) live in /tmp/rl-* (run/work_folders).
constexpr char kWorkRoot[] = "/tmp";
constexpr uint64_t kGiB = 1ull << 30;

std::string Gib(uint64_t bytes) { return ShownBytes(bytes); }

// Whole GiB at least `bytes`, for a flag's value.
std::string GibFlag(uint64_t bytes) {
  return std::to_string(static_cast<uint64_t>(std::ceil(static_cast<double>(bytes) / kGiB)));
}

uint64_t MeminfoBytes(const std::string& text, const std::string& key) {
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (line.starts_with(key + ":")) {
      std::stringstream fields(line.substr(key.size() + 1));
      uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  return 0;
}

// Copies of the weights in a trial's home: the replica's, and the trial's
// own unless it sees them through a view.
uint64_t CopiesInHome(const ResourceFacts& f) { return f.weights_view ? 1 : 2; }

std::string CopiesText(const ResourceFacts& f) {
  return f.weights_view ? "a replica's copy of the weights (the trial's own are a "
                          "copy-on-write view)"
                        : "the trial's copy of the weights and a replica's (no "
                          "copy-on-write view: " + f.copy_reason + ")";
}

Check DeviceLimitCheck(const NativeDoctorSpec& spec, uint64_t runtime,
                       const ResourceFacts& f) {
  const char* name = "device memory limit";
  bool ram_home = spec.disk_limit_bytes > 0;
  uint64_t need = 2 * runtime + (ram_home ? CopiesInHome(f) * f.weights_bytes : 0);
  std::string why = "two servers at about " + Gib(runtime) + " each" +
                    (ram_home ? ", and " + CopiesText(f) + " in the RAM-backed home "
                                "(--disk-limit-gib)"
                              : std::string(""));
  if (spec.memory_limit_bytes < need)
    return Fail(name, "--memory-limit-gib is " + Gib(spec.memory_limit_bytes) +
                          "; the device needs about " + Gib(need) + " (" + why + ")",
                "--memory-limit-gib " + GibFlag(need) + " or more");
  return Ok(name, Gib(spec.memory_limit_bytes) + " for " + why);
}

Check HostMemoryCheck(const ResourceFacts& f, const NativeDoctorSpec& spec,
                      uint64_t runtime) {
  const char* name = "host memory";
  bool ram_home = spec.disk_limit_bytes > 0;
  uint64_t hard = 2 * runtime + (ram_home ? CopiesInHome(f) * f.weights_bytes : 0);
  uint64_t soft = 2 * (runtime + f.weights_bytes);
  std::string found = Gib(f.mem_available) + " available of " + Gib(f.mem_total);
  if (f.mem_available < hard)
    return Fail(name, found + "; two servers need about " + Gib(hard),
                "a node with more memory, or stop what uses it");
  if (f.mem_total < soft)
    return Warn(name, found + "; the two checkpoints (2 × " + Gib(f.weights_bytes) +
                          ") and two servers do not all fit in memory, so each server "
                          "start reads its weights from disk again (slow, not wrong)",
                "a node with at least " + GibFlag(soft) + " GiB of memory");
  return Ok(name, found + "; two servers and their weights need about " + Gib(soft));
}

Check DiskCheck(const ResourceFacts& f, const NativeDoctorSpec& spec) {
  const char* name = "disk for the weights";
  uint64_t w = f.weights_bytes;
  uint64_t need = CopiesInHome(f) * w;
  if (spec.disk_limit_bytes > 0) {
    if (spec.disk_limit_bytes < need)
      return Fail(name, "--disk-limit-gib " + Gib(spec.disk_limit_bytes) +
                            " holds less than " + CopiesText(f) + ": " + Gib(need),
                  "--disk-limit-gib " + GibFlag(need + kGiB) + " or more, or none");
    return Ok(name, "the home holds " + Gib(spec.disk_limit_bytes) + ": room for " +
                        CopiesText(f) + ", " + Gib(need));
  }
  std::string found = Gib(f.tmp_free) + " free in " + kWorkRoot + " (trials' homes)";
  if (!f.weights_view && f.tmp_free < w)
    return Fail(name, found + ": not even the trial's copy of the weights (" + Gib(w) +
                          ") fits (no copy-on-write view: " + f.copy_reason + ")",
                "free space in /tmp, or mount a larger file system there");
  if (f.tmp_free < need)
    return Warn(name, found + ": a replica that copies its folder (" + Gib(w) +
                          ") runs out of disk; " + CopiesText(f) + " take " + Gib(need),
                "free at least " + GibFlag(need) + " GiB in /tmp");
  return Ok(name, found + "; " + CopiesText(f) + " take " + Gib(need));
}

}  // namespace

std::string ShownBytes(uint64_t bytes) {
  char text[32];
  double b = static_cast<double>(bytes);
  if (bytes >= kGiB) std::snprintf(text, sizeof text, "%.1f GiB", b / kGiB);
  else if (bytes >= (1u << 20)) std::snprintf(text, sizeof text, "%.1f MiB", b / (1u << 20));
  else std::snprintf(text, sizeof text, "%.0f KiB", std::ceil(b / 1024));
  return text;
}

ResourceFacts ReadResourceFacts(const std::string& weights_dir) {
  ResourceFacts f;
  std::ifstream in("/proc/meminfo");
  std::stringstream text;
  text << in.rdbuf();
  f.mem_total = MeminfoBytes(text.str(), "MemTotal");
  f.mem_available = MeminfoBytes(text.str(), "MemAvailable");
  struct statvfs vfs;
  if (::statvfs(kWorkRoot, &vfs) == 0)
    f.tmp_free = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  f.weights_bytes = WeightsBytes(weights_dir);
  try {
    ProbeDir probe("rl-doctor-view");
    f.copy_reason = WeightsViewUnavailable(weights_dir, probe.Make("weights"));
  } catch (const std::exception& e) {
    f.copy_reason = e.what();
  }
  f.weights_view = f.copy_reason.empty();
  return f;
}

uint64_t ServerRuntimeBytes(const ServerCommand& command) {
  // vLLM: the Python interpreter, PyTorch, the CUDA runtime and its worker
  // processes take several GiB of host memory per server before any weight.
  return command.vllm ? 8 * kGiB : kGiB / 2;
}

Checks ResourceChecks(const ResourceFacts& facts, const NativeDoctorSpec& spec,
                      const ServerCommand& command) {
  uint64_t runtime = ServerRuntimeBytes(command);
  return {Ok("weights", spec.weights_dir + ": " + Gib(facts.weights_bytes)),
          HostMemoryCheck(facts, spec, runtime),
          DeviceLimitCheck(spec, runtime, facts), DiskCheck(facts, spec)};
}

}  // namespace redline
