#include "selftest/probe_report.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace redline::probe {
namespace {
bool g_escaped = false;
}  // namespace

void Observe(const std::string& what, bool escaped) {
  std::printf("observed: %s%s\n", what.c_str(), escaped ? "  <-- ESCAPE" : "");
  std::fflush(stdout);
  g_escaped = g_escaped || escaped;
}

std::string Err(int err) { return std::strerror(err); }

void Attempt(const std::string& what, bool ok) {
  int err = errno;
  Observe(what + ": " + (ok ? "succeeded" : "failed (" + Err(err) + ")"), ok);
}

void AttemptErrno(const std::string& what, bool ok, int expected) {
  int err = errno;
  bool escaped = ok || err != expected;
  Observe(what + ": " +
              (ok ? "succeeded"
                  : "failed (" + Err(err) + ")" +
                        (err == expected ? "" : ", want " + Err(expected))),
          escaped);
}

bool Escaped() { return g_escaped; }

}  // namespace redline::probe
