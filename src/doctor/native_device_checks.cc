// What the native server needs, seen from inside a real device: the device
// has the host's /usr and /etc but not /opt, /home or a build folder, so a
// server installed in a virtualenv there is "command not found" in every
// trial. The doctor asks a device, as a trial would, instead of guessing
// from the host's view.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "doctor/probe_dir.h"
#include "base/random.h"
#include "device/device.h"
#include "doctor/native_checks.h"
#include "doctor/run_program.h"

namespace redline {
namespace {

constexpr char kWeightsPrefix[] = "local_model_weights/";
// Where the probes run: the ai-system folder, as the deploy script does.
constexpr char kSystemInDevice[] = "/home/agent/ai-system";
// Importing vLLM loads PyTorch and CUDA's libraries: tens of seconds cold.
constexpr double kImportTimeout = 300;

// Finds the program (PATH inside: the device's), resolves symlinks, and
// checks a script's interpreter; prints what it found.
constexpr char kProgramProbe[] = R"SH(p=$1
if ! where=$(command -v -- "$p"); then echo "not found in the device"; exit 3; fi
case $where in /*) ;; *) where=$PWD/$where ;; esac
real=$(readlink -f -- "$where" 2>/dev/null) || real=$where
[ -x "$real" ] || { echo "not executable in the device: $real"; exit 4; }
echo "found $where ($real)"
first=$(head -c 256 -- "$real" | head -n 1 | tr -d '\0')
case $first in
  '#!'*) set -- ${first#??}
    [ -x "$1" ] || { echo "its interpreter $1 is not in the device"; exit 5; }
    if [ "${1##*/}" = env ] && [ -n "${2:-}" ]; then
      i=$(command -v -- "$2") || { echo "its interpreter $2 (via $1) is not in the device"; exit 5; }
      echo "interpreter $i"
    else
      echo "interpreter $1"
    fi ;;
esac
)SH";

constexpr char kImportProbe[] =
    "import importlib, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "top = sys.modules[sys.argv[1].split('.')[0]]\n"
    "print('version', getattr(top, '__version__', 'unknown'))\n";


struct DeviceRun {
  bool finished = false;
  bool ok = false;       ///< exit status 0
  std::string status;    ///< "exit status 3", "timed out"
  std::string output;    ///< trimmed
  double seconds = 0;
};

std::string Chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

std::string LastLine(const std::string& text) {
  std::string t = Chomp(text);
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

// Runs `argv` in the device from the ai-system folder and waits for it.
DeviceRun RunInDevice(Device& device, const std::string& home,
                      const std::vector<std::string>& argv, double timeout) {
  static int counter = 0;
  std::string log = "probe-" + std::to_string(++counter) + ".log";
  DeviceRun run;
  double start = MonotonicSeconds();
  pid_t pid = device.Spawn({argv, kSystemInDevice, std::string("/home/agent/") + log});
  for (;;) {
    run.status = device.ExitReport(pid);
    if (!run.status.empty()) break;
    if (MonotonicSeconds() - start > timeout) {
      run.status = "timed out after " + std::to_string(static_cast<int>(timeout)) + " s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  run.seconds = MonotonicSeconds() - start;
  run.finished = run.status.starts_with("exit status");
  run.ok = run.status == "exit status 0";
  std::string path = home + "/" + log;
  if (PathExists(path)) run.output = Chomp(ReadFile(path));
  if (run.output.size() > 4000) run.output = run.output.substr(run.output.size() - 4000);
  return run;
}

std::string HostProgramPath(const std::string& program) {
  if (program.find('/') != std::string::npos)
    return ::access(program.c_str(), X_OK) == 0 ? program : "";
  const char* env = std::getenv("PATH");
  std::stringstream dirs(env ? env : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty() || dir[0] != '/') continue;
    std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string RealPath(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) return path;
  std::string out = real;
  std::free(real);
  return out;
}

constexpr char kVisibleFix[] =
    "install it where the device sees it (under /usr, e.g. pip install into the system "
    "python as root, or /usr/local), or put the program in the weights folder and name "
    "it ./local_model_weights/… in --server-command (docs/models.md)";

// A program that travels with the weights (a llamafile, a stand-in): the
// trial copies the folder, so the host's copy is what the device gets.
Check WeightsProgramCheck(const NativeDoctorSpec& spec, const std::string& program) {
  std::string rel = program.substr(program.find(kWeightsPrefix) + sizeof kWeightsPrefix - 1);
  std::string host = JoinPath(spec.weights_dir, rel);
  struct stat st;
  if (::stat(host.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return Fail("server program", "`" + program + "` is not in the weights folder (" + host +
                                      " is missing)",
                "put the server program into " + spec.weights_dir + " or fix --server-command");
  if ((st.st_mode & 0111) == 0)
    return Fail("server program", host + " is not executable", "chmod +x " + host);
  return Ok("server program", "`" + program + "` travels with the weights (" + host + ")");
}

Check ProgramCheck(const DeviceRun& run, const std::string& program) {
  const char* name = "server program";
  if (run.ok)
    return Ok(name, "`" + program + "` in the device: " + FirstLine(run.output));
  std::string detail = "`" + program + "`: " +
                       (run.finished ? FirstLine(LastLine(run.output)) : run.status);
  std::string host = HostProgramPath(program);
  if (!host.empty())
    detail += "; on the host it is " + host +
              (RealPath(host) != host ? " → " + RealPath(host) : std::string()) +
              ", outside what a device sees (/usr, /etc)";
  return Fail(name, detail, kVisibleFix);
}

// The interpreter a module import must use: the program itself, or the
// interpreter its script names.
std::string PythonOf(const ServerCommand& command, const DeviceRun& program_run) {
  if (command.python) return command.program;
  std::string out = program_run.output;
  size_t at = out.find("interpreter ");
  if (at != std::string::npos) {
    std::string interp = FirstLine(out.substr(at + 12));
    std::string base = interp.substr(interp.rfind('/') + 1);
    if (base.starts_with("python")) return interp;
  }
  return "python3";
}

Check ImportCheck(const DeviceRun& run, const std::string& python,
                  const std::string& module, bool vllm) {
  std::string name = vllm ? "vLLM import" : "module import";
  std::string what = "`" + python + " -c 'import " + module + "'` in the device";
  char took[32];
  std::snprintf(took, sizeof took, "%.1f s", run.seconds);
  if (run.ok) {
    std::string version = run.output.substr(run.output.rfind("version ") == std::string::npos
                                                ? 0
                                                : run.output.rfind("version ") + 8);
    return Ok(name, what + " works (" + module.substr(0, module.find('.')) + " " +
                        FirstLine(version) + ", " + took + ")");
  }
  std::string why = run.finished ? LastLine(run.output) : run.status;
  if (why.empty()) why = run.status;
  return Fail(name, what + " fails: " + FirstLine(why),
              std::string(vllm ? "install vLLM" : "install " + module) +
                  " for " + python + " where the device sees it (the system python's "
                  "site-packages under /usr; a virtualenv under /opt or /home is not "
                  "visible, nor ~/.local)");
}

Check DeviceGpuCheck(const DeviceRun& run, int wanted) {
  const char* name = "GPUs in the device";
  int seen = 0;
  std::stringstream lines(run.output);
  std::string line;
  while (std::getline(lines, line))
    if (line.starts_with("GPU ")) ++seen;
  if (!run.ok)
    return Fail(name, "`nvidia-smi -L` in the device fails (" + run.status + "): " +
                          FirstLine(LastLine(run.output)),
                "the driver's user-space libraries must be under /usr, and every "
                "/dev/nvidia* node passed with --device");
  if (seen < wanted)
    return Fail(name, "`nvidia-smi -L` in the device lists " + std::to_string(seen) +
                          " GPUs, " + std::to_string(wanted) + " wanted",
                "pass each GPU's /dev/nvidiaN with --device");
  return Ok(name, "`nvidia-smi -L` in the device lists " + std::to_string(seen) + " GPU" +
                      (seen == 1 ? "" : "s"));
}

}  // namespace

Checks DeviceProgramChecks(const NativeDoctorSpec& spec, const ServerCommand& command,
                           int gpus_wanted, bool host_gpus_ok,
                           const std::string& bin_dir) {
  bool in_weights = command.program.starts_with(kWeightsPrefix) ||
                    command.program.starts_with(std::string("./") + kWeightsPrefix);
  bool import = command.vllm || !command.module.empty();
  bool gpus = gpus_wanted > 0 && host_gpus_ok;
  Checks out;
  if (in_weights) out.push_back(WeightsProgramCheck(spec, command.program));
  if (in_weights && !import && !gpus) return out;
  std::string devinit = JoinPath(bin_dir, "redline-devinit");
  if (::access(devinit.c_str(), X_OK) != 0) {
    out.push_back(Fail("server program", "not tried in a device: redline-devinit is "
                                         "missing", "see helper programs"));
    return out;
  }
  try {
    ProbeDir dir("rl-doctor-native");
    std::string home = dir.Make("home");
    dir.Make("home/ai-system");
    DeviceSpec d;
    d.name = "doctor-native-" + std::to_string(::getpid()) + "-" + RandomToken(6);
    d.home_dir = home;
    d.broker_dir = dir.Make("broker");
    d.devinit_path = dir.Make("init") + "/devinit";
    CopyFile(devinit, d.devinit_path);
    if (::chmod(d.devinit_path.c_str(), 0755) != 0)
      ThrowErrno("chmod(\"" + d.devinit_path + "\")");
    d.memory_limit_bytes = spec.memory_limit_bytes;
    d.disk_limit_bytes = 0;
    for (const std::string& node : spec.device_nodes) {
      struct stat st;
      if (::stat(node.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        d.device_nodes.push_back(node);
    }
    std::unique_ptr<Device> device = Device::Start(d);
    DeviceRun program_run;
    if (!in_weights) {
      program_run = RunInDevice(*device, home, {"bash", "-c", kProgramProbe, "probe",
                                                command.program}, 30);
      out.push_back(ProgramCheck(program_run, command.program));
    }
    if (import) {
      std::string python = PythonOf(command, program_run);
      std::string module = !command.module.empty() ? command.module : "vllm";
      DeviceRun run = RunInDevice(*device, home, {python, "-c", kImportProbe, module},
                                  kImportTimeout);
      out.push_back(ImportCheck(run, python, module, command.vllm));
    }
    if (gpus)
      out.push_back(DeviceGpuCheck(RunInDevice(*device, home, {"nvidia-smi", "-L"}, 60),
                                   gpus_wanted));
    device->Teardown();
  } catch (const std::exception& e) {
    out.push_back(Fail("server program", std::string("cannot start a device to look: ") +
                                             e.what(), "fix the host checks first"));
  }
  return out;
}

Checks NativeChecks(const NativeDoctorSpec& spec, const std::string& bin_dir) {
  ServerCommand command = ParseServerCommand(spec.server_command);
  Checks out = ServerCommandChecks(command, spec.model);
  if (command.program.empty()) return out;
  ResourceFacts resources = ReadResourceFacts(spec.weights_dir);
  Checks gpu = GpuChecks(ReadGpuFacts(), spec, command, resources.weights_bytes);
  bool host_gpus_ok = DoctorExitStatus(gpu) == 0;
  Append(&out, gpu);
  Append(&out, DeviceProgramChecks(spec, command, WantedGpus(spec, command), host_gpus_ok,
                                   bin_dir));
  Append(&out, ResourceChecks(resources, spec, command));
  return out;
}

}  // namespace redline
