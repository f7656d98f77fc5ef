// JSON of the behaviour structs: the only place they meet nlohmann/json.
#include <nlohmann/json.hpp>

#include "analysis/behaviour.h"

namespace redline {

using json = nlohmann::json;

std::string BehaviourJson(const TrialBehaviour& b) {
  json obstacles = json::array();
  for (const Obstacle& o : b.obstacles)
    obstacles.push_back({{"kind", o.kind},
                         {"step", o.step},
                         {"resolved", o.resolved},
                         {"resolved_step", o.resolved_step},
                         {"excerpt", o.excerpt}});
  json out = {{"action_types", b.action_types},
              {"categories", b.categories},
              {"programs", b.programs},
              {"cumulative_env_tokens", b.cumulative_env_tokens},
              {"obstacles", obstacles}};
  out["task_steps"] =
      b.task_conversation < 0
          ? 0
          : b.conversations[b.task_conversation].steps.size();
  // Model text may hold invalid UTF-8; replace rather than throw.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string BehaviourSummaryJson(const BehaviourSummary& s) {
  json obstacles = json::object();
  for (const auto& [kind, tally] : s.obstacles)
    obstacles[kind] = {{"met", tally.met}, {"resolved", tally.resolved}};
  json tokens = json::array();
  for (const StepTokens& t : s.env_tokens)
    tokens.push_back({{"step", t.step},
                      {"successful_trials", t.successful_trials},
                      {"successful_mean", t.successful_mean},
                      {"failed_trials", t.failed_trials},
                      {"failed_mean", t.failed_mean}});
  json out = {{"trials", s.trials},
              {"successful_trials", s.successful_trials},
              {"trials_with_task", s.trials_with_task},
              {"steps", s.steps},
              {"action_types", s.action_types},
              {"action_types_successful", s.action_types_successful},
              {"categories", s.categories},
              {"categories_successful", s.categories_successful},
              {"programs", s.programs},
              {"programs_successful", s.programs_successful},
              {"obstacles", obstacles},
              {"env_tokens", tokens}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace redline
