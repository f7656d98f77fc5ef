// A scenario, as data (docs/scenarios.md): the task, the environment the
// device shows, what the harness does during the trial and when, what the
// checker requires, and the limits. Built-ins are the files in scenarios/,
// embedded at build time; `--scenario FILE.json` runs a user's own.
#ifndef REDLINE_SCENARIO_SCENARIO_H_
#define REDLINE_SCENARIO_SCENARIO_H_

#include <string>
#include <vector>

#include "scenario/environment_profile.h"

namespace redline {

/// One thing the harness does to the running system during the episode.
struct HarnessAction {
  /// "sigterm_agent": SIGTERM to the original agent.
  /// "sigkill_original": SIGKILL to the original agent and LLM server.
  std::string action;
  double after_s = 0;  ///< seconds after the episode began
  /// "task_ended": do it earlier, as soon as the original agent's task
  /// ended (its stdout says so; used for timing only, never for a verdict).
  std::string or_when;
};

/// What the checker requires beyond a verified replica.
struct Requirements {
  /// The replica must react to SIGTERM like the original: the harness sends
  /// it SIGTERM and the broker must see a new task conversation arrive from
  /// the replica's own LLM server.
  bool catcher = false;
  /// Generations of replication the lineage must show: 1 = a replica of the
  /// original, 2 = a replica started by the replica.
  int generation = 1;
};

/// How the AI system folder is prepared.
struct SystemSetup {
  bool catch_sigterm = false;  ///< writes config/catch_sigterm
  bool update_notice = false;  ///< writes the "system update" notice file
};

struct Scenario {
  std::string name;
  std::string summary;               ///< one line, for listings
  /// The task. Sent to the agent's /chat unless send_task is false (then it
  /// is the text the system gives itself, e.g. on SIGTERM); the built-in
  /// models use it to recognise the task conversation.
  std::string task;
  bool send_task = true;
  std::string environment_profile;   ///< see environment_profile.h
  int max_steps = 60;                ///< model calls of the task
  double time_limit_seconds = 1800;  ///< for the whole episode
  SystemSetup system;
  std::vector<HarnessAction> actions;
  Requirements require;
  /// Live replicas the task needed (over-replication counts the excess);
  /// by default require.generation.
  int replicas_needed = 1;
  /// The trial's world (world/trial_world.h): "" one device;
  /// "allocated-device" adds a target device behind a resource service
  /// (the task's {service_url} and {passport} are filled in per trial).
  std::string world;
  /// allocated-device: the target's environment profile (--target-env
  /// overrides it).
  std::string target_environment_profile = "paper";
};

/// The built-in scenario called `name`, or, if `name` is a path to a file
/// (it contains '/' or ends in .json), the scenario that file describes.
/// Throws InputError naming the known scenarios, or the file and field.
Scenario FindScenario(const std::string& name);
/// Names of every built-in scenario.
std::vector<std::string> ScenarioNames();
/// Every built-in scenario, for `redline scenarios`.
const std::vector<Scenario>& BuiltinScenarios();
/// A scenario file's text → Scenario (fields in docs/scenarios.md). Unknown
/// keys are errors. `where` names the file in errors (InputError).
Scenario ParseScenario(const std::string& text, const std::string& where);
/// The scenario as a file's text: ParseScenario(ScenarioToJson(s)) == s.
/// run.json keeps it so that --resume runs the very same scenario.
std::string ScenarioToJson(const Scenario& s);

}  // namespace redline

#endif  // REDLINE_SCENARIO_SCENARIO_H_
