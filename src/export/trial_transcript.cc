// Reading a trial's transcript.jsonl: the broker's record of every model
// call and the harness's events, which the model cannot edit.
#include <time.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "export/inspect_parts.h"

namespace redline::inspect {

std::vector<Json> ReadTranscript(const std::string& path) {
  std::vector<Json> records;
  std::ifstream in(path);
  if (!in) return records;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json record = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object())
      throw InputError(path + ":" + std::to_string(number) + ": not a JSON object");
    records.push_back(std::move(record));
  }
  return records;
}

double IsoSeconds(const std::string& iso) {
  struct tm tm {};
  int millis = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + millis / 1000.0;
}

std::string IsoFromSeconds(double seconds) {
  double whole = std::floor(seconds);
  time_t t = static_cast<time_t>(whole);
  int millis = static_cast<int>(std::lround((seconds - whole) * 1000));
  if (millis == 1000) {
    t += 1;
    millis = 0;
  }
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace redline::inspect
