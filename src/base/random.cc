#include "base/random.h"

#include <sys/random.h>

#include <cerrno>
#include <vector>

#include "base/error.h"

namespace redline {

std::string RandomToken(size_t length) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::vector<unsigned char> bytes(length);
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::getrandom(bytes.data() + got, length - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ThrowErrno("getrandom");
    got += static_cast<size_t>(n);
  }
  std::string out;
  for (unsigned char b : bytes) out.push_back(kAlphabet[b % 36]);
  return out;
}

}  // namespace redline
