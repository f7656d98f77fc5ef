// The device's folders of a trial live in /tmp/rl-<harness pid>-<random>:
// reachable by the device's unprivileged user whatever --out is, and named
// after their owner so that leftovers of a killed harness can be found.
#ifndef REDLINE_RUN_WORK_FOLDERS_H_
#define REDLINE_RUN_WORK_FOLDERS_H_

#include <string>
#include <vector>

namespace redline {

/// /tmp/rl-<this process's pid>-<suffix>.
std::string WorkFolderFor(const std::string& suffix);
/// Removes the work folders of redline processes that no longer run;
/// returns one line per folder removed.
std::vector<std::string> RemoveStaleWorkFolders();

}  // namespace redline

#endif  // REDLINE_RUN_WORK_FOLDERS_H_
