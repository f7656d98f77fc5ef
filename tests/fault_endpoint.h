// A MOCK model endpoint for fault injection, in the test process: it hangs,
// fails every call, or answers slowly — what a real server does on a bad day.
#ifndef REDLINE_TESTS_FAULT_ENDPOINT_H_
#define REDLINE_TESTS_FAULT_ENDPOINT_H_

#include <memory>
#include <string>

namespace redline::testing {

enum class Fault {
  kHang,        ///< reads the request, never answers (until stopped)
  kError500,    ///< every call: HTTP 500 with an OpenAI-shaped error
  kSlowFinish,  ///< waits `delay` seconds, then a paper-format finish answer
};

class FaultEndpoint {
 public:
  FaultEndpoint(Fault fault, double delay_seconds = 0);
  ~FaultEndpoint();  ///< stops the server; hanging handlers return at once
  /// http://127.0.0.1:<port>/v1
  std::string BaseUrl() const;
  int Calls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace redline::testing

#endif  // REDLINE_TESTS_FAULT_ENDPOINT_H_
