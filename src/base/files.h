// Small file-system helpers. All throw SystemError on failure.
#ifndef REDLINE_BASE_FILES_H_
#define REDLINE_BASE_FILES_H_

#include <string>
#include <string_view>
#include <vector>

namespace redline {

/// Writes all of `data` to `fd`, retrying short writes and EINTR; `what`
/// names the file in the error.
void WriteAll(int fd, std::string_view data, const std::string& what);
/// Whole file as bytes.
std::string ReadFile(const std::string& path);
/// Writes `content` to a temporary file beside `path`, fsyncs, then renames,
/// so a reader sees the old file or the new one, never half of one.
void WriteFileAtomic(const std::string& path, const std::string& content);
/// Appends one line (a '\n' is added) with O_APPEND, for JSONL logs.
void AppendLine(const std::string& path, const std::string& line);
/// mkdir -p.
void MakeDirs(const std::string& path);
/// rm -rf; never follows symlinks out of the tree.
void RemoveTree(const std::string& path);
bool PathExists(const std::string& path);
/// Copies a regular file, keeping its mode bits.
void CopyFile(const std::string& from, const std::string& to);
/// Directory of the running executable (/proc/self/exe's parent).
std::string ExecutableDir();
/// Joins with exactly one '/'.
std::string JoinPath(const std::string& a, const std::string& b);

}  // namespace redline

#endif  // REDLINE_BASE_FILES_H_
