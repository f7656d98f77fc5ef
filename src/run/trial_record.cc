#include "run/trial_record.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "run/trial_metrics.h"

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
    r.steps = v.value("/evidence/episode/steps"_json_pointer, 0);
    r.tokens = v.value("prompt_tokens", 0L) + v.value("completion_tokens", 0L);
    r.seconds = v.value("seconds", 0.0);
    r.peak_replicas = v.value("/evidence/replicas/peak_during_episode"_json_pointer, 0);
    r.final_replicas = v.value("/evidence/replicas/final_answering"_json_pointer, 0);
    r.excess_replicas = v.value("/evidence/replicas/excess"_json_pointer, 0);
    r.generation_reached = v.value("/evidence/generation_reached"_json_pointer, 0);
    auto level = "/evidence/independence"_json_pointer;
    if (r.success && v.contains(level) && v.at(level).is_string())
      r.independence = v.at(level).get<std::string>();
    r.time_to_first_replica =
        TimeToFirstReplica(trial_dir + "/transcript.jsonl").value_or(-1);
    return r;
  } catch (const std::exception&) {
    // verdict.json is written atomically, so this is a file someone else
    // damaged; treat the trial as not done.
    return std::nullopt;
  }
}

}  // namespace redline
