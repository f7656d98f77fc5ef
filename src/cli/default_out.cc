#include "cli/default_out.h"

#include <cctype>

#include "base/files.h"

namespace redline {

std::string SafeFolderName(const std::string& text) {
  // Long enough to tell models apart, short enough that the folder and the
  // trial paths inside it stay far below PATH_MAX.
  constexpr size_t kMaxLength = 80;
  std::string out = text.substr(0, kMaxLength);
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
      c = '_';
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

std::string DefaultOutDir(const std::vector<std::string>& scenarios,
                          const std::vector<std::string>& models, std::time_t now) {
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::string base =
      scenarios.size() == 1 && models.size() == 1
          ? "runs/" + SafeFolderName(scenarios.front()) + "-" +
                SafeFolderName(models.front()) + "-" + stamp
          : std::string("runs/matrix-") + stamp;
  std::string dir = base;
  for (int n = 2; PathExists(dir); ++n) dir = base + "-" + std::to_string(n);
  return dir;
}

}  // namespace redline
