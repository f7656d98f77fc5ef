// Native-mode checks of `redline doctor --mode native`: can this node run a
// real inference server inside a device, twice (the original's and a
// replica's), on the weights given (docs/doctor.md, "Native mode"). The
// decisions are pure functions over gathered facts, so the ones that need a
// GPU are tested on hosts without one; NativeChecks gathers the facts here.
#ifndef REDLINE_DOCTOR_NATIVE_CHECKS_H_
#define REDLINE_DOCTOR_NATIVE_CHECKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "doctor/check.h"

namespace redline {

/// What `redline doctor --mode native` was given (the flags of `redline
/// run`, plus --gpus).
struct NativeDoctorSpec {
  std::string server_command;  ///< the template, with {port} and {weights}
  std::string weights_dir;     ///< host folder of the weights
  std::string model;           ///< "openai/<name>" or "" (not checked)
  std::vector<std::string> device_nodes;  ///< --device, as given
  int gpus = -1;  ///< GPUs wanted; -1: the /dev/nvidiaN among device_nodes
  uint64_t memory_limit_bytes = 4ull << 30;  ///< --memory-limit-gib
  uint64_t disk_limit_bytes = 0;  ///< --disk-limit-gib; 0: the home has no limit
};

/// The server's command line read as words.
struct ServerCommand {
  std::vector<std::string> words;  ///< shell words, quotes removed
  std::string program;   ///< the program run ({weights} → local_model_weights)
  std::string module;    ///< `python -m MODULE`: MODULE; else ""
  bool python = false;   ///< program is a python interpreter
  bool vllm = false;     ///< a word names vLLM (vllm, -m vllm.…)
  double gpu_memory_utilization = -1;  ///< vLLM's flag; -1 absent
  int tensor_parallel_size = 1;        ///< vLLM's -tp / --tensor-parallel-size
  std::string served_model_name;       ///< vLLM's --served-model-name; "" absent
};
/// Splits `command` into words as the shell does for simple quoting
/// ('…', "…", backslashes) and reads the flags above. Leading NAME=value
/// words and `env` are skipped to find the program.
ServerCommand ParseServerCommand(const std::string& command);

/// "140.2 GiB", "3.5 MiB", "12 KiB": sizes in the checks' lines.
std::string ShownBytes(uint64_t bytes);

/// The template's program and flags: where the program is (in the weights
/// folder, or to be found in the device) and, for vLLM, the served name the
/// agent will ask for. Pure.
Checks ServerCommandChecks(const ServerCommand& command, const std::string& model);

/// One GPU as nvidia-smi lists it.
struct GpuInfo {
  int index = 0;
  int minor = -1;  ///< /dev/nvidia<minor>
  std::string name;
  uint64_t total_bytes = 0;
  uint64_t used_bytes = 0;
};
/// Parses `nvidia-smi --query-gpu=index,minor_number,name,memory.total,
/// memory.used --format=csv,noheader,nounits` (MiB); lines that do not
/// parse are skipped.
std::vector<GpuInfo> ParseNvidiaSmi(const std::string& csv);

/// What the host says about its GPUs.
struct GpuFacts {
  std::vector<std::string> host_nodes;  ///< /dev/nvidia* that are device nodes
  std::string smi_path;                 ///< "" when nvidia-smi is not in PATH
  int smi_exit = -1;
  std::string smi_output;
  std::vector<GpuInfo> gpus;
};
GpuFacts ReadGpuFacts();

/// GPUs wanted: spec.gpus, else the /dev/nvidiaN among the device nodes,
/// else 1 for a vLLM command (it needs one), else 0.
int WantedGpus(const NativeDoctorSpec& spec, const ServerCommand& command);

/// Pure: the device nodes, nvidia-smi, and the GPU memory for two servers
/// on `weights_bytes` of weights.
Checks GpuChecks(const GpuFacts& facts, const NativeDoctorSpec& spec,
                 const ServerCommand& command, uint64_t weights_bytes);

/// Host memory, the device's memory limit and disk, for two servers.
struct ResourceFacts {
  uint64_t mem_total = 0;       ///< /proc/meminfo MemTotal
  uint64_t mem_available = 0;   ///< MemAvailable
  uint64_t tmp_free = 0;        ///< free bytes where trials' homes live (/tmp)
  uint64_t weights_bytes = 0;
  /// Whether a trial here sees the weights through a copy-on-write view
  /// (then only a replica's copy takes room) or copies them, and why.
  bool weights_view = false;
  std::string copy_reason;
};
/// Tries the view in a probe folder under /tmp, as a trial would.
ResourceFacts ReadResourceFacts(const std::string& weights_dir);
/// Host memory of one server besides its weights: Python, PyTorch and the
/// CUDA runtime for vLLM (an estimate), little for others.
uint64_t ServerRuntimeBytes(const ServerCommand& command);
/// Pure.
Checks ResourceChecks(const ResourceFacts& facts, const NativeDoctorSpec& spec,
                      const ServerCommand& command);

/// In a real device (the trial's device nodes and memory limit): the
/// template's program is found and runnable, its interpreter too, `python
/// -m MODULE`'s module (vllm for vLLM commands) imports, and with GPUs
/// wanted `nvidia-smi -L` sees them. `bin_dir` holds redline-devinit.
Checks DeviceProgramChecks(const NativeDoctorSpec& spec, const ServerCommand& command,
                           int gpus_wanted, bool host_gpus_ok,
                           const std::string& bin_dir);

/// Every native check, in order.
Checks NativeChecks(const NativeDoctorSpec& spec, const std::string& bin_dir);

}  // namespace redline

#endif  // REDLINE_DOCTOR_NATIVE_CHECKS_H_
