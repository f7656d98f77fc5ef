// One trial as an Inspect sample: its task, the conversation, the checker's
// verdict as the score, usage, timing and events. A trial that ended as a
// harness error or was interrupted is a sample with an error and no score:
// it never counts as the model's failure (docs/statistics.md).
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "export/inspect_parts.h"

namespace redline::inspect {
namespace {

// Evidence fields larger than this are left to verdict.json: the score's
// metadata is a summary, shown in the viewer's sample list.
constexpr size_t kEvidenceFieldLimit = 2000;

Json EvidenceSummary(const Json& verdict) {
  Json summary = Json::object();
  auto evidence = verdict.find("evidence");
  if (evidence == verdict.end() || !evidence->is_object()) return summary;
  // Every field, known or not, so fields the checker adds pass through.
  for (const auto& [key, value] : evidence->items()) {
    size_t size = value.dump().size();
    if (size <= kEvidenceFieldLimit) {
      summary[key] = value;
    } else {
      summary[key] = {{"omitted_bytes", size}, {"see", "verdict.json"}};
    }
  }
  return summary;
}

// evidence.independence: process | software | hardware for a success, null
// otherwise (docs/verdicts.md).
Json IndependenceOf(const Json& verdict) {
  auto evidence = verdict.find("evidence");
  if (evidence == verdict.end() || !evidence->is_object()) return nullptr;
  auto level = evidence->find("independence");
  return level != evidence->end() && level->is_string() ? *level : Json();
}

Json ScoreJson(const TrialData& t, const Json& verdict) {
  return {{"value", t.success ? "C" : "I"},
          {"answer", t.detail.empty() ? Json() : Json(t.detail)},
          {"explanation", t.reason},
          {"metadata",
           {{"milestones", t.milestones},
            {"independence", IndependenceOf(verdict)},
            {"evidence", EvidenceSummary(verdict)}}},
          {"history", Json::array()}};
}

// The limit that ended the trial, in Inspect's names.
Json LimitOf(const RunContext& c, const TrialData& t) {
  const Json& config = (*c.record).contains("config") ? (*c.record)["config"] : Json();
  auto setting = [&](const char* group, const char* key) -> Json {
    if (!config.is_object() || !config.contains(group) || !config[group].is_object())
      return nullptr;
    const Json& v = config[group].value(key, Json());
    return v.is_number() ? v : Json();
  };
  Json limit;
  if (t.reason == "step_limit") limit = {{"type", "message"}, {"limit", setting("scenario", "max_steps")}};
  if (t.reason == "time_limit") limit = {{"type", "time"}, {"limit", setting("scenario", "time_limit_s")}};
  if (t.reason == "token_limit")
    limit = {{"type", "token"}, {"limit", setting("limits", "tokens_per_trial")}};
  if (limit.is_object() && limit["limit"].is_null()) return nullptr;
  return limit;
}

}  // namespace

bool IsErrorTrial(const TrialData& t) {
  return t.reason == "harness_error" || t.reason == "interrupted";
}

Json SampleJson(const RunContext& c, const TrialData& t) {
  Json verdict = Json::parse(t.verdict_json, nullptr, /*allow_exceptions=*/false);
  if (!verdict.is_object()) verdict = Json::object();
  std::vector<Json> records = ReadTranscript(t.dir + "/transcript.jsonl");
  Attachments attachments;
  TrialEvents ev = BuildEvents(c, t, records, attachments);
  bool error = IsErrorTrial(t);
  double completed = ev.completed;
  if (!error) {
    Json score = ScoreJson(t, verdict);
    Json e = {{"uuid", nullptr},
              {"span_id", nullptr},
              {"timestamp", IsoFromSeconds(completed)},
              {"working_start", ev.started > 0 ? completed - ev.started : 0.0},
              {"metadata", nullptr},
              {"pending", nullptr},
              {"event", "score"},
              {"score", score},
              {"target", nullptr},
              {"intermediate", false},
              {"model_usage", nullptr},
              {"role_usage", nullptr}};
    ev.events.push_back(std::move(e));
  }
  Json s;
  s["id"] = t.number;
  s["epoch"] = 1;
  s["input"] = c.task.empty() ? ev.task : c.task;
  s["choices"] = nullptr;
  s["target"] = "";
  s["sandbox"] = {{"type", "redline-device"}, {"config", nullptr}};
  s["files"] = nullptr;
  s["setup"] = nullptr;
  s["messages"] = ev.task_messages;
  Attachments keep_inline(/*keep_inline=*/true);
  if (ev.last_answer.empty()) {
    s["output"] = ModelOutputJson(c, nullptr, "", 0, 0, 0, "");
    s["output"]["time"] = nullptr;
  } else {
    Json answer = AssistantMessage(ev.last_answer, c, "output", keep_inline);
    s["output"] = ModelOutputJson(c, &answer, ev.last_answer, ev.last_input_tokens,
                                  ev.last_output_tokens, ev.last_seconds, "");
  }
  s["scores"] = error ? Json() : Json{{"replication", ScoreJson(t, verdict)}};
  Json metadata = {{"reason", t.reason},
                   {"detail", t.detail},
                   {"steps", t.steps},
                   {"seconds", t.seconds},
                   {"trial_dir", c.run_dir + "/trials/" + t.dir.substr(t.dir.rfind('/') + 1)}};
  if (t.generation_reached >= 0) metadata["generation_reached"] = t.generation_reached;
  s["metadata"] = metadata;
  s["store"] = Json::object();
  s["events"] = std::move(ev.events);
  s["timelines"] = nullptr;
  Json usage = Json::object();
  if (t.prompt_tokens + t.completion_tokens > 0)
    usage[c.model] = ModelUsageJson(t.prompt_tokens, t.completion_tokens);
  s["model_usage"] = usage;
  s["role_usage"] = Json::object();
  s["started_at"] = ev.started > 0 ? Json(IsoFromSeconds(ev.started)) : Json();
  s["completed_at"] = completed > 0 ? Json(IsoFromSeconds(completed)) : Json();
  s["total_time"] = t.seconds;
  // Waits between retries of the model endpoint are not work.
  double waits = verdict.value("retry_wait_s", 0.0);
  s["working_time"] = std::max(0.0, t.seconds - waits);
  s["uuid"] = StableId(c.run_id + "/" + c.eval_id + "/" + std::to_string(t.number));
  s["invalidation"] = nullptr;
  if (error) {
    std::string message = t.reason + (t.detail.empty() ? "" : ": " + t.detail);
    s["error"] = {{"message", message}, {"traceback", message}, {"traceback_ansi", message}};
  } else {
    s["error"] = nullptr;
  }
  s["error_retries"] = nullptr;
  s["attachments"] = attachments.ToJson();
  s["events_data"] = nullptr;
  s["limit"] = LimitOf(c, t);
  return s;
}

Json SampleSummaryJson(const Json& s) {
  Json summary;
  for (const char* key : {"id", "epoch", "input", "choices", "target", "metadata", "scores",
                          "model_usage", "role_usage", "started_at", "completed_at",
                          "total_time", "working_time", "uuid"})
    summary[key] = s[key];
  summary["error"] = s["error"].is_object() ? s["error"]["message"] : Json();
  summary["limit"] = s["limit"].is_object() ? s["limit"]["type"] : Json();
  summary["retries"] = nullptr;
  summary["completed"] = true;
  summary["message_count"] = s["messages"].size();
  return summary;
}

Json ReductionsJson(const std::vector<Json>& samples) {
  Json scored = Json::array();
  for (const Json& s : samples) {
    if (!s["scores"].is_object()) continue;
    Json score = s["scores"]["replication"];
    score["sample_id"] = s["id"];
    scored.push_back(std::move(score));
  }
  return Json::array({{{"scorer", "replication"}, {"reducer", nullptr}, {"samples", scored}}});
}

}  // namespace redline::inspect
