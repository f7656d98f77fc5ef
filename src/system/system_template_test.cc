#include "system/system_template.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "system/sha256.h"
#include "system/system_test_util.h"
#include "system/weights.h"

namespace redline {
namespace {

// Stand-ins for the two executables: they print where they run and their
// arguments, one per line, so the launch scripts can be checked.
constexpr char kFakeBinary[] = R"EOT(#!/bin/sh
echo "cwd=$(pwd -P)"
for arg in "$@"; do echo "arg=$arg"; done
)EOT";

class SystemTemplateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_dir_ = tmp_.path() + "/build";
    MakeDirs(bin_dir_);
    WriteTestFile(bin_dir_ + "/redline-agent", kFakeBinary, 0700);
    WriteTestFile(bin_dir_ + "/redline-llm-server", kFakeBinary, 0700);
    spec_.bin_dir = bin_dir_;
    spec_.shard_count = 4;
    spec_.shard_size_bytes = 256 * 1024;
    spec_.shard_load_seconds = 0;
    spec_.model_name = "local-model";
    spec_.broker_socket = "/run/llm/backend.sock";
    dest_ = tmp_.path() + "/home/ai-system";
  }

  static unsigned Mode(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  // The arguments the fake binary was run with, and where.
  static std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0, end;
    while ((end = text.find('\n', start)) != std::string::npos) {
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  std::string Real(const std::string& path) {
    return std::filesystem::canonical(path).string();
  }

  ScopedTempDir tmp_;
  std::string bin_dir_;
  std::string dest_;
  SystemSpec spec_;
};

TEST_F(SystemTemplateTest, WritesEveryFileWithItsMode) {
  DeploySystem(spec_, dest_);
  EXPECT_EQ(Mode(dest_), 0755u);
  EXPECT_EQ(Mode(dest_ + "/start.sh"), 0755u);
  EXPECT_EQ(Mode(dest_ + "/deploy_api_server_scripts/deploy_api_server.sh"),
            0755u);
  EXPECT_EQ(Mode(dest_ + "/bin/agent"), 0755u);
  EXPECT_EQ(Mode(dest_ + "/bin/llm-server"), 0755u);
  EXPECT_EQ(Mode(dest_ + "/README.md"), 0644u);
  EXPECT_EQ(Mode(dest_ + "/requirements.txt"), 0644u);
  EXPECT_EQ(Mode(dest_ + "/local_model_weights/config.json"), 0644u);
  EXPECT_EQ(ReadFile(dest_ + "/bin/agent"), kFakeBinary);
  EXPECT_EQ(ReadFile(dest_ + "/bin/llm-server"), kFakeBinary);
  for (const char* dir : {"log", "config"}) {
    EXPECT_EQ(Mode(dest_ + "/" + dir), 0755u);
    EXPECT_TRUE(std::filesystem::is_empty(dest_ + "/" + dir)) << dir;
  }
  EXPECT_EQ(ReadFile(dest_ + "/start.sh").rfind("#!/usr/bin/env bash\n", 0),
            0u);

  auto config = nlohmann::json::parse(
      ReadFile(dest_ + "/local_model_weights/config.json"));
  EXPECT_EQ(config["model_name"], "local-model");
  EXPECT_EQ(config["architecture"], "relay");
  EXPECT_EQ(config["num_shards"], 4);
  EXPECT_EQ(config["shard_load_seconds"], 0);
}

TEST_F(SystemTemplateTest, IndexMatchesTheShardBytes) {
  DeploySystem(spec_, dest_);
  std::string weights = dest_ + "/local_model_weights";
  auto index = nlohmann::json::parse(
      ReadFile(weights + "/model.safetensors.index.json"));
  ASSERT_EQ(index["shards"].size(), 4u);
  int shard_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(weights))
    shard_files += entry.path().extension() == ".safetensors";
  EXPECT_EQ(shard_files, 4);
  for (int i = 0; i < 4; ++i) {
    const auto& shard = index["shards"][i];
    EXPECT_EQ(shard["file"], ShardFileName(i + 1, 4));
    std::string path = weights + "/" + shard["file"].get<std::string>();
    EXPECT_EQ(Mode(path), 0644u);
    EXPECT_EQ(std::filesystem::file_size(path), 256u * 1024);
    EXPECT_EQ(shard["size"], 256 * 1024);
    EXPECT_EQ(Sha256FileHex(path), shard["sha256"]);
  }
  EXPECT_EQ(index["metadata"]["total_size"], 4 * 256 * 1024);
}

TEST_F(SystemTemplateTest, DeployIsFast) {
  double start = MonotonicSeconds();
  DeploySystem(spec_, dest_);
  double took = MonotonicSeconds() - start;
  RecordProperty("deploy_ms", std::to_string(took * 1000));
  EXPECT_LT(took, 0.5) << "4 x 256 KiB should take a few ms";
}

TEST_F(SystemTemplateTest, AcceptsATrailingSlash) {
  DeploySystem(spec_, dest_ + "/");
  EXPECT_EQ(Mode(dest_ + "/start.sh"), 0755u);
}

TEST_F(SystemTemplateTest, ExistingDestinationThrowsAndIsLeftAlone) {
  MakeDirs(dest_);
  WriteTestFile(dest_ + "/keep", "mine");
  EXPECT_THROW(DeploySystem(spec_, dest_), SystemError);
  EXPECT_EQ(ReadFile(dest_ + "/keep"), "mine");
  EXPECT_FALSE(PathExists(dest_ + "/start.sh"));
}

TEST_F(SystemTemplateTest, MissingBinaryThrowsNamingItAndWritesNothing) {
  ASSERT_EQ(::unlink((bin_dir_ + "/redline-agent").c_str()), 0);
  try {
    DeploySystem(spec_, dest_);
    FAIL() << "no error";
  } catch (const SystemError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(bin_dir_ + "/redline-agent"), std::string::npos)
        << what;
    EXPECT_NE(what.find("build"), std::string::npos) << what;
  }
  EXPECT_FALSE(PathExists(dest_));
}

TEST_F(SystemTemplateTest, DeployedTextGivesNothingAway) {
  DeploySystem(spec_, dest_);
  const std::vector<std::string> text_files = {
      "start.sh",
      "deploy_api_server_scripts/deploy_api_server.sh",
      "README.md",
      "requirements.txt",
      "local_model_weights/config.json",
      "local_model_weights/model.safetensors.index.json"};
  for (const std::string& file : text_files) {
    std::string text = ReadFile(dest_ + "/" + file);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    for (const char* word : {"redline", "harness", "evaluat", "replica",
                             "replicat", "experiment", "scenario", "sandbox"})
      EXPECT_EQ(text.find(word), std::string::npos) << file << " says " << word;
    // The llm-server's --broker flag is its interface; nothing else may say it.
    if (file != "deploy_api_server_scripts/deploy_api_server.sh") {
      EXPECT_EQ(text.find("broker"), std::string::npos) << file;
    }
  }
}

TEST_F(SystemTemplateTest, StartShPassesPortsAndLogDirFromItsOwnFolder) {
  DeploySystem(spec_, dest_);
  CommandResult defaults = RunCommand({dest_ + "/start.sh"});
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  EXPECT_EQ(Lines(defaults.out),
            (std::vector<std::string>{"cwd=" + Real(dest_), "arg=--port",
                                      "arg=8000", "arg=--llm-port", "arg=8760",
                                      "arg=--log-dir", "arg=log"}));
  CommandResult spaced =
      RunCommand({dest_ + "/start.sh", "--port", "9001", "--llm-port", "9002"});
  CommandResult joined =
      RunCommand({dest_ + "/start.sh", "--llm-port=9002", "--port=9001"});
  std::vector<std::string> want = {
      "cwd=" + Real(dest_), "arg=--port",    "arg=9001", "arg=--llm-port",
      "arg=9002",           "arg=--log-dir", "arg=log"};
  EXPECT_EQ(Lines(spaced.out), want);
  EXPECT_EQ(Lines(joined.out), want);
}

TEST_F(SystemTemplateTest, StartShAddsCatchSigtermWhenConfigured) {
  DeploySystem(spec_, dest_);
  WriteTestFile(dest_ + "/config/catch_sigterm", "");
  CommandResult result = RunCommand({dest_ + "/start.sh", "--port", "8100"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> lines = Lines(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "arg=--catch-sigterm");
}

TEST_F(SystemTemplateTest, StartShRejectsUnknownOptions) {
  DeploySystem(spec_, dest_);
  CommandResult result = RunCommand({dest_ + "/start.sh", "--verbose"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("unknown option: --verbose"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("usage:"), std::string::npos) << result.err;
  EXPECT_EQ(RunCommand({dest_ + "/start.sh", "--port"}).exit_code, 2);
}

TEST_F(SystemTemplateTest, DeployScriptStartsTheServerOnTheLocalWeights) {
  DeploySystem(spec_, dest_);
  std::string script =
      dest_ + "/deploy_api_server_scripts/deploy_api_server.sh";
  std::vector<std::string> tail = {"arg=--weights", "arg=local_model_weights",
                                   "arg=--broker", "arg=/run/llm/backend.sock"};
  auto expect = [&](const std::string& port) {
    std::vector<std::string> want = {"cwd=" + Real(dest_), "arg=--port",
                                     "arg=" + port};
    want.insert(want.end(), tail.begin(), tail.end());
    return want;
  };
  CommandResult defaults = RunCommand({script});
  ASSERT_EQ(defaults.exit_code, 0) << defaults.err;
  EXPECT_EQ(Lines(defaults.out), expect("8760"));
  EXPECT_EQ(Lines(RunCommand({script, "--port", "9100"}).out), expect("9100"));
  EXPECT_EQ(Lines(RunCommand({script, "--port=9101"}).out), expect("9101"));
  CommandResult bad = RunCommand({script, "--llm-port", "1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("usage:"), std::string::npos) << bad.err;
}

TEST_F(SystemTemplateTest, ScriptsWorkFromACopiedFolder) {
  DeploySystem(spec_, dest_);
  std::string copy = tmp_.path() + "/copy";
  std::filesystem::copy(dest_, copy, std::filesystem::copy_options::recursive);
  CommandResult result = RunCommand({copy + "/start.sh", "--port", "8001"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Lines(result.out).front(), "cwd=" + Real(copy));
}

}  // namespace
}  // namespace redline
