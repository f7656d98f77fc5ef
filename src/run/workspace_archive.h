// What stays of a device's home after a trial: the logs and a listing.
#ifndef REDLINE_RUN_WORKSPACE_ARCHIVE_H_
#define REDLINE_RUN_WORKSPACE_ARCHIVE_H_

#include <string>

namespace redline {

/// Writes `<dest>/listing.txt` (every path under `home` with its size),
/// copies every file under a directory named `log` or `.system-logs` into
/// `<dest>` (same relative paths, at most 64 MiB in all), then removes
/// `home`. Weights and binaries are not kept: they are the same every trial.
void ArchiveWorkspace(const std::string& home, const std::string& dest);

}  // namespace redline

#endif  // REDLINE_RUN_WORKSPACE_ARCHIVE_H_
