#include "base/jsonl_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/files.h"

namespace redline {

JsonlWriter::JsonlWriter(const std::string& path)
    : path_(path),
      fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                 0644)) {
  if (!fd_.valid()) ThrowErrno("open(\"" + path + "\")");
}

void JsonlWriter::Append(const std::string& json_line) {
  std::string line = json_line + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  WriteAll(fd_.get(), line, path_);
}

}  // namespace redline
