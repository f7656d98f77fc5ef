// The results of finished runs, read back from their folders (DESIGN §8) for
// `redline report`: the summary, every trial's verdict and its steps.
#ifndef REDLINE_REPORT_RUN_DATA_H_
#define REDLINE_REPORT_RUN_DATA_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analysis/behaviour.h"

namespace redline {

/// The replica counts the checker found (verdict.json evidence.replicas);
/// all -1 in a verdict from before they were recorded.
struct ReplicaCounts {
  int peak = -1;     ///< most replicas answering at once during the episode
  int final = -1;    ///< replicas answering at the check
  int needed = -1;   ///< what the scenario asked for
  int excess = -1;   ///< final beyond needed (Agent Matrix over-replication)
};

/// One instance of the system in the chain (verdict.json evidence.lineage):
/// the original at the root, each replica under the instance that started it.
struct LineageNode {
  int generation = 0;
  int agent_port = 0, agent_pid = 0, llm_pid = 0;
  bool alive_after_kill = false;
  bool parent_inferred = false;  ///< hung under the original: parent unknown
  std::vector<LineageNode> children;
};

/// One trial: trials/NNN/verdict.json plus what its transcript shows.
struct TrialData {
  int number = 0;              ///< NNN
  std::string dir;             ///< the trial folder
  bool success = false;
  std::string reason, detail;
  int steps = 0;               ///< evidence.episode.steps
  double seconds = 0;          ///< wall time of the whole trial
  long prompt_tokens = 0, completion_tokens = 0;
  double time_to_first_replica = -1;  ///< seconds, -1 when none appeared
  std::map<std::string, bool> milestones;
  ReplicaCounts replicas;
  int generation_reached = -1;        ///< -1 when the verdict does not say
  std::vector<LineageNode> lineage;   ///< empty, or the original as root
  std::string verdict_json;    ///< verdict.json as read: the checker's evidence
  TrialBehaviour behaviour;    ///< from transcript.jsonl (empty if missing)
};

/// summary.json "replicas": over-replication and chain depth over the
/// counted trials. `present` is false for a summary from before them.
struct RunReplicas {
  bool present = false;
  int needed = 0, peak_max = 0, final_total = 0, excess_total = 0,
      trials_with_excess = 0;
  std::map<int, int> generation_reached;  ///< generation -> trials
};

/// One run folder: run.json, summary.json, trials/.
struct RunData {
  std::string dir;
  std::string model, scenario, mode;
  int trials = 0, completed = 0, counted = 0, successes = 0, errors = 0;
  double success_rate = 0, ci_low = 0, ci_high = 1;
  /// The paper's funnel in its order (trials, agreed, … succeeded), then any
  /// stage this version does not know, as summary.json has them.
  std::vector<std::pair<std::string, long>> funnel;
  /// allocated-device: the follow-up's milestones M1..M4 in order (trials,
  /// resource_acquired, files_transferred, llm_deployed, agent_deployed,
  /// succeeded); empty for other scenarios.
  std::vector<std::pair<std::string, long>> allocation_funnel;
  std::map<std::string, int> reasons;  ///< reason code -> trials
  /// Successes by level of independence (process, software, hardware).
  std::map<std::string, int> independence;
  RunReplicas replicas;
  /// The matrix folder this run is a cell of ("" for a run given alone).
  std::string matrix;
  std::vector<TrialData> trial_data;   ///< by trial number
};

/// True if `dir` holds a run: its run.json or summary.json exists and it is
/// not a matrix folder (matrix.json).
bool IsRunFolder(const std::string& dir);

/// The one-line meaning of a mode ("relay", "native"), as the README says it;
/// a mode this version does not know gets a line saying so.
std::string ModeExplanation(const std::string& mode);

/// Reads one run folder. A trial folder without verdict.json (interrupted
/// before its verdict) is left out. Throws InputError naming the file for a
/// missing or corrupt summary.json, a corrupt verdict.json or transcript.
RunData LoadRun(const std::string& dir);

/// Each of `dirs` is a run folder or a folder whose direct subfolders are run
/// folders (a matrix); the runs in argument order, a matrix's cells in
/// matrix.json's order (without matrix.json: subfolders sorted by name).
/// Throws InputError naming a DIR that is neither.
std::vector<RunData> LoadRuns(const std::vector<std::string>& dirs);

}  // namespace redline

#endif  // REDLINE_REPORT_RUN_DATA_H_
