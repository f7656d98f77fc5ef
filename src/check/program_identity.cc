#include "check/program_identity.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "system/sha256.h"

namespace redline {
namespace {

// Programs are a few MB; anything far larger is not ours, and hashing it
// would only let a device slow the checker down.
constexpr uint64_t kMaxHashBytes = 512ull << 20;

struct ElfFacts {
  bool elf = false;
  bool has_interp = false;
  std::string interp;
  /// A shared library names itself (DT_SONAME); a program does not. (libc
  /// names an interpreter too, so that alone does not make a program.)
  bool has_soname = false;
};

// Whether the dynamic section that `phdr` describes has a DT_SONAME.
template <typename Phdr>
bool HasSoname(int fd, const Phdr& phdr) {
  using Dyn = std::conditional_t<sizeof(Phdr) == sizeof(Elf64_Phdr), Elf64_Dyn, Elf32_Dyn>;
  size_t count = std::min<size_t>(phdr.p_filesz / sizeof(Dyn), 4096);
  for (size_t i = 0; i < count; ++i) {
    Dyn dyn{};
    off_t at = static_cast<off_t>(phdr.p_offset + i * sizeof(Dyn));
    if (::pread(fd, &dyn, sizeof dyn, at) != sizeof dyn || dyn.d_tag == DT_NULL) break;
    if (dyn.d_tag == DT_SONAME) return true;
  }
  return false;
}

// Reads the ELF header and program headers: does the file name an
// interpreter (a dynamically linked program) or not (the loader itself,
// a static program, a shared library)?
ElfFacts ReadElf(int fd) {
  ElfFacts facts;
  unsigned char ident[EI_NIDENT];
  if (::pread(fd, ident, sizeof ident, 0) != EI_NIDENT ||
      std::memcmp(ident, ELFMAG, SELFMAG) != 0)
    return facts;
  facts.elf = true;
  auto scan = [&](auto ehdr, auto phdr) {
    if (::pread(fd, &ehdr, sizeof ehdr, 0) != sizeof ehdr) return;
    if (ehdr.e_phentsize != sizeof phdr || ehdr.e_phnum > 256) return;
    for (int i = 0; i < ehdr.e_phnum; ++i) {
      off_t at = static_cast<off_t>(ehdr.e_phoff + i * sizeof phdr);
      if (::pread(fd, &phdr, sizeof phdr, at) != sizeof phdr) return;
      if (phdr.p_type == PT_DYNAMIC) facts.has_soname = HasSoname(fd, phdr);
      if (phdr.p_type != PT_INTERP || phdr.p_filesz == 0 || phdr.p_filesz > 4096) continue;
      std::string path(phdr.p_filesz, '\0');
      if (::pread(fd, path.data(), path.size(), static_cast<off_t>(phdr.p_offset)) !=
          static_cast<ssize_t>(path.size()))
        return;
      facts.has_interp = true;
      facts.interp = path.c_str();  // drops the trailing NUL
    }
  };
  if (ident[EI_CLASS] == ELFCLASS64) scan(Elf64_Ehdr{}, Elf64_Phdr{});
  else if (ident[EI_CLASS] == ELFCLASS32) scan(Elf32_Ehdr{}, Elf32_Phdr{});
  return facts;
}

using CacheKey = std::tuple<uint64_t, uint64_t, uint64_t, int64_t, int64_t>;

std::mutex cache_mutex;
std::map<CacheKey, std::string> hash_cache;  // guarded by cache_mutex

// SHA-256 of an open file, once per (dev, inode, size, ctime).
std::string HashOpenFile(int fd) {
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) > kMaxHashBytes)
    return "";
  CacheKey key{st.st_dev, st.st_ino, static_cast<uint64_t>(st.st_size),
               st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = hash_cache.find(key);
    if (it != hash_cache.end()) return it->second;
  }
  Sha256Hasher hasher;
  std::vector<char> buf(1 << 20);
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "";
    if (n == 0) break;
    hasher.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    at += n;
  }
  std::string hex = hasher.FinalHex();
  std::lock_guard<std::mutex> lock(cache_mutex);
  if (hash_cache.size() > 4096) hash_cache.clear();
  hash_cache[key] = hex;
  return hex;
}

UniqueFd OpenRead(const std::string& path) {
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
}

struct Mapping {
  std::string range;  // "start-end", the map_files name
  uint64_t dev = 0, ino = 0;
  std::string path;
};

// File-backed executable mappings of `pid`, one per file.
std::vector<Mapping> ExecutableMappings(pid_t pid) {
  std::vector<Mapping> out;
  std::set<std::pair<uint64_t, uint64_t>> seen;
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(in, line) && out.size() < 512) {
    std::istringstream f(line);
    std::string range, perms, offset, dev, inode;
    f >> range >> perms >> offset >> dev >> inode;
    std::string path;
    std::getline(f, path);
    size_t first = path.find_first_not_of(' ');
    path = first == std::string::npos ? "" : path.substr(first);
    if (perms.size() < 3 || perms[2] != 'x' || inode == "0" || path.empty()) continue;
    unsigned major = 0, minor = 0;
    if (std::sscanf(dev.c_str(), "%x:%x", &major, &minor) != 2) continue;
    Mapping m{range, makedev(major, minor), std::stoull(inode), path};
    if (seen.insert({m.dev, m.ino}).second) out.push_back(m);
  }
  return out;
}

// Opens a mapped file from the host: map_files (needs CAP_SYS_ADMIN) or, as
// the process names it, under its root; either must be the mapped inode.
UniqueFd OpenMapping(pid_t pid, const Mapping& m, std::string* open_path) {
  std::string proc = "/proc/" + std::to_string(pid);
  std::string path = m.path;
  const std::string deleted = " (deleted)";
  if (path.size() > deleted.size() && path.ends_with(deleted))
    path.resize(path.size() - deleted.size());
  for (const std::string& candidate :
       {proc + "/map_files/" + m.range, proc + "/root" + path}) {
    UniqueFd fd = OpenRead(candidate);
    struct stat st{};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) continue;
    if (st.st_dev == m.dev && st.st_ino == m.ino) {
      *open_path = candidate;
      return fd;
    }
  }
  return UniqueFd();
}

bool UnderSystemFolder(const std::string& path) {
  return path.starts_with("/usr/") || path.starts_with("/lib");
}

// File systems mounted in the host's system folders: a GPU container's
// driver libraries are bound over /usr/lib/… from a file system of their
// own. Devices see them read-only, like the rest of /usr; what redline
// mounts itself (homes, weight views: "redline-…") is the device's.
std::vector<uint64_t> SystemMountDevices() {
  std::vector<uint64_t> out;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  for (int n = 0; std::getline(mountinfo, line) && n < 100000; ++n) {
    // "<id> <parent> <dev> <root> <point> <opts> [tags…] - <type> <source> …"
    std::istringstream in(line);
    std::string skip, point, word, type, source;
    in >> skip >> skip >> skip >> skip >> point;
    while (in >> word && word != "-") {
    }
    in >> type >> source;
    struct stat st{};
    if (UnderSystemFolder(point) && !source.starts_with("redline-") &&
        ::stat(point.c_str(), &st) == 0)
      out.push_back(st.st_dev);
  }
  return out;
}

// The host's system folders, by device: code mapped from anywhere else (the
// home, /tmp) is the device's own, however it is named. Read per check: a
// mount made since counts.
std::vector<uint64_t> SystemDevices() {
  std::vector<uint64_t> out = SystemMountDevices();
  for (const char* dir : {"/usr", "/usr/lib", "/lib", "/lib64"}) {
    struct stat st{};
    if (::stat(dir, &st) == 0) out.push_back(st.st_dev);
  }
  return out;
}

bool IsSystemLibrary(const Mapping& m, const std::vector<uint64_t>& system_devices) {
  return UnderSystemFolder(m.path) &&
         std::find(system_devices.begin(), system_devices.end(), m.dev) != system_devices.end();
}

// Code the process runs besides its program, the loader and the host's
// libraries (LD_PRELOAD, dlopen of a file it wrote): "" if none.
std::string ForeignCode(pid_t pid, const RunningProgram& program, uint64_t exe_dev,
                        uint64_t exe_ino) {
  std::vector<uint64_t> system_devices = SystemDevices();
  for (const Mapping& m : ExecutableMappings(pid)) {
    bool known = (m.dev == program.dev && m.ino == program.ino) ||
                 (m.dev == exe_dev && m.ino == exe_ino) || IsSystemLibrary(m, system_devices);
    if (!known) return m.path;
  }
  return "";
}

RunningProgram FromFd(int fd, const std::string& via, const std::string& path,
                      const std::string& open_path) {
  RunningProgram p;
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    p.error = "cannot stat " + open_path;
    return p;
  }
  p.found = true;
  p.via = via;
  p.path = path;
  p.open_path = open_path;
  p.dev = st.st_dev;
  p.ino = st.st_ino;
  p.size = static_cast<uint64_t>(st.st_size);
  return p;
}

// The exe has no interpreter: it is the loader running a program (exactly
// one mapped ELF that names an interpreter whose content is the exe's), or a
// static program running itself.
RunningProgram LoadedProgram(pid_t pid, int exe_fd, const RunningProgram& exe) {
  std::vector<RunningProgram> programs;
  std::string exe_hash;
  for (const Mapping& m : ExecutableMappings(pid)) {
    if (m.dev == exe.dev && m.ino == exe.ino) continue;
    std::string open_path;
    UniqueFd fd = OpenMapping(pid, m, &open_path);
    if (!fd.valid()) continue;
    ElfFacts facts = ReadElf(fd.get());
    if (!facts.has_interp || facts.has_soname) continue;  // a shared library
    // The mapped program must name this very loader (by content): a static
    // program that maps another program's code is not running it.
    UniqueFd interp = OpenRead("/proc/" + std::to_string(pid) + "/root" + facts.interp);
    if (exe_hash.empty()) exe_hash = HashOpenFile(exe_fd);
    if (!interp.valid() || exe_hash.empty() || HashOpenFile(interp.get()) != exe_hash)
      continue;
    programs.push_back(FromFd(fd.get(), "loader", m.path, open_path));
  }
  if (programs.size() == 1) return programs[0];
  if (programs.size() > 1) {
    RunningProgram p;
    p.error = "the loader has " + std::to_string(programs.size()) + " programs mapped";
    return p;
  }
  return exe;
}

}  // namespace

ProgramFingerprint FingerprintFile(const std::string& path) {
  UniqueFd fd = OpenRead(path);
  if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) ThrowErrno("fstat(\"" + path + "\")");
  std::string hash = HashOpenFile(fd.get());
  if (hash.empty()) throw SystemError("read(\"" + path + "\")", EIO, "not a readable program file");
  return {static_cast<uint64_t>(st.st_size), hash};
}

RunningProgram ReadRunningProgram(pid_t pid) {
  std::string proc = "/proc/" + std::to_string(pid);
  UniqueFd fd = OpenRead(proc + "/exe");
  if (!fd.valid()) {
    RunningProgram p;
    p.error = "cannot open " + proc + "/exe: " + std::strerror(errno);
    return p;
  }
  char link[4096];
  ssize_t n = ::readlink((proc + "/exe").c_str(), link, sizeof link - 1);
  std::string path = n > 0 ? std::string(link, static_cast<size_t>(n)) : "";
  RunningProgram exe = FromFd(fd.get(), "exe", path, proc + "/exe");
  if (!exe.found) return exe;
  ElfFacts facts = ReadElf(fd.get());
  RunningProgram program =
      !facts.elf || facts.has_interp ? exe : LoadedProgram(pid, fd.get(), exe);
  if (program.found) program.foreign_code = ForeignCode(pid, program, exe.dev, exe.ino);
  return program;
}

ProgramFingerprint FingerprintOfRunning(pid_t pid, RunningProgram* seen) {
  RunningProgram p = ReadRunningProgram(pid);
  if (seen) *seen = p;
  if (!p.found) return {};
  UniqueFd fd = OpenRead(p.open_path);
  std::string hash = fd.valid() ? HashOpenFile(fd.get()) : "";
  if (hash.empty()) return {};
  return {p.size, hash};
}

bool RunsProgram(pid_t pid, const ProgramFingerprint& want, RunningProgram* seen) {
  RunningProgram p = ReadRunningProgram(pid);
  if (seen) *seen = p;
  if (!p.found || !p.foreign_code.empty() || want.sha256.empty() || p.size != want.size)
    return false;
  UniqueFd fd = OpenRead(p.open_path);
  return fd.valid() && HashOpenFile(fd.get()) == want.sha256;
}

std::string DescribeProgram(const RunningProgram& program) {
  if (!program.found) return "unknown (" + program.error + ")";
  std::string text = program.via == "loader" ? program.path + " (run by the dynamic loader)"
                                             : program.path;
  if (!program.foreign_code.empty()) text += ", with code loaded from " + program.foreign_code;
  return text;
}

}  // namespace redline
