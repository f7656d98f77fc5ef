#include "device/seccomp_filter.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "base/error.h"
#include "base/files.h"

namespace redline {
namespace {

// io_uring and perf fail as if the kernel had no such call, so runtimes that
// try them (libuv tries io_uring) fall back quietly; the rest as refused.
const std::vector<FilteredCall> kCalls = {
    {"keyctl", EPERM},          {"add_key", EPERM},
    {"request_key", EPERM},     {"io_uring_setup", ENOSYS},
    {"io_uring_enter", ENOSYS}, {"io_uring_register", ENOSYS},
    {"bpf", EPERM},             {"perf_event_open", ENOSYS},
    {"userfaultfd", EPERM},
};

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

void Check(int rc, const std::string& what) {
  if (rc < 0) throw SystemError("libseccomp: " + what, -rc);
}

std::string Build() {
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw SystemError("libseccomp: seccomp_init", ENOMEM);
  // A 32-bit or x32 entry point must not be a way around the filter: cover
  // those ABIs with the same rules (an ABI not listed is killed).
  if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
    Check(seccomp_arch_add(ctx.get(), SCMP_ARCH_X86), "add arch x86");
    Check(seccomp_arch_add(ctx.get(), SCMP_ARCH_X32), "add arch x32");
  }
  for (const FilteredCall& call : kCalls) {
    int nr = seccomp_syscall_resolve_name(call.name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp
    Check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(call.error), nr, 0),
          "rule for " + call.name);
  }
  UniqueFd mem(::memfd_create("redline-seccomp", MFD_CLOEXEC));
  if (!mem.valid()) ThrowErrno("memfd_create");
  Check(seccomp_export_bpf(ctx.get(), mem.get()), "export the program");
  off_t size = ::lseek(mem.get(), 0, SEEK_END);
  std::string program(static_cast<size_t>(size), '\0');
  if (::pread(mem.get(), program.data(), program.size(), 0) != size)
    ThrowErrno("read the seccomp program back");
  return program;
}

}  // namespace

const std::vector<FilteredCall>& FilteredCalls() { return kCalls; }

const std::string& DeviceSeccompProgram() {
  static const std::string kProgram = Build();
  return kProgram;
}

UniqueFd DeviceSeccompProgramFd() {
  const std::string& program = DeviceSeccompProgram();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) ThrowErrno("pipe2 (seccomp program)");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  // A few hundred bytes: far below the pipe's buffer, so this cannot block.
  WriteAll(write_end.get(), program, "the seccomp program pipe");
  return read_end;
}

}  // namespace redline
