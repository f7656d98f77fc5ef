// GPUs for native mode: the NVIDIA device nodes a device needs passed in,
// what nvidia-smi sees, and whether two servers' weights (the original's
// and a replica's) fit in the GPUs' memory. A replica's server that does
// not fit fails with "No available memory for the cache blocks" and the
// trial ends as replica_not_answering: a fact about the node, which the
// doctor should say before ten trials measure it.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <system_error>

#include "doctor/native_checks.h"
#include "doctor/run_program.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

constexpr char kCtl[] = "/dev/nvidiactl";
constexpr char kUvm[] = "/dev/nvidia-uvm";
// vLLM's default share of each GPU.
constexpr double kVllmDefaultUtilization = 0.9;
// Beyond its weights a server needs room for activations and a KV cache;
// below this fraction of the weights it cannot serve a long context.
constexpr double kCacheRoom = 0.05;

std::string GiB(uint64_t bytes) { return ShownBytes(bytes); }

std::string Fraction(double v) {
  char text[16];
  std::snprintf(text, sizeof text, "%.2f", v);
  return text;
}

bool IsCharDevice(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

// The N of /dev/nvidiaN; -1 for any other path.
int GpuMinor(const std::string& node) {
  const std::string prefix = "/dev/nvidia";
  if (!node.starts_with(prefix) || node.size() == prefix.size()) return -1;
  std::string digits = node.substr(prefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::atoi(digits.c_str());
}

std::string Trimmed(std::string s) {
  size_t start = s.find_first_not_of(" \t");
  if (start == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(start, end - start + 1);
}

std::string FindProgram(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::string path = std::string(env && *env ? env : "") +
                     ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty() || dir[0] != '/') continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::vector<int> PassedMinors(const std::vector<std::string>& nodes) {
  std::vector<int> minors;
  for (const std::string& n : nodes)
    if (int m = GpuMinor(n); m >= 0) minors.push_back(m);
  return minors;
}

// The flags that pass in what is missing of /dev/nvidiactl, /dev/nvidia-uvm
// and `wanted` GPUs.
Check NodeCheck(const GpuFacts& facts, const NativeDoctorSpec& spec, int wanted) {
  const char* name = "GPU device nodes";
  std::string absent;
  for (const std::string& n : spec.device_nodes)
    if (!IsCharDevice(n)) absent += (absent.empty() ? "" : ", ") + n;
  if (!absent.empty())
    return Fail(name, "--device " + absent + ": not a device node on this host",
                "pass only nodes that exist here (ls -l /dev/nvidia*)");
  std::set<std::string> host(facts.host_nodes.begin(), facts.host_nodes.end());
  std::set<std::string> passed(spec.device_nodes.begin(), spec.device_nodes.end());
  std::vector<std::string> needed = {kCtl, kUvm};
  std::vector<int> minors = PassedMinors(spec.device_nodes);
  for (int m = 0; static_cast<int>(minors.size()) < wanted && m < 64; ++m)
    if (std::find(minors.begin(), minors.end(), m) == minors.end() &&
        host.count("/dev/nvidia" + std::to_string(m)))
      minors.push_back(m);
  for (int m : minors) needed.push_back("/dev/nvidia" + std::to_string(m));
  std::string missing_host, flags;
  for (const std::string& n : needed) {
    if (!host.count(n)) missing_host += (missing_host.empty() ? "" : ", ") + n;
    else if (!passed.count(n)) flags += " --device " + n;
  }
  if (!missing_host.empty())
    return Fail(name, "this host has no " + missing_host,
                "load the NVIDIA driver (nvidia-modprobe -u -c 0 creates /dev/nvidia-uvm)");
  if (static_cast<int>(minors.size()) < wanted)
    return Fail(name, std::to_string(wanted) + " GPUs wanted, the host has " +
                          std::to_string(minors.size()) + " /dev/nvidiaN",
                "ask for fewer GPUs (--gpus) or run on a node with more");
  if (!flags.empty())
    return Fail(name, "the device would not see them: not passed in:" + flags,
                "add" + flags + " (the device's /dev is its own)");
  std::string list;
  for (const std::string& n : spec.device_nodes) list += " " + n;
  return Ok(name, "passed into the device:" + list);
}

// The GPUs a trial uses: those passed in, else the first `wanted`.
std::vector<GpuInfo> UsedGpus(const GpuFacts& facts, const NativeDoctorSpec& spec,
                              int wanted) {
  std::vector<int> minors = PassedMinors(spec.device_nodes);
  std::vector<GpuInfo> used;
  for (const GpuInfo& g : facts.gpus) {
    bool pick = minors.empty()
                    ? static_cast<int>(used.size()) < wanted
                    : std::find(minors.begin(), minors.end(), g.minor) != minors.end();
    if (pick) used.push_back(g);
  }
  return used;
}

Check MemoryCheck(const std::vector<GpuInfo>& used, const ServerCommand& command,
                  uint64_t weights) {
  const char* name = "GPU memory";
  uint64_t total = 0, free = 0;
  for (const GpuInfo& g : used) {
    total += g.total_bytes;
    free += g.total_bytes > g.used_bytes ? g.total_bytes - g.used_bytes : 0;
  }
  std::string gpus = std::to_string(used.size()) + " GPU" + (used.size() == 1 ? "" : "s");
  if (free < 2 * weights)
    return Fail(name, "two servers (the original and a replica) need 2 × " + GiB(weights) +
                          " for the weights alone; the " + gpus + " have " + GiB(free) +
                          " free of " + GiB(total),
                "more GPUs (--gres gpu:N, --device /dev/nvidiaN), a quantized build of "
                "the model, or free the GPUs");
  if (!command.vllm)
    return Ok(name, GiB(free) + " free on the " + gpus + "; two copies of the weights take " +
                        GiB(2 * weights));
  double u = command.gpu_memory_utilization > 0 ? command.gpu_memory_utilization
                                                : kVllmDefaultUtilization;
  std::string u_text = Fraction(u) + (command.gpu_memory_utilization > 0 ? "" : " (vLLM's default)");
  int tp = command.tensor_parallel_size;
  if (tp > static_cast<int>(used.size()))
    return Fail(name, "--tensor-parallel-size " + std::to_string(tp) + " but the device gets " +
                          gpus, "pass in as many GPUs as the server uses");
  uint64_t share = 0;
  for (int i = 0; i < tp; ++i) share += static_cast<uint64_t>(u * used[i].total_bytes);
  if (share < weights + static_cast<uint64_t>(kCacheRoom * weights))
    return Fail(name, "each server takes " + u_text + " of " + std::to_string(tp) +
                          " GPU(s) = " + GiB(share) + ", not enough for the weights (" +
                          GiB(weights) + ") and a cache",
                "raise --tensor-parallel-size (and pass in the GPUs), or use a "
                "quantized build");
  // Both servers on the same GPUs unless there are twice the GPUs one uses.
  bool shared = 2 * tp > static_cast<int>(used.size());
  if (!shared)
    return Ok(name, "each server takes " + u_text + " of " + std::to_string(tp) +
                        " GPU(s) (" + GiB(share) + "); the device has GPUs for two");
  for (const GpuInfo& g : used) {
    double taken = static_cast<double>(g.used_bytes) / static_cast<double>(g.total_bytes);
    if (taken + 2 * u > 1.0)
      return Fail(name, "the original and the replica share the GPUs and each takes " +
                            u_text + " of every one; GPU " + std::to_string(g.index) +
                            " has " + Fraction(taken) + " in use already, so the "
                            "replica's server would find no memory for its cache",
                  "put --gpu-memory-utilization " +
                      Fraction(std::max(0.05, (1.0 - taken) / 2 - 0.02)) +
                      " (or lower) in --server-command, or give the device twice the GPUs");
  }
  return Ok(name, "two servers fit on the " + gpus + ": each takes " + u_text +
                      " of every GPU (" + GiB(share) + " for " + GiB(weights) +
                      " of weights and the cache)");
}

}  // namespace

std::vector<GpuInfo> ParseNvidiaSmi(const std::string& csv) {
  std::vector<GpuInfo> gpus;
  std::stringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream parts(line);
    std::string field;
    while (std::getline(parts, field, ',')) fields.push_back(Trimmed(field));
    if (fields.size() != 5) continue;
    char* end = nullptr;
    GpuInfo g;
    g.index = static_cast<int>(std::strtol(fields[0].c_str(), &end, 10));
    if (fields[0].empty() || *end) continue;
    g.minor = static_cast<int>(std::strtol(fields[1].c_str(), &end, 10));
    if (fields[1].empty() || *end) g.minor = -1;
    g.name = fields[2];
    double total = std::strtod(fields[3].c_str(), &end);
    if (fields[3].empty() || *end) continue;
    double used = std::strtod(fields[4].c_str(), &end);
    if (fields[4].empty() || *end) used = 0;
    g.total_bytes = static_cast<uint64_t>(total * (1 << 20));
    g.used_bytes = static_cast<uint64_t>(used * (1 << 20));
    gpus.push_back(g);
  }
  return gpus;
}

GpuFacts ReadGpuFacts() {
  GpuFacts facts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/dev", ec)) {
    std::string path = entry.path().string();
    if (entry.path().filename().string().starts_with("nvidia") && IsCharDevice(path))
      facts.host_nodes.push_back(path);
  }
  std::sort(facts.host_nodes.begin(), facts.host_nodes.end());
  facts.smi_path = FindProgram("nvidia-smi");
  if (facts.smi_path.empty()) return facts;
  CapturedRun r = RunProgram(
      {facts.smi_path,
       "--query-gpu=index,minor_number,name,memory.total,memory.used",
       "--format=csv,noheader,nounits"},
      30);
  facts.smi_exit = r.exit_code;
  facts.smi_output = r.out;
  if (r.exit_code == 0) facts.gpus = ParseNvidiaSmi(r.out);
  return facts;
}

int WantedGpus(const NativeDoctorSpec& spec, const ServerCommand& command) {
  if (spec.gpus >= 0) return spec.gpus;
  int passed = static_cast<int>(PassedMinors(spec.device_nodes).size());
  if (passed > 0) return passed;
  return command.vllm ? std::max(1, command.tensor_parallel_size) : 0;
}

Checks GpuChecks(const GpuFacts& facts, const NativeDoctorSpec& spec,
                 const ServerCommand& command, uint64_t weights_bytes) {
  int wanted = WantedGpus(spec, command);
  bool any_node = false;
  for (const std::string& n : spec.device_nodes)
    any_node = any_node || n.starts_with("/dev/nvidia");
  if (wanted == 0 && !any_node)
    return {Ok("GPUs", "none wanted (--gpus 0, no /dev/nvidia* passed in): the server "
                       "runs without a GPU")};
  std::string want = std::to_string(wanted) + " GPU" + (wanted == 1 ? "" : "s") + " wanted";
  if (facts.host_nodes.empty() && facts.smi_path.empty())
    return {Fail("GPUs", "no GPU present: this host has no /dev/nvidia* device nodes and "
                         "no nvidia-smi (" + want + ")",
                 "run on a GPU node with the NVIDIA driver loaded (/dev/nvidiactl, "
                 "/dev/nvidia0 …, nvidia-smi)")};
  Checks out;
  out.push_back(NodeCheck(facts, spec, wanted));
  const char* name = "nvidia-smi";
  if (facts.smi_path.empty()) {
    out.push_back(Fail(name, "not found in PATH: the GPUs and their memory cannot be "
                             "checked", "install the NVIDIA driver's utilities"));
    return out;
  }
  if (facts.smi_exit != 0) {
    out.push_back(Fail(name, facts.smi_path + " failed (" +
                                 (facts.smi_exit < 0 ? std::string("timed out")
                                                     : "exit " + std::to_string(facts.smi_exit)) +
                                 "): " + FirstLine(facts.smi_output),
                       "fix the NVIDIA driver until nvidia-smi lists the GPUs"));
    return out;
  }
  if (facts.gpus.empty()) {
    out.push_back(Fail(name, "no GPU present: nvidia-smi lists none (" + want + ")",
                       "run on a GPU node"));
    return out;
  }
  std::vector<GpuInfo> used = UsedGpus(facts, spec, wanted);
  if (static_cast<int>(used.size()) < wanted) {
    out.push_back(Fail(name, "sees " + std::to_string(used.size()) + " of the GPUs passed "
                             "in; " + want, "pass in GPUs nvidia-smi lists (index = minor "
                             "number of /dev/nvidiaN)"));
    return out;
  }
  std::string list;
  for (const GpuInfo& g : used)
    list += (list.empty() ? "" : "; ") + std::to_string(g.index) + ": " + g.name + " " +
            GiB(g.total_bytes) + " (" + GiB(g.used_bytes) + " in use)";
  out.push_back(Ok(name, want + ", " + std::to_string(facts.gpus.size()) + " on the host; "
                         "used: " + list));
  out.push_back(MemoryCheck(used, command, weights_bytes));
  return out;
}

}  // namespace redline
