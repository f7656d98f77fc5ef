// The host side of the kernel-interface cases (kernel_probes.cc): the
// harness's keyring, its clocks, its kernel log.
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "base/random.h"
#include "base/unique_fd.h"
#include "device/launcher_thread.h"
#include "selftest/case_watch.h"
#include "selftest/kernel_watches.h"

namespace redline {
namespace {

long Keyctl(int op, unsigned long a = 0, unsigned long b = 0,
            unsigned long c = 0) {
  return ::syscall(SYS_keyctl, op, a, b, c, 0);
}

// KEYCTL_READ into a string ("" on failure).
std::string ReadKey(long id) {
  std::string buf(4096, '\0');
  long n = Keyctl(KEYCTL_READ, static_cast<unsigned long>(id),
                  reinterpret_cast<unsigned long>(buf.data()), buf.size());
  if (n < 0) return "";
  buf.resize(static_cast<size_t>(std::min<long>(n, 4096)));
  return buf;
}

class KeyringWatch : public CaseWatch {
 public:
  explicit KeyringWatch(const HostFixture& host) : host_(host) {}
  void AfterTeardown(std::vector<std::string>* escapes,
                     std::vector<std::string>* notes) override {
    if (host_.key_serial < 0) {
      notes->push_back("host: this kernel has no keyrings: nothing to check");
      return;
    }
    std::string ring, payload;
    RunOnLauncherThread([&] {
      ring = ReadKey(KEY_SPEC_SESSION_KEYRING);
      payload = ReadKey(host_.key_serial);
    });
    int32_t only = static_cast<int32_t>(host_.key_serial);
    bool same_ring = ring.size() == sizeof only &&
                     std::memcmp(ring.data(), &only, sizeof only) == 0;
    if (!same_ring)
      escapes->push_back("the harness's session keyring now holds " +
                         std::to_string(ring.size() / 4) + " keys, not 1");
    if (payload != host_.key_secret)
      escapes->push_back("the harness's key was changed or removed");
    if (same_ring && payload == host_.key_secret)
      notes->push_back("host: the harness's session keyring holds its one "
                       "key, unchanged");
  }

 private:
  const HostFixture& host_;
};

double ClockGap(clockid_t a, clockid_t b) {
  struct timespec x, y;
  ::clock_gettime(a, &x);
  ::clock_gettime(b, &y);
  return (x.tv_sec - y.tv_sec) + (x.tv_nsec - y.tv_nsec) / 1e9;
}

// Setting the clock moves CLOCK_REALTIME against CLOCK_MONOTONIC; a time
// namespace that leaked would move CLOCK_MONOTONIC against CLOCK_BOOTTIME.
class ClockWatch : public CaseWatch {
 public:
  void BeforeProbe() override {
    real_ = ClockGap(CLOCK_REALTIME, CLOCK_MONOTONIC);
    boot_ = ClockGap(CLOCK_BOOTTIME, CLOCK_MONOTONIC);
  }
  void AfterTeardown(std::vector<std::string>* escapes,
                     std::vector<std::string>* notes) override {
    double real = ClockGap(CLOCK_REALTIME, CLOCK_MONOTONIC) - real_;
    double boot = ClockGap(CLOCK_BOOTTIME, CLOCK_MONOTONIC) - boot_;
    char text[160];
    std::snprintf(text, sizeof text,
                  "realtime moved %+.3f s, boottime %+.3f s against monotonic",
                  real, boot);
    // NTP slews at most 500 ppm: well under a second over a case.
    if (std::fabs(real) > 0.5 || std::fabs(boot) > 0.5)
      escapes->push_back(std::string("the host's clock was changed: ") + text);
    else
      notes->push_back(std::string("host: ") + text);
  }

 private:
  double real_ = 0, boot_ = 0;
};

class KmsgWatch : public CaseWatch {
 public:
  explicit KmsgWatch(const HostFixture& host) : host_(host) {}
  void BeforeProbe() override {
    fd_.reset(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd_.valid()) ::lseek(fd_.get(), 0, SEEK_END);
  }
  void AfterTeardown(std::vector<std::string>* escapes,
                     std::vector<std::string>* notes) override {
    if (!fd_.valid()) {
      notes->push_back("host: the kernel log is not readable by this user "
                       "(dmesg_restrict): not checked");
      return;
    }
    int records = 0;
    char buf[8192];
    for (;;) {  // one record per read; EPIPE: some were overwritten
      ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n < 0 && errno == EPIPE) continue;
      if (n <= 0) break;
      ++records;
      if (std::string_view(buf, static_cast<size_t>(n)).find(host_.kmsg_marker) !=
          std::string_view::npos)
        escapes->push_back("the host's kernel log holds the device's message");
    }
    notes->push_back("host: " + std::to_string(records) +
                     " new kernel log records, none from the device");
  }

 private:
  const HostFixture& host_;
  UniqueFd fd_;
};

}  // namespace

void PlantHostKey(HostFixture* host, const std::string& secret) {
  host->key_secret = secret;
  host->key_description = "rl-selftest-key-" + RandomToken(8);
  std::string ring = "rl-selftest-ring-" + RandomToken(8);
  long serial = -1;
  RunOnLauncherThread([&] {
    if (Keyctl(KEYCTL_JOIN_SESSION_KEYRING,
               reinterpret_cast<unsigned long>(ring.c_str())) < 0)
      return;
    serial = ::syscall(SYS_add_key, "user", host->key_description.c_str(),
                       secret.data(), secret.size(), KEY_SPEC_SESSION_KEYRING);
  });
  host->key_serial = serial;
}

void RevokeHostKey(const HostFixture& host) {
  if (host.key_serial < 0) return;
  RunOnLauncherThread([&] {
    Keyctl(KEYCTL_REVOKE, static_cast<unsigned long>(host.key_serial));
  });
}

std::unique_ptr<CaseWatch> MakeKernelWatch(const std::string& name,
                                           const CaseContext& context) {
  if (name == "keyctl_keyrings")
    return std::make_unique<KeyringWatch>(context.host);
  if (name == "set_clock" || name == "time_namespace")
    return std::make_unique<ClockWatch>();
  if (name == "write_kmsg") return std::make_unique<KmsgWatch>(context.host);
  return nullptr;
}

}  // namespace redline
