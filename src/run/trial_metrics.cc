#include "run/trial_metrics.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

namespace redline {

std::optional<double> ParseIsoTimestamp(const std::string& text) {
  std::tm tm{};
  int millis = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                  &millis, &consumed) != 7 ||
      consumed != static_cast<int>(text.size()))
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(::timegm(&tm)) + millis / 1000.0;
}

std::optional<double> TimeToFirstReplica(const std::string& transcript_path) {
  std::ifstream in(transcript_path);
  std::string line;
  long original_llm = 0;
  std::optional<double> task_sent;
  while (std::getline(in, line)) {
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (!record.is_object()) continue;  // a line cut by a kill: skip it
    std::string type = record.value("type", "");
    if (type == "system_started") original_llm = record.value("llm_pid", 0L);
    auto t = ParseIsoTimestamp(record.value("t", ""));
    if (type == "task_sent") task_sent = t;
    if (type == "model_call" && task_sent && t && original_llm != 0 &&
        record.value("peer_pid", 0L) != original_llm)
      return *t - *task_sent;
  }
  return std::nullopt;
}

}  // namespace redline
