// Host checks of `redline doctor`: can this machine build a device (the
// sandbox of one trial, see src/device/README.md), and what does each
// missing piece cost. One function per group; each reads the machine itself,
// except where a pure function over gathered facts makes the decision
// testable for hosts we do not have (Ubuntu's AppArmor, a disabled sysctl).
#ifndef REDLINE_DOCTOR_HOST_CHECKS_H_
#define REDLINE_DOCTOR_HOST_CHECKS_H_

#include <string>

#include "doctor/check.h"

namespace redline {

/// Root or not, and CAP_SYS_ADMIN (the checker enters the device's network
/// namespace to probe replicas).
Checks PrivilegeChecks();

/// What the kernel says about unprivileged user namespaces. -1: the file
/// does not exist on this kernel.
struct UsernsFacts {
  long max_user_namespaces = -1;       ///< /proc/sys/user/max_user_namespaces
  long unprivileged_userns_clone = -1; ///< Debian/older Ubuntu kernels
  long apparmor_restrict = -1;  ///< kernel.apparmor_restrict_unprivileged_userns
  bool bwrap_setuid = false;    ///< a setuid bwrap needs none of this
};
UsernsFacts ReadUsernsFacts(const std::string& bwrap_path);
/// Pure: the checks for `facts`.
Checks UserNamespaceChecks(const UsernsFacts& facts);

/// cgroup layout (v1, v2, hybrid), the controllers a device uses, and
/// whether this process can create a device cgroup with limits (delegation).
Checks CgroupChecks();

/// The bwrap found in PATH as the device looks it up; "" if none.
std::string FindBwrap();
/// bubblewrap installed, its version, and whether it can build a sandbox as
/// the device's user; pidfd_open.
Checks SandboxChecks(const std::string& bwrap_path);

/// redline-agent, redline-llm-server and redline-devinit beside redline in
/// `bin_dir`.
Checks HelperChecks(const std::string& bin_dir);

/// Starts a real device (cgroup + bwrap + devinit from `bin_dir`), runs
/// `true` in it and tears it down: the end-to-end proof.
Checks DeviceCheck(const std::string& bin_dir);

/// Every group above, in order.
Checks RunHostChecks(const std::string& bin_dir);

}  // namespace redline

#endif  // REDLINE_DOCTOR_HOST_CHECKS_H_
