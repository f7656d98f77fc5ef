#include "system/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace redline {

// EVP is OpenSSL's supported interface (the SHA256_* functions are
// deprecated since 3.0), and it picks the SHA-NI code path when the CPU has it.
struct Sha256Hasher::Context {
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx{EVP_MD_CTX_new()};
};

Sha256Hasher::Sha256Hasher() : context_(std::make_unique<Context>()) {
  if (!context_->ctx ||
      EVP_DigestInit_ex(context_->ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
}

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(context_->ctx.get(), data.data(), data.size()) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
}

std::string Sha256Hasher::FinalHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_->ctx.get(), digest, &size) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Hasher hasher;
  hasher.Update(data);
  return hasher.FinalHex();
}

std::string Sha256FileHex(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
  Sha256Hasher hasher;
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("read(\"" + path + "\")");
    if (n == 0) break;
    hasher.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  return hasher.FinalHex();
}

}  // namespace redline
