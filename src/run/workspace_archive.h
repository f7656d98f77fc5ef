// What stays of a device's home after a trial: the logs and a listing.
#ifndef REDLINE_RUN_WORKSPACE_ARCHIVE_H_
#define REDLINE_RUN_WORKSPACE_ARCHIVE_H_

#include <string>
#include <string_view>

namespace redline {

/// Writes `<dest>/listing.txt` (every path under `home`, one a line:
/// `path[/| -> target]<TAB>size`, names escaped by ListingName, at most
/// kMaxListedEntries lines and a last line saying how many more), copies
/// every regular file under a directory named `log` or `.system-logs` into
/// `<dest>` (same relative paths, names escaped, at most 64 MiB in all),
/// then removes `home`. The home is the model's: nothing in it is trusted.
/// Symlinks are listed, never followed; FIFOs, sockets and devices are
/// listed, never opened; a sparse file is listed with its size and copied
/// only if it fits the 64 MiB. Weights and binaries are not kept: they are
/// the same every trial.
void ArchiveWorkspace(const std::string& home, const std::string& dest);

inline constexpr int kMaxListedEntries = 100000;

/// `name` safe to print on a terminal or in a page: backslash, control
/// characters (C0, DEL, C1), Unicode bidirectional controls and bytes that
/// are not UTF-8 become `\\`, `\n`, `\t`, `\xNN`, `\u{NNNN}`; everything
/// else (printable ASCII, valid UTF-8) stays. Distinct names stay distinct.
std::string ListingName(std::string_view name);

}  // namespace redline

#endif  // REDLINE_RUN_WORKSPACE_ARCHIVE_H_
