#include "export/eval_zip.h"

#include <zip.h>

#include <cerrno>

#include "base/error.h"

namespace redline {
namespace {

zip_t* Zip(void* handle) { return static_cast<zip_t*>(handle); }

std::string ZipMessage(zip_t* zip) {
  const char* text = zip_strerror(zip);
  return text ? text : "unknown libzip error";
}

}  // namespace

ZipWriter::ZipWriter(const std::string& path) : path_(path) {
  int error = 0;
  zip_ = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!zip_) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    std::string text = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw SystemError("zip_open(\"" + path + "\")", EIO, text);
  }
}

ZipWriter::~ZipWriter() {
  if (zip_) zip_discard(Zip(zip_));
}

void ZipWriter::Add(const std::string& name, std::string content) {
  contents_.push_back(std::move(content));
  const std::string& data = contents_.back();
  zip_source_t* source =
      zip_source_buffer(Zip(zip_), data.data(), data.size(), /*freep=*/0);
  if (!source)
    throw SystemError("zip_source_buffer(" + name + ")", EIO, ZipMessage(Zip(zip_)));
  zip_int64_t index = zip_file_add(Zip(zip_), name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    throw SystemError("zip_file_add(" + name + ")", EIO, ZipMessage(Zip(zip_)));
  }
  zip_set_file_compression(Zip(zip_), static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 6);
}

void ZipWriter::Close() {
  if (zip_close(Zip(zip_)) != 0) {
    std::string text = ZipMessage(Zip(zip_));
    throw SystemError("zip_close(\"" + path_ + "\")", EIO, text);
  }
  zip_ = nullptr;
  contents_.clear();
}

}  // namespace redline
