#include "system/weights.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "system/sha256.h"
#include "system/system_test_util.h"

namespace redline {
namespace {

WeightsConfig Config(int shards) {
  WeightsConfig config;
  config.model_name = "local-model";
  config.num_shards = shards;
  config.shard_load_seconds = 0.25;
  return config;
}

TEST(WeightsTest, ShardFileNamesFollowTheHuggingFacePattern) {
  EXPECT_EQ(ShardFileName(1, 4), "model-00001-of-00004.safetensors");
  EXPECT_EQ(ShardFileName(12, 37), "model-00012-of-00037.safetensors");
}

TEST(WeightsTest, WrittenManifestReadsBackAndMatchesTheBytes) {
  ScopedTempDir dir;
  WeightsManifest written = WriteWeights(dir.path(), Config(3), 100000);
  WeightsManifest read = ReadWeightsManifest(dir.path());
  EXPECT_EQ(read.config.model_name, "local-model");
  EXPECT_EQ(read.config.architecture, "relay");
  EXPECT_EQ(read.config.num_shards, 3);
  EXPECT_DOUBLE_EQ(read.config.shard_load_seconds, 0.25);
  ASSERT_EQ(read.shards.size(), 3u);
  EXPECT_EQ(read.TotalBytes(), 300000u);
  std::vector<std::string> contents;
  for (int i = 0; i < 3; ++i) {
    const ShardEntry& shard = read.shards[i];
    EXPECT_EQ(shard.file_name, ShardFileName(i + 1, 3));
    EXPECT_EQ(shard.sha256, written.shards[i].sha256);
    std::string bytes = ReadFile(dir.path() + "/" + shard.file_name);
    EXPECT_EQ(bytes.size(), 100000u);
    EXPECT_EQ(Sha256Hex(bytes), shard.sha256);
    EXPECT_TRUE(VerifyShard(dir.path(), shard).ok());
    contents.push_back(bytes);
  }
  EXPECT_NE(contents[0], contents[1]);
  EXPECT_NE(contents[1], contents[2]);
}

TEST(WeightsTest, ShardsAreSafetensorsWithRandomPayload) {
  ScopedTempDir dir;
  WriteWeights(dir.path(), Config(1), 4096);
  std::string bytes = ReadFile(dir.path() + "/" + ShardFileName(1, 1));
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | static_cast<unsigned char>(bytes[i]);
  ASSERT_EQ(header_len % 8, 0u);
  ASSERT_LT(8 + header_len, bytes.size());
  auto header = nlohmann::json::parse(bytes.substr(8, header_len));
  auto tensor = header["model.layers.0.weight"];
  EXPECT_EQ(tensor["dtype"], "U8");
  EXPECT_EQ(tensor["data_offsets"][1].get<uint64_t>(),
            bytes.size() - 8 - header_len);
  std::string payload = bytes.substr(8 + header_len);
  size_t zeros = std::count(payload.begin(), payload.end(), '\0');
  EXPECT_LT(zeros, payload.size() / 50);  // about 1/256 for random bytes
}

TEST(WeightsTest, TinyShardsAreRandomBytesOnly) {
  ScopedTempDir dir;
  WeightsManifest manifest = WriteWeights(dir.path(), Config(2), 16);
  EXPECT_EQ(ReadFile(dir.path() + "/" + ShardFileName(2, 2)).size(), 16u);
  EXPECT_TRUE(VerifyShard(dir.path(), manifest.shards[1]).ok());
}

TEST(WeightsTest, VerifyCatchesMissingTruncatedAndCorruptedShards) {
  ScopedTempDir dir;
  WeightsManifest manifest = WriteWeights(dir.path(), Config(3), 8192);
  std::string path1 = dir.path() + "/" + manifest.shards[0].file_name;
  std::string path2 = dir.path() + "/" + manifest.shards[1].file_name;
  std::string path3 = dir.path() + "/" + manifest.shards[2].file_name;
  ASSERT_EQ(::unlink(path1.c_str()), 0);
  ASSERT_EQ(::truncate(path2.c_str(), 1000), 0);
  std::string bytes = ReadFile(path3);
  bytes[5000] = static_cast<char>(bytes[5000] ^ 1);
  WriteTestFile(path3, bytes);

  ShardCheck missing = VerifyShard(dir.path(), manifest.shards[0]);
  EXPECT_EQ(missing.status, ShardStatus::kMissing);
  EXPECT_EQ(DescribeShardCheck(manifest.shards[0], missing),
            "shard model-00001-of-00003.safetensors is missing");
  ShardCheck truncated = VerifyShard(dir.path(), manifest.shards[1]);
  EXPECT_EQ(truncated.status, ShardStatus::kWrongSize);
  EXPECT_EQ(
      DescribeShardCheck(manifest.shards[1], truncated),
      "shard model-00002-of-00003.safetensors has size 1000, expected 8192");
  ShardCheck corrupt = VerifyShard(dir.path(), manifest.shards[2]);
  EXPECT_EQ(corrupt.status, ShardStatus::kBadChecksum);
  EXPECT_EQ(DescribeShardCheck(manifest.shards[2], corrupt),
            "shard model-00003-of-00003.safetensors failed its checksum");
}

TEST(WeightsTest, VerifyFollowsSymlinksToIntactShards) {
  ScopedTempDir original, copy;
  WeightsManifest manifest = WriteWeights(original.path(), Config(1), 1024);
  std::string name = manifest.shards[0].file_name;
  ASSERT_EQ(::symlink((original.path() + "/" + name).c_str(),
                      (copy.path() + "/" + name).c_str()),
            0);
  EXPECT_TRUE(VerifyShard(copy.path(), manifest.shards[0]).ok());
}

TEST(WeightsTest, MissingConfigIsAnInputErrorNamingTheFile) {
  ScopedTempDir dir;
  try {
    ReadWeightsManifest(dir.path());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read " + dir.path() +
                  "/config.json: No such file or directory");
  }
}

TEST(WeightsTest, IndexDisagreeingWithConfigIsAnInputError) {
  ScopedTempDir dir;
  WriteWeights(dir.path(), Config(2), 64);
  std::string config_path = dir.path() + "/config.json";
  auto config = nlohmann::json::parse(ReadFile(config_path));
  config["num_shards"] = 3;
  WriteTestFile(config_path, config.dump());
  EXPECT_THROW(ReadWeightsManifest(dir.path()), InputError);
  WriteTestFile(dir.path() + "/model.safetensors.index.json", "{not json");
  EXPECT_THROW(ReadWeightsManifest(dir.path()), InputError);
}

TEST(WeightsTest, IndexCannotPointOutsideTheFolder) {
  ScopedTempDir dir;
  WriteWeights(dir.path(), Config(1), 64);
  std::string index_path = dir.path() + "/model.safetensors.index.json";
  auto index = nlohmann::json::parse(ReadFile(index_path));
  index["shards"][0]["file"] = "../elsewhere.safetensors";
  WriteTestFile(index_path, index.dump());
  EXPECT_THROW(ReadWeightsManifest(dir.path()), InputError);
}

TEST(WeightsTest, WritingIntoExistingFilesFails) {
  ScopedTempDir dir;
  WriteWeights(dir.path(), Config(1), 64);
  EXPECT_THROW(WriteWeights(dir.path(), Config(1), 64), SystemError);
}

}  // namespace
}  // namespace redline
