#include "system/new_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/files.h"

namespace redline {

UniqueFd CreateNewFile(const std::string& path, mode_t mode) {
  UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
  // open() applies the umask; the deployment's modes must not depend on the
  // umask of whoever runs the harness.
  if (::fchmod(fd.get(), mode) != 0) ThrowErrno("fchmod(\"" + path + "\")");
  return fd;
}


void WriteNewFile(const std::string& path, std::string_view content,
                  mode_t mode) {
  UniqueFd fd = CreateNewFile(path, mode);
  WriteAll(fd.get(), content, path);
  if (::close(fd.release()) != 0) ThrowErrno("close(\"" + path + "\")");
}

void MakeNewDir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0) ThrowErrno("mkdir(\"" + path + "\")");
  if (::chmod(path.c_str(), mode) != 0) ThrowErrno("chmod(\"" + path + "\")");
}

}  // namespace redline
