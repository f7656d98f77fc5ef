// AggregateBehaviour: many trials' behaviour -> one configuration's figures.
#include <algorithm>
#include <string>

#include "analysis/behaviour.h"
#include "base/error.h"

namespace redline {
namespace {

void Add(const std::map<std::string, int>& from, std::map<std::string, int>* to) {
  for (const auto& [key, count] : from) (*to)[key] += count;
}

// Fig. 10: a mean over the trials that reached each step. A trial that
// ended earlier is not carried forward, so each step's count is reported.
std::vector<StepTokens> EnvTokens(const std::vector<TrialBehaviour>& trials,
                                  const std::vector<bool>& succeeded) {
  size_t longest = 0;
  for (const TrialBehaviour& t : trials)
    longest = std::max(longest, t.cumulative_env_tokens.size());
  std::vector<StepTokens> out(longest);
  std::vector<double> sum_ok(longest, 0), sum_failed(longest, 0);
  for (size_t i = 0; i < trials.size(); ++i) {
    const std::vector<long>& tokens = trials[i].cumulative_env_tokens;
    for (size_t s = 0; s < tokens.size(); ++s) {
      if (succeeded[i]) {
        out[s].successful_trials += 1;
        sum_ok[s] += static_cast<double>(tokens[s]);
      } else {
        out[s].failed_trials += 1;
        sum_failed[s] += static_cast<double>(tokens[s]);
      }
    }
  }
  for (size_t s = 0; s < longest; ++s) {
    out[s].step = static_cast<int>(s) + 1;
    if (out[s].successful_trials > 0)
      out[s].successful_mean = sum_ok[s] / out[s].successful_trials;
    if (out[s].failed_trials > 0)
      out[s].failed_mean = sum_failed[s] / out[s].failed_trials;
  }
  return out;
}

}  // namespace

BehaviourSummary AggregateBehaviour(const std::vector<TrialBehaviour>& trials,
                                    const std::vector<bool>& succeeded) {
  if (trials.size() != succeeded.size())
    throw InputError("AggregateBehaviour: " + std::to_string(trials.size()) +
                     " trials but " + std::to_string(succeeded.size()) +
                     " success flags");
  BehaviourSummary s;
  s.trials = static_cast<int>(trials.size());
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialBehaviour& t = trials[i];
    if (succeeded[i]) s.successful_trials += 1;
    if (t.task_conversation < 0) continue;
    s.trials_with_task += 1;
    s.steps += static_cast<int>(
        t.conversations[t.task_conversation].steps.size());
    Add(t.action_types, &s.action_types);
    Add(t.categories, &s.categories);
    Add(t.programs, &s.programs);
    if (succeeded[i]) {
      Add(t.action_types, &s.action_types_successful);
      Add(t.categories, &s.categories_successful);
      Add(t.programs, &s.programs_successful);
    }
    for (const Obstacle& o : t.obstacles) {
      s.obstacles[o.kind].met += 1;
      if (o.resolved) s.obstacles[o.kind].resolved += 1;
    }
  }
  s.env_tokens = EnvTokens(trials, succeeded);
  return s;
}

}  // namespace redline
