#include "export/eval_zip.h"

#include <gtest/gtest.h>
#include <zip.h>

#include "base/error.h"
#include "base/files.h"
#include "report/test_run_folder.h"

namespace redline {
namespace {

std::string ReadMember(zip_t* z, const char* name) {
  zip_stat_t st;
  if (zip_stat(z, name, 0, &st) != 0) return "<missing>";
  zip_file_t* f = zip_fopen(z, name, 0);
  std::string data(st.size, '\0');
  zip_fread(f, data.data(), st.size);
  zip_fclose(f);
  return data;
}

TEST(ZipWriterTest, WritesDeflatedMembersThatReadBack) {
  std::string dir = testing::TempDir();
  std::string path = dir + "/a.eval";
  {
    ZipWriter zip(path);
    zip.Add("header.json", "{\"version\":2}");
    // Enough members that a growing container would move the early ones.
    for (int i = 1; i <= 100; ++i)
      zip.Add("samples/" + std::to_string(i) + "_epoch_1.json", std::string(50 + i, 'x'));
    zip.Close();
  }
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &error);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(zip_get_num_entries(z, 0), 101);
  EXPECT_EQ(ReadMember(z, "header.json"), "{\"version\":2}");
  EXPECT_EQ(ReadMember(z, "samples/1_epoch_1.json"), std::string(51, 'x'));
  EXPECT_EQ(ReadMember(z, "samples/100_epoch_1.json"), std::string(150, 'x'));
  zip_stat_t st;
  ASSERT_EQ(zip_stat(z, "samples/100_epoch_1.json", 0, &st), 0);
  EXPECT_EQ(st.comp_method, ZIP_CM_DEFLATE);
  zip_close(z);
  RemoveTree(dir);
}

TEST(ZipWriterTest, DuplicateMemberAndUnwritablePathAreErrors) {
  std::string dir = testing::TempDir();
  {
    ZipWriter zip(dir + "/b.eval");
    zip.Add("x.json", "1");
    EXPECT_THROW(zip.Add("x.json", "2"), SystemError);
  }  // never closed: nothing written
  EXPECT_FALSE(PathExists(dir + "/b.eval"));
  EXPECT_THROW(
      {
        ZipWriter zip(dir + "/no/such/folder/c.eval");
        zip.Add("x.json", "1");
        zip.Close();
      },
      SystemError);
  RemoveTree(dir);
}

}  // namespace
}  // namespace redline
