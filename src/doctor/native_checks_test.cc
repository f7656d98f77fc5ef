// redline doctor --mode native: the decisions for nodes we do not have (GPUs,
// little memory, a busy GPU) from facts, and what a real device here sees
// of a server's program and of vLLM.
#include "doctor/native_checks.h"
#include "system/weights_copy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/files.h"

namespace redline {
namespace {

constexpr uint64_t kGiB = 1ull << 30;
constexpr char kVllm[] =
    "python3 -m vllm.entrypoints.openai.api_server --model {weights} "
    "--served-model-name Qwen2.5-72B-Instruct --port {port} --gpu-memory-utilization 0.45 "
    "--tensor-parallel-size 8";

const Check* Find(const Checks& checks, const std::string& name) {
  for (const Check& c : checks)
    if (c.name == name) return &c;
  return nullptr;
}

// The status of the check `name`; a value no check has when it is absent.
CheckStatus StatusOf(const Checks& checks, const std::string& name) {
  const Check* c = Find(checks, name);
  return c ? c->status : static_cast<CheckStatus>(-1);
}

std::string Dump(const Checks& checks) {
  std::string out;
  for (const Check& c : checks)
    out += std::string(StatusWord(c.status)) + " " + c.name + ": " + c.detail + " | " +
           c.fix + "\n";
  return out;
}

TEST(NativeCommand, ReadsTheProgramAndVllmFlags) {
  ServerCommand c = ParseServerCommand(std::string("CUDA_VISIBLE_DEVICES=0,1 ") + kVllm);
  EXPECT_EQ(c.program, "python3");
  EXPECT_TRUE(c.python);
  EXPECT_EQ(c.module, "vllm.entrypoints.openai.api_server");
  EXPECT_TRUE(c.vllm);
  EXPECT_DOUBLE_EQ(c.gpu_memory_utilization, 0.45);
  EXPECT_EQ(c.tensor_parallel_size, 8);
  EXPECT_EQ(c.served_model_name, "Qwen2.5-72B-Instruct");

  ServerCommand serve = ParseServerCommand("env -u X vllm serve {weights} --port={port} -tp 2");
  EXPECT_EQ(serve.program, "vllm");
  EXPECT_FALSE(serve.python);
  EXPECT_TRUE(serve.vllm);
  EXPECT_EQ(serve.tensor_parallel_size, 2);
  EXPECT_LT(serve.gpu_memory_utilization, 0);

  ServerCommand llama = ParseServerCommand(
      "'{weights}/llama server' -m {weights}/m.gguf --port {port}");
  EXPECT_EQ(llama.program, "local_model_weights/llama server");
  EXPECT_FALSE(llama.vllm);
  EXPECT_TRUE(ParseServerCommand("   ").program.empty());
}

TEST(NativeCommand, VllmMustServeTheNameTheAgentAsksFor) {
  Checks ok = ServerCommandChecks(ParseServerCommand(kVllm), "openai/Qwen2.5-72B-Instruct");
  EXPECT_EQ(DoctorExitStatus(ok), 0) << Dump(ok);
  Checks wrong = ServerCommandChecks(ParseServerCommand(kVllm), "openai/Llama-3.1-70B-Instruct");
  const Check* served = Find(wrong, "served model");
  ASSERT_NE(served, nullptr);
  EXPECT_EQ(served->status, CheckStatus::kFail);
  EXPECT_NE(served->fix.find("--served-model-name Llama-3.1-70B-Instruct"), std::string::npos);
  Checks unnamed = ServerCommandChecks(
      ParseServerCommand("python3 -m vllm.entrypoints.openai.api_server --model {weights} "
                         "--port {port}"),
      "openai/Qwen2.5-72B-Instruct");
  EXPECT_NE(Find(unnamed, "served model")->detail.find("local_model_weights"),
            std::string::npos);
}

GpuFacts EightH100(uint64_t used_mib = 500) {
  GpuFacts f;
  f.host_nodes = {"/dev/nvidia-uvm", "/dev/nvidiactl"};
  f.smi_path = "/usr/bin/nvidia-smi";
  f.smi_exit = 0;
  std::string csv;
  for (int i = 0; i < 8; ++i) {
    f.host_nodes.push_back("/dev/nvidia" + std::to_string(i));
    csv += std::to_string(i) + ", " + std::to_string(i) + ", NVIDIA H100 80GB HBM3, 81559, " +
           std::to_string(used_mib) + "\n";
  }
  f.gpus = ParseNvidiaSmi(csv + "garbage line\n");
  return f;
}

TEST(NativeGpus, NvidiaSmiCsvIsParsed) {
  std::vector<GpuInfo> g = ParseNvidiaSmi("0, 3, NVIDIA H200, 143771, 0\nnot, a, gpu\n");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].index, 0);
  EXPECT_EQ(g[0].minor, 3);
  EXPECT_EQ(g[0].name, "NVIDIA H200");
  EXPECT_EQ(g[0].total_bytes, 143771ull << 20);
  EXPECT_EQ(EightH100().gpus.size(), 8u);
}

TEST(NativeGpus, NoGpuIsSaidPlainly) {
  NativeDoctorSpec spec;
  spec.device_nodes = {"/dev/nvidia0"};
  Checks c = GpuChecks(GpuFacts{}, spec, ParseServerCommand(kVllm), 140 * kGiB);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].status, CheckStatus::kFail);
  EXPECT_NE(c[0].detail.find("no GPU present"), std::string::npos) << c[0].detail;
  // Without a vLLM command and with --gpus 0 nothing is asked of GPUs.
  NativeDoctorSpec cpu;
  cpu.gpus = 0;
  Checks none = GpuChecks(GpuFacts{}, cpu, ParseServerCommand("llama-server -m {weights} "
                                                              "--port {port}"), kGiB);
  EXPECT_EQ(DoctorExitStatus(none), 0) << Dump(none);
}

// This host, as the doctor reads it: the test machines have no GPU.
TEST(NativeGpus, ThisHostWithoutAGpuReportsNoGpuPresent) {
  GpuFacts facts = ReadGpuFacts();
  if (!facts.host_nodes.empty() || !facts.smi_path.empty())
    GTEST_SKIP() << "this host has NVIDIA nodes or nvidia-smi";
  NativeDoctorSpec spec;
  spec.gpus = 2;
  Checks c = GpuChecks(facts, spec, ParseServerCommand(kVllm), kGiB);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].status, CheckStatus::kFail);
  EXPECT_EQ(c[0].detail, "no GPU present: this host has no /dev/nvidia* device nodes and no "
                         "nvidia-smi (2 GPUs wanted)");
}

TEST(NativeGpus, EightH100AtHalfEachHoldTwo72BServers) {
  NativeDoctorSpec spec;
  spec.device_nodes = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
  spec.gpus = 8;
  // Nodes that do not exist here are a FAIL naming them, before anything else.
  Checks absent = GpuChecks(EightH100(), spec, ParseServerCommand(kVllm), 136 * kGiB);
  EXPECT_EQ(Find(absent, "GPU device nodes")->status, CheckStatus::kFail);
  EXPECT_NE(Find(absent, "GPU device nodes")->detail.find("not a device node"),
            std::string::npos);
  spec.device_nodes.clear();
  // Nothing passed in: the exact flags to add.
  Checks c = GpuChecks(EightH100(), spec, ParseServerCommand(kVllm), 136 * kGiB);
  const Check* nodes = Find(c, "GPU device nodes");
  ASSERT_NE(nodes, nullptr) << Dump(c);
  EXPECT_EQ(nodes->status, CheckStatus::kFail);
  EXPECT_NE(nodes->fix.find("--device /dev/nvidiactl --device /dev/nvidia-uvm --device "
                            "/dev/nvidia0"),
            std::string::npos) << nodes->fix;
  EXPECT_NE(nodes->fix.find("--device /dev/nvidia7"), std::string::npos);
  EXPECT_EQ(Find(c, "nvidia-smi")->status, CheckStatus::kOk) << Dump(c);
  const Check* memory = Find(c, "GPU memory");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->status, CheckStatus::kOk) << memory->detail;
}

TEST(NativeGpus, TwoServersThatCannotShareTheGpusFail) {
  NativeDoctorSpec spec;
  spec.gpus = 8;
  // vLLM's default 0.9: the replica's server finds no memory.
  Checks greedy = GpuChecks(
      EightH100(), spec,
      ParseServerCommand("python3 -m vllm.entrypoints.openai.api_server --model {weights} "
                         "--port {port} -tp 8"),
      136 * kGiB);
  const Check* g = Find(greedy, "GPU memory");
  ASSERT_NE(g, nullptr) << Dump(greedy);
  EXPECT_EQ(g->status, CheckStatus::kFail);
  EXPECT_NE(g->detail.find("vLLM's default"), std::string::npos) << g->detail;
  EXPECT_NE(g->fix.find("--gpu-memory-utilization 0.4"), std::string::npos) << g->fix;
  // One GPU at 0.45 cannot hold 136 GiB of weights.
  spec.gpus = 1;
  Checks one = GpuChecks(EightH100(), spec,
                         ParseServerCommand("python3 -m vllm.entrypoints.openai.api_server "
                                            "--model {weights} --port {port} "
                                            "--gpu-memory-utilization 0.45"),
                         136 * kGiB);
  EXPECT_EQ(Find(one, "GPU memory")->status, CheckStatus::kFail) << Dump(one);
  // GPUs that others already fill: two copies do not fit.
  spec.gpus = 8;
  Checks busy = GpuChecks(EightH100(60000), spec, ParseServerCommand(kVllm), 136 * kGiB);
  EXPECT_EQ(Find(busy, "GPU memory")->status, CheckStatus::kFail) << Dump(busy);
  EXPECT_NE(Find(busy, "GPU memory")->detail.find("2 × 136.0 GiB"), std::string::npos);
  // nvidia-smi that sees fewer GPUs than wanted.
  spec.gpus = 9;
  Checks more = GpuChecks(EightH100(), spec, ParseServerCommand(kVllm), kGiB);
  EXPECT_EQ(DoctorExitStatus(more), 1) << Dump(more);
}

TEST(NativeResources, TwoServersNeedMemoryAndTwoCopiesNeedDisk) {
  ServerCommand vllm = ParseServerCommand(kVllm);
  NativeDoctorSpec spec;
  spec.weights_dir = "/models/q";
  spec.memory_limit_bytes = 64 * kGiB;
  ResourceFacts big{2048 * kGiB, 2000 * kGiB, 1000 * kGiB, 136 * kGiB};
  EXPECT_EQ(DoctorExitStatus(ResourceChecks(big, spec, vllm)), 0)
      << Dump(ResourceChecks(big, spec, vllm));
  // redline run's default memory limit (4 GiB) cannot hold two vLLM servers.
  spec.memory_limit_bytes = 4 * kGiB;
  Checks small_limit = ResourceChecks(big, spec, vllm);
  const Check* limit = Find(small_limit, "device memory limit");
  EXPECT_EQ(limit->status, CheckStatus::kFail);
  EXPECT_EQ(limit->fix, "--memory-limit-gib 16 or more");
  spec.memory_limit_bytes = 64 * kGiB;
  // Room for one copy of the weights but not for the replica's.
  ResourceFacts one_copy = big;
  one_copy.tmp_free = 200 * kGiB;
  EXPECT_EQ(StatusOf(ResourceChecks(one_copy, spec, vllm), "disk for the weights"),
            CheckStatus::kWarn);
  one_copy.tmp_free = 100 * kGiB;
  EXPECT_EQ(StatusOf(ResourceChecks(one_copy, spec, vllm), "disk for the weights"),
            CheckStatus::kFail);
  // A small node: both checkpoints cannot stay cached (warn); too little
  // available for two servers at all (FAIL).
  ResourceFacts small = big;
  small.mem_total = 128 * kGiB;
  small.mem_available = 100 * kGiB;
  EXPECT_EQ(StatusOf(ResourceChecks(small, spec, vllm), "host memory"),
            CheckStatus::kWarn);
  small.mem_available = 10 * kGiB;
  EXPECT_EQ(StatusOf(ResourceChecks(small, spec, vllm), "host memory"),
            CheckStatus::kFail);
  // A RAM-backed home (--disk-limit-gib) holds both copies in the memory limit.
  spec.disk_limit_bytes = 300 * kGiB;
  EXPECT_EQ(StatusOf(ResourceChecks(big, spec, vllm), "device memory limit"),
            CheckStatus::kFail);
}

// With a copy-on-write view the trial's weights take no room: only a
// replica's copy must fit, on disk or in a RAM-backed home.
TEST(NativeResources, AViewOfTheWeightsNeedsRoomForOneCopyOnly) {
  ServerCommand vllm = ParseServerCommand(kVllm);
  NativeDoctorSpec spec;
  spec.weights_dir = "/models/q";
  spec.memory_limit_bytes = 64 * kGiB;
  ResourceFacts copy{2048 * kGiB, 2000 * kGiB, 200 * kGiB, 136 * kGiB};
  copy.copy_reason = "mounting a copy-on-write view needs root";
  ResourceFacts view = copy;
  view.weights_view = true;
  view.copy_reason = "";
  const Check* disk = Find(ResourceChecks(copy, spec, vllm), "disk for the weights");
  EXPECT_EQ(disk->status, CheckStatus::kWarn);
  EXPECT_NE(disk->detail.find("needs root"), std::string::npos) << disk->detail;
  disk = Find(ResourceChecks(view, spec, vllm), "disk for the weights");
  EXPECT_EQ(disk->status, CheckStatus::kOk) << disk->detail;
  EXPECT_NE(disk->detail.find("copy-on-write view"), std::string::npos) << disk->detail;
  view.tmp_free = 100 * kGiB;  // not even the replica's copy
  EXPECT_EQ(StatusOf(ResourceChecks(view, spec, vllm), "disk for the weights"),
            CheckStatus::kWarn);
  // A RAM-backed home: two servers (8 GiB each) and one copy fit in 160 GiB;
  // two copies do not.
  spec.disk_limit_bytes = 150 * kGiB;
  spec.memory_limit_bytes = 160 * kGiB;
  view.tmp_free = 1000 * kGiB;
  EXPECT_EQ(StatusOf(ResourceChecks(view, spec, vllm), "device memory limit"),
            CheckStatus::kOk);
  EXPECT_EQ(StatusOf(ResourceChecks(view, spec, vllm), "disk for the weights"),
            CheckStatus::kOk);
  EXPECT_EQ(StatusOf(ResourceChecks(copy, spec, vllm), "device memory limit"),
            CheckStatus::kFail);
  EXPECT_EQ(StatusOf(ResourceChecks(copy, spec, vllm), "disk for the weights"),
            CheckStatus::kFail);
}

TEST(NativeResources, WeightsAreMeasuredFollowingLinks) {
  std::string dir = ::testing::TempDir() + "native-weights-" + std::to_string(::getpid());
  RemoveTree(dir);
  MakeDirs(dir + "/sub");
  WriteFileAtomic(dir + "/sub/a.safetensors", std::string(3000, 'x'));
  WriteFileAtomic(dir + "/config.json", "{}");
  std::filesystem::create_symlink(dir + "/sub/a.safetensors", dir + "/b.safetensors");
  EXPECT_EQ(WeightsBytes(dir), 6002u);
  EXPECT_EQ(ShownBytes(6002), "6 KiB");
  EXPECT_EQ(ShownBytes(136 * kGiB), "136.0 GiB");
  RemoveTree(dir);
}

// ReadResourceFacts tries the view as a trial would: a plain folder gets
// one (as root); a link that leads out of it makes trials copy, and says so.
TEST(NativeResources, ReadsWhetherTrialsGetAView) {
  if (::geteuid() != 0) GTEST_SKIP() << "a view needs root";
  std::string dir = "/tmp/rl-native-view-test-" + std::to_string(::getpid());
  RemoveTree(dir);
  MakeDirs(dir + "/weights");
  WriteFileAtomic(dir + "/weights/a.safetensors", std::string(3000, 'x'));
  ResourceFacts plain = ReadResourceFacts(dir + "/weights");
  EXPECT_TRUE(plain.weights_view) << plain.copy_reason;
  WriteFileAtomic(dir + "/outside.safetensors", std::string(10, 'y'));
  std::filesystem::create_symlink(dir + "/outside.safetensors", dir + "/weights/b.safetensors");
  ResourceFacts linked = ReadResourceFacts(dir + "/weights");
  EXPECT_FALSE(linked.weights_view);
  EXPECT_NE(linked.copy_reason.find("b.safetensors"), std::string::npos) << linked.copy_reason;
  RemoveTree(dir);
}

// A real device on this host (root): what a trial's server would find.
class NativeDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "devices need root here";
    dir_ = "/tmp/rl-native-doctor-test-" + std::to_string(::getpid());
    RemoveTree(dir_);
    MakeDirs(dir_ + "/weights");
    ::chmod(dir_.c_str(), 0755);
    WriteFileAtomic(dir_ + "/weights/config.json", "{}");
    spec_.weights_dir = dir_ + "/weights";
  }
  void TearDown() override { RemoveTree(dir_); }
  Checks Run(const std::string& command) {
    spec_.server_command = command;
    ServerCommand c = ParseServerCommand(command);
    return DeviceProgramChecks(spec_, c, 0, false, REDLINE_BIN_DIR);
  }
  std::string dir_;
  NativeDoctorSpec spec_;
};

TEST_F(NativeDevice, ProgramsUnderUsrAreFoundAndOthersAreNot) {
  Checks bash = Run("bash -c 'x {port} {weights}'");
  ASSERT_EQ(bash.size(), 1u);
  EXPECT_EQ(bash[0].status, CheckStatus::kOk) << Dump(bash);
  EXPECT_NE(bash[0].detail.find("/usr/bin/bash"), std::string::npos) << bash[0].detail;
  // A server installed outside /usr (here: this test's folder, as a
  // virtualenv under /opt would be) exists on the host but not in a device.
  WriteFileAtomic(dir_ + "/serve", "#!/bin/sh\nexit 0\n");
  ::chmod((dir_ + "/serve").c_str(), 0755);
  Checks outside = Run(dir_ + "/serve --port {port} --weights {weights}");
  ASSERT_EQ(outside.size(), 1u);
  EXPECT_EQ(outside[0].status, CheckStatus::kFail);
  EXPECT_NE(outside[0].detail.find("not found in the device"), std::string::npos)
      << outside[0].detail;
  EXPECT_NE(outside[0].detail.find("on the host it is " + dir_ + "/serve"), std::string::npos)
      << outside[0].detail;
  EXPECT_NE(outside[0].fix.find("/usr"), std::string::npos);
}

TEST_F(NativeDevice, ProgramsInTheWeightsFolderTravelWithThem) {
  WriteFileAtomic(dir_ + "/weights/serve", "#!/bin/sh\nexit 0\n");
  Checks not_x = Run("./local_model_weights/serve --port {port} --weights {weights}");
  EXPECT_EQ(not_x[0].status, CheckStatus::kFail);
  EXPECT_EQ(not_x[0].fix, "chmod +x " + dir_ + "/weights/serve");
  ::chmod((dir_ + "/weights/serve").c_str(), 0755);
  Checks ok = Run("./local_model_weights/serve --port {port} --weights {weights}");
  EXPECT_EQ(DoctorExitStatus(ok), 0) << Dump(ok);
  Checks missing = Run("{weights}/other --port {port}");
  EXPECT_NE(missing[0].detail.find("is not in the weights folder"), std::string::npos);
}

TEST_F(NativeDevice, VllmThatDoesNotImportInTheDeviceFails) {
  if (std::system("python3 -c 'import vllm' >/dev/null 2>&1") == 0)
    GTEST_SKIP() << "vLLM is installed here";
  Checks c = Run(kVllm);
  const Check* import = Find(c, "vLLM import");
  ASSERT_NE(import, nullptr) << Dump(c);
  EXPECT_EQ(import->status, CheckStatus::kFail);
  EXPECT_NE(import->detail.find("No module named 'vllm'"), std::string::npos)
      << import->detail;
  EXPECT_EQ(Find(c, "server program")->status, CheckStatus::kOk) << Dump(c);
  // A module the system python has imports, and its version is shown.
  Checks json = Run("python3 -m json.tool {weights} {port}");
  EXPECT_EQ(Find(json, "module import")->status, CheckStatus::kOk) << Dump(json);
}

}  // namespace
}  // namespace redline
