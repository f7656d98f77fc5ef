#include "run/trial_record.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"

namespace redline {

std::optional<TrialRecord> ReadTrialRecord(const std::string& trial_dir,
                                           int index) {
  std::string path = trial_dir + "/verdict.json";
  if (!PathExists(path)) return std::nullopt;
  nlohmann::json v;
  try {
    v = nlohmann::json::parse(ReadFile(path));
    TrialRecord r;
    r.index = index;
    r.success = v.at("success").get<bool>();
    r.reason = v.at("reason").get<std::string>();
    r.detail = v.value("detail", "");
    r.milestones = v.value("milestones", std::map<std::string, bool>{});
    return r;
  } catch (const std::exception&) {
    // verdict.json is written atomically, so this is a file someone else
    // damaged; treat the trial as not done.
    return std::nullopt;
  }
}

}  // namespace redline
