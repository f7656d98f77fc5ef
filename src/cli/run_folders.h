// The run folders behind a folder given on the command line: itself, or the
// cells of a matrix (matrix.json), with each run's trial count.
#ifndef REDLINE_CLI_RUN_FOLDERS_H_
#define REDLINE_CLI_RUN_FOLDERS_H_

#include <string>
#include <vector>

namespace redline {

struct RunFolder {
  std::string dir;
  int trials = 0;
};

/// InputError naming `flag` and the folder when it is neither.
std::vector<RunFolder> RunFoldersOf(const std::string& dir, const std::string& flag);

}  // namespace redline

#endif  // REDLINE_CLI_RUN_FOLDERS_H_
