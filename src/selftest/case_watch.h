// The host side of the cases that need more than the common checks of
// selftest_runner.cc: what the runner sets up before a case's device starts
// and what it checks on the host after the probe and after teardown.
#ifndef REDLINE_SELFTEST_CASE_WATCH_H_
#define REDLINE_SELFTEST_CASE_WATCH_H_

#include <memory>
#include <string>
#include <vector>

#include "device/device.h"
#include "selftest/escape_cases.h"

namespace redline {

struct CaseContext {
  const HostFixture& host;
  const DeviceSpec& spec;
  std::string case_dir;  ///< the case's own folder on the host
};

class CaseWatch {
 public:
  virtual ~CaseWatch() = default;
  /// Before Device::Start (e.g. a broker on the device's socket).
  virtual void BeforeStart() {}
  /// The device runs; the probe is about to start.
  virtual void BeforeProbe() {}
  /// The probe is done; teardown comes next. Each line is an escape.
  virtual void AfterProbe(std::vector<std::string>* /*escapes*/) {}
  /// After teardown: `escapes` as above; `notes` say what the host saw.
  virtual void AfterTeardown(std::vector<std::string>* /*escapes*/,
                             std::vector<std::string>* /*notes*/) {}
};

/// The watch of case `name` (one that checks nothing special if none).
std::unique_ptr<CaseWatch> MakeCaseWatch(const std::string& name,
                                         const CaseContext& context);

/// Puts a secret "user" key into the session keyring that devices are
/// started from (the launcher thread's, made fresh for this), so the
/// keyctl case has something of the harness to find. Fills
/// `host->key_description` and `host->key_serial` (-1 without keyrings).
void PlantHostKey(HostFixture* host, const std::string& secret);
/// Revokes that key (the keyring goes with the process).
void RevokeHostKey(const HostFixture& host);

}  // namespace redline

#endif  // REDLINE_SELFTEST_CASE_WATCH_H_
