#include "cli/run_folders.h"

#include "base/error.h"
#include "base/files.h"
#include "run/matrix.h"
#include "run/run.h"
#include "run/run_record.h"

namespace redline {

std::vector<RunFolder> RunFoldersOf(const std::string& dir, const std::string& flag) {
  std::vector<std::string> dirs = {dir};
  if (PathExists(dir + "/matrix.json")) {
    dirs.clear();
    for (const std::string& cell :
         ParseMatrixRecord(ReadFile(dir + "/matrix.json"), dir + "/matrix.json"))
      dirs.push_back(dir + "/" + cell);
  }
  std::vector<RunFolder> out;
  for (const std::string& d : dirs) {
    std::string path = d + "/run.json";
    if (!PathExists(path))
      throw InputError(flag + " " + dir + ": no run.json in " + d + " (not a run folder)");
    out.push_back({d, ParseRunRecord(ReadFile(path), path).trials});
  }
  return out;
}

}  // namespace redline
