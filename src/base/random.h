// Unpredictable tokens (code words for probes, unique names).
#ifndef REDLINE_BASE_RANDOM_H_
#define REDLINE_BASE_RANDOM_H_

#include <string>

namespace redline {

/// `length` characters from [a-z0-9], from the kernel's random source.
std::string RandomToken(size_t length);

}  // namespace redline

#endif  // REDLINE_BASE_RANDOM_H_
