// The programs redline starts are found beside it (ExecutableDir), and a
// device is proven end to end by starting one.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"
#include "doctor/probe_dir.h"
#include "device/device.h"
#include "doctor/host_checks.h"

namespace redline {
namespace {

constexpr const char* kHelpers[] = {"redline-agent", "redline-llm-server",
                                    "redline-devinit"};

}  // namespace

Checks HelperChecks(const std::string& bin_dir) {
  std::string missing;
  for (const char* helper : kHelpers)
    if (::access(JoinPath(bin_dir, helper).c_str(), X_OK) != 0)
      missing += std::string(missing.empty() ? "" : ", ") + helper;
  if (missing.empty())
    return {Ok("helper programs", "redline-agent, redline-llm-server, "
                                  "redline-devinit beside redline in " + bin_dir)};
  return {Fail("helper programs", "missing in " + bin_dir + ": " + missing +
                                      " (redline runs them from beside itself)",
               "build every target (ninja -C build) or install all four "
               "programs into one directory")};
}

Checks DeviceCheck(const std::string& bin_dir) {
  const char* name = "device";
  std::string devinit = JoinPath(bin_dir, "redline-devinit");
  if (::access(devinit.c_str(), X_OK) != 0)
    return {Fail(name, "not tried: redline-devinit is missing", "see helper programs")};
  try {
    ProbeDir dir("rl-doctor");
    DeviceSpec spec;
    spec.name = "doctor-" + std::to_string(::getpid());
    spec.home_dir = dir.Make("home");
    spec.broker_dir = dir.Make("broker");
    // As a trial does: a copy in a folder the device's user can reach,
    // wherever the build folder is (it may sit under a 0700 folder).
    spec.devinit_path = dir.Make("init") + "/devinit";
    CopyFile(devinit, spec.devinit_path);
    if (::chmod(spec.devinit_path.c_str(), 0755) != 0)
      ThrowErrno("chmod(\"" + spec.devinit_path + "\")");
    double start = MonotonicSeconds();
    std::unique_ptr<Device> device = Device::Start(spec);
    device->Spawn({{"true"}, "", ""});
    device->Teardown();
    char took[32];
    std::snprintf(took, sizeof took, "%.2f s", MonotonicSeconds() - start);
    return {Ok(name, std::string("started a device, ran `true` in it and tore "
                                 "it down in ") + took)};
  } catch (const std::exception& e) {
    return {Fail(name, std::string("cannot start a device: ") + e.what(),
                 "fix the failures above first")};
  }
}

Checks RunHostChecks(const std::string& bin_dir) {
  Checks out = PrivilegeChecks();
  std::string bwrap = FindBwrap();
  Append(&out, UserNamespaceChecks(ReadUsernsFacts(bwrap)));
  Append(&out, CgroupChecks());
  Append(&out, SandboxChecks(bwrap));
  Append(&out, HelperChecks(bin_dir));
  Append(&out, DeviceCheck(bin_dir));
  return out;
}

}  // namespace redline
