// Unprivileged user namespaces: bwrap (not setuid on Debian and Ubuntu)
// builds the device's user namespace as the device's user (nobody when the
// harness is root), so the kernel must allow that user to make one.
#include <sys/stat.h>

#include <fstream>

#include "doctor/host_checks.h"

namespace redline {
namespace {

long ReadNumber(const std::string& path) {
  std::ifstream in(path);
  long value = -1;
  if (!(in >> value)) return -1;
  return value;
}

constexpr char kNoDevice[] =
    "bwrap cannot create the device's user namespace: no device can start, "
    "no trial can run";

}  // namespace

UsernsFacts ReadUsernsFacts(const std::string& bwrap_path) {
  UsernsFacts f;
  f.max_user_namespaces = ReadNumber("/proc/sys/user/max_user_namespaces");
  f.unprivileged_userns_clone =
      ReadNumber("/proc/sys/kernel/unprivileged_userns_clone");
  f.apparmor_restrict =
      ReadNumber("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  struct stat st;
  f.bwrap_setuid = !bwrap_path.empty() && ::stat(bwrap_path.c_str(), &st) == 0 &&
                   (st.st_mode & S_ISUID) && st.st_uid == 0;
  return f;
}

Checks UserNamespaceChecks(const UsernsFacts& f) {
  const char* name = "user namespaces";
  if (f.bwrap_setuid)
    return {Ok(name, "bwrap is setuid root; it does not need unprivileged "
                     "user namespaces")};
  Checks out;
  if (f.max_user_namespaces < 0)
    return {Warn(name,
                 "cannot read /proc/sys/user/max_user_namespaces (a kernel "
                 "without user namespaces?); the bwrap check below tells",
                 "")};
  if (f.max_user_namespaces == 0)
    out.push_back(Fail(name, std::string("user.max_user_namespaces is 0: ") + kNoDevice,
                       "sysctl -w user.max_user_namespaces=15000 (and put "
                       "user.max_user_namespaces=15000 in /etc/sysctl.d/90-redline.conf)"));
  if (f.unprivileged_userns_clone == 0)
    out.push_back(Fail(name, std::string("kernel.unprivileged_userns_clone is 0: ") + kNoDevice,
                       "sysctl -w kernel.unprivileged_userns_clone=1 (and put it "
                       "in /etc/sysctl.d/90-redline.conf)"));
  if (f.apparmor_restrict == 1)
    out.push_back(Fail(
        name,
        std::string("Ubuntu's AppArmor restricts unprivileged user namespaces "
                    "(kernel.apparmor_restrict_unprivileged_userns=1): ") + kNoDevice,
        "give bwrap an AppArmor profile that allows userns: write "
        "/etc/apparmor.d/bwrap with `abi <abi/4.0>, include <tunables/global> "
        "profile bwrap /usr/bin/bwrap flags=(unconfined) { userns, }` and run "
        "`apparmor_parser -r /etc/apparmor.d/bwrap`; or, machine-wide, "
        "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
  if (!out.empty()) return out;
  std::string detail = "allowed (user.max_user_namespaces=" +
                       std::to_string(f.max_user_namespaces);
  if (f.unprivileged_userns_clone >= 0)
    detail += ", kernel.unprivileged_userns_clone=" +
              std::to_string(f.unprivileged_userns_clone);
  if (f.apparmor_restrict >= 0)
    detail += ", kernel.apparmor_restrict_unprivileged_userns=" +
              std::to_string(f.apparmor_restrict);
  return {Ok(name, detail + ")")};
}

}  // namespace redline
