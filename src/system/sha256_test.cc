#include "system/sha256.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "system/system_test_util.h"

namespace redline {
namespace {

TEST(Sha256Test, MatchesKnownDigests) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Sha256Hasher hasher;
  hasher.Update("a");
  hasher.Update("bc");
  EXPECT_EQ(hasher.FinalHex(), Sha256Hex("abc"));
}

TEST(Sha256Test, FileDigestEqualsDataDigestAcrossReadBlocks) {
  ScopedTempDir dir;
  std::string data;
  for (int i = 0; i < (3 << 19) + 7; ++i)
    data.push_back(static_cast<char>(i * 31));
  WriteTestFile(dir.path() + "/f", data);
  EXPECT_EQ(Sha256FileHex(dir.path() + "/f"), Sha256Hex(data));
}

TEST(Sha256Test, MissingFileThrows) {
  ScopedTempDir dir;
  EXPECT_THROW(Sha256FileHex(dir.path() + "/absent"), SystemError);
}

}  // namespace
}  // namespace redline
