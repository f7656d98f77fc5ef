// The host side of archive_bombs (home_bomb_probes.cc): the device's home,
// full of bombs, is copied back at teardown and archived as a trial's is
// (run/workspace_archive.h); both must end in time, copy nothing of the
// host, keep the sparse file sparse, never open the FIFO, and leave a
// listing that is safe to print.
#include "selftest/archive_watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <future>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "run/workspace_archive.h"
#include "selftest/home_bomb_probes.h"

namespace redline {
namespace {

constexpr double kTeardownBound = 10;   // seconds, copy-back included
constexpr double kArchiveBound = 10;    // seconds
constexpr uint64_t kDiskBound = 4ull << 20;  // allocated bytes, host side

struct TreeStats {
  uint64_t allocated = 0;   // st_blocks * 512 of every file
  int odd = 0;              // symlinks, FIFOs… (an archive has none)
  std::vector<std::string> files;
};

void Scan(const std::string& dir, TreeStats* stats) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    stats->allocated += static_cast<uint64_t>(st.st_blocks) * 512;
    if (S_ISDIR(st.st_mode)) {
      Scan(path, stats);
    } else if (S_ISREG(st.st_mode)) {
      stats->files.push_back(path);
    } else {
      ++stats->odd;
    }
  }
  ::closedir(d);
}

std::string Head(const std::string& path, size_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "";
  std::string data(max, '\0');
  ssize_t n = ::read(fd, data.data(), max);
  ::close(fd);
  data.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return data;
}

// Printable: no byte below 0x20 but '\t' and '\n', no DEL, no C1 (UTF-8
// C2 80..9F), and every line "<name><TAB><digits>".
std::string ListingProblem(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
      return "byte 0x" + std::to_string(c) + " at " + std::to_string(i);
    if (c == 0xC2 && i + 1 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F)
      return "a C1 control at " + std::to_string(i);
  }
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) return "no newline at the end";
    std::string line = text.substr(start, end - start);
    size_t tab = line.rfind('\t');
    bool digits = tab != std::string::npos && tab + 1 < line.size() &&
                  line.find_first_not_of("0123456789", tab + 1) ==
                      std::string::npos;
    if (!digits || line.find('\t') != tab)
      return "line \"" + ListingName(line) + "\" is not <name><TAB><size>";
    start = end + 1;
  }
  return "";
}

class ArchiveWatch : public CaseWatch {
 public:
  explicit ArchiveWatch(const CaseContext& c)
      : host_(c.host), home_(c.spec.home_dir), dest_(c.case_dir + "/workspace") {}

  void AfterProbe(std::vector<std::string>*) override {
    teardown_start_ = MonotonicSeconds();
  }

  void AfterTeardown(std::vector<std::string>* escapes,
                     std::vector<std::string>* notes) override {
    double teardown = MonotonicSeconds() - teardown_start_;
    if (teardown > kTeardownBound)
      escapes->push_back("teardown took " + std::to_string(teardown) + " s");
    TreeStats home;
    Scan(home_, &home);
    struct stat probe;  // the probe's own binary is no bomb
    if (::lstat((home_ + "/probe").c_str(), &probe) == 0)
      home.allocated -= std::min<uint64_t>(home.allocated, probe.st_blocks * 512ull);
    if (home.allocated > kDiskBound)
      escapes->push_back("the home takes " + std::to_string(home.allocated) +
                         " bytes on the host: the sparse file was expanded");
    double start = MonotonicSeconds();
    if (!Archive(escapes)) return;
    double archive = MonotonicSeconds() - start;
    TreeStats kept;
    Scan(dest_, &kept);
    CheckKept(kept, escapes);
    std::string listing = ReadFile(dest_ + "/listing.txt");
    std::string problem = ListingProblem(listing);
    if (!problem.empty())
      escapes->push_back("listing.txt is not safe to print: " + problem);
    if (listing.find(ListingName(probe::kHostileName)) == std::string::npos)
      escapes->push_back("listing.txt lacks the hostile name, escaped");
    if (PathExists(home_)) escapes->push_back("the home was not removed");
    size_t lines = std::count(listing.begin(), listing.end(), '\n');
    char text[240];
    std::snprintf(text, sizeof text,
                  "host: teardown %.2f s, archive %.2f s; the bombs take %llu "
                  "KiB on disk; kept %zu files, %llu KiB; listing %zu lines, all "
                  "printable",
                  teardown, archive,
                  static_cast<unsigned long long>(home.allocated >> 10),
                  kept.files.size(),
                  static_cast<unsigned long long>(kept.allocated >> 10), lines);
    notes->push_back(text);
  }

 private:
  // Runs the archive on a thread of its own, so a hang is seen, not had.
  bool Archive(std::vector<std::string>* escapes) {
    auto done = std::make_shared<std::promise<std::string>>();
    std::future<std::string> result = done->get_future();
    std::thread([done, home = home_, dest = dest_] {
      try {
        ArchiveWorkspace(home, dest);
        done->set_value("");
      } catch (const std::exception& e) {
        done->set_value(e.what());
      }
    }).detach();
    if (result.wait_for(std::chrono::duration<double>(kArchiveBound)) !=
        std::future_status::ready) {
      escapes->push_back("the workspace archive did not end within " +
                         std::to_string(int(kArchiveBound)) + " s");
      return false;
    }
    std::string error = result.get();
    if (!error.empty()) escapes->push_back("the workspace archive failed: " + error);
    return error.empty();
  }

  void CheckKept(const TreeStats& kept, std::vector<std::string>* escapes) {
    if (kept.odd > 0)
      escapes->push_back(std::to_string(kept.odd) +
                         " links or special files in the archive");
    if (kept.allocated > kDiskBound)
      escapes->push_back("the archive takes " + std::to_string(kept.allocated) +
                         " bytes");
    std::string shadow = Head("/etc/shadow", 64);  // root only
    std::string secret = Head(host_.run_file, 64);
    for (const std::string& file : kept.files) {
      std::string data = Head(file, 1 << 20);
      bool leak = data.find(host_.key_secret) != std::string::npos ||
                  (!secret.empty() && data.find(secret) != std::string::npos) ||
                  (!shadow.empty() && data.find(shadow) != std::string::npos);
      if (leak) escapes->push_back("host content copied into " + file);
    }
  }

  const HostFixture& host_;
  std::string home_, dest_;
  double teardown_start_ = 0;
};

}  // namespace

std::unique_ptr<CaseWatch> MakeArchiveWatch(const CaseContext& context) {
  return std::make_unique<ArchiveWatch>(context);
}

}  // namespace redline
