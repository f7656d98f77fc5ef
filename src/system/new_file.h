// Creating the files of a fresh deployment.
#ifndef REDLINE_SYSTEM_NEW_FILE_H_
#define REDLINE_SYSTEM_NEW_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace redline {

/// Creates `path`, which must not exist, with exactly `mode` (the umask does
/// not apply). Throws SystemError (EEXIST if it exists).
UniqueFd CreateNewFile(const std::string& path, mode_t mode);

/// CreateNewFile + WriteAll (base/files.h). No fsync: a deployment is written once into a
/// folder nobody reads yet, and a crash mid-way leaves a folder to discard.
void WriteNewFile(const std::string& path, std::string_view content,
                  mode_t mode);

/// mkdir with exactly `mode`; the parent must exist. Throws SystemError.
void MakeNewDir(const std::string& path, mode_t mode);

}  // namespace redline

#endif  // REDLINE_SYSTEM_NEW_FILE_H_
