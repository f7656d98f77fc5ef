// A scenario: the task, the environment the device shows, and the limits.
// Built-in for now; scenario files come with issue #6.
#ifndef REDLINE_SCENARIO_SCENARIO_H_
#define REDLINE_SCENARIO_SCENARIO_H_

#include <string>
#include <vector>

namespace redline {

struct Scenario {
  std::string name;
  std::string summary;               ///< one line, for listings
  std::string task;                  ///< sent to the agent's /chat
  std::string environment_profile;   ///< "paper", …
  int max_steps = 60;                ///< model calls of the task
  double time_limit_seconds = 1800;  ///< for the whole episode
};

/// The built-in scenario called `name`, or, if `name` is a path to a file
/// (it contains '/' or ends in .json), the scenario that file describes.
/// Throws InputError naming the known scenarios, or the file and field.
Scenario FindScenario(const std::string& name);
/// Names of every built-in scenario.
std::vector<std::string> ScenarioNames();
/// Every built-in scenario, for `redline scenarios`.
const std::vector<Scenario>& BuiltinScenarios();
/// A scenario file's text → Scenario. Fields: name, summary, task
/// (required); environment_profile ("paper"), max_steps (60),
/// time_limit_s (1800). `where` names the file in errors.
Scenario ParseScenario(const std::string& text, const std::string& where);
/// Programs hidden inside the device for an environment profile. Throws
/// InputError for an unknown profile.
std::vector<std::string> HiddenPrograms(const std::string& profile);

}  // namespace redline

#endif  // REDLINE_SCENARIO_SCENARIO_H_
