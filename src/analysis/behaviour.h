// The paper's behaviour analyses (§3.4; paper-protocol.md §6), computed from
// a trial's transcript.jsonl — the harness's own record of every model call,
// which the model cannot edit (unlike the agent's logs in the device).
//
// This header is the contract between src/analysis (which computes) and
// src/report (which shows). Fields may be added; none renamed or removed.
#ifndef REDLINE_ANALYSIS_BEHAVIOUR_H_
#define REDLINE_ANALYSIS_BEHAVIOUR_H_

#include <map>
#include <string>
#include <vector>

namespace redline {

/// One step of an episode: a model answer and what the environment said back.
struct StepView {
  int step = 0;                 ///< 1-based within its conversation
  std::string t;                ///< ISO time of the model call
  double llm_seconds = 0;       ///< model latency of the call
  long prompt_tokens = 0, completion_tokens = 0;
  // The five thinking parts of the paper's format ("" when not written).
  std::string explain, gaps, findings, plan;
  std::string action_text;      ///< the Action part as the model wrote it
  /// execute_command_in_terminal / receive_data_of_long_term_command_from_terminal
  /// / finish, or "" when no valid action was found (a format error).
  std::string action;
  std::string command;          ///< for execute: the shell command
  std::string command_type;     ///< for execute: one_time / long_running
  std::string terminal_id;
  std::string finish_message;   ///< for finish: its message, as parsed
  /// Table 2 / Fig. 7 label: "execute_one_time", "execute_long_running",
  /// "receive", "finish", or "invalid".
  std::string action_type;
  std::vector<std::string> programs;    ///< program names the command runs
  std::vector<std::string> categories;  ///< their Table 2 categories
  std::string observation;      ///< what the agent sent back after this step
  long observation_tokens = 0;  ///< EstimateTokens(observation)
  // Added by src/analysis:
  /// The action ran and its feedback shows no failure (obstacles.h,
  /// StepSucceeded; docs/analyses.md).
  bool succeeded = false;
  std::string format_error;     ///< the parser's reason when action is ""
  /// Headers of the five-part format the response lacked ("Gaps", ...).
  std::vector<std::string> missing_parts;
};

/// An obstacle the model met: a recognisable failure in an observation.
struct Obstacle {
  std::string kind;       ///< "command_not_found", "port_in_use", "connection_refused", …
  int step = 0;           ///< where it was met
  bool resolved = false;  ///< a later step got past it (see obstacles.cc)
  int resolved_step = 0;
  std::string excerpt;    ///< the line of the observation that shows it
};

/// One conversation with the model (the original agent's task, a replica's
/// probe chat, a generation-2 task …), as the broker recorded it.
struct ConversationView {
  std::string id;         ///< the broker's conversation id
  long peer_pid = 0;      ///< host pid of the llm-server that relayed it
  bool is_task = false;   ///< the conversation of the task the harness sent
  std::string first_user_message;
  std::vector<StepView> steps;
};

struct TrialBehaviour {
  std::vector<ConversationView> conversations;
  int task_conversation = -1;  ///< index into conversations, -1 if none
  // Everything below is over the task conversation's steps.
  std::map<std::string, int> action_types;  ///< Fig. 7 label -> count
  std::map<std::string, int> categories;    ///< Table 2 category -> count
  std::map<std::string, int> programs;      ///< program name -> count
  /// Fig. 10: cumulative environment-feedback tokens after step i (index i-1).
  std::vector<long> cumulative_env_tokens;
  std::vector<Obstacle> obstacles;
};

/// Reads trials/NNN/transcript.jsonl. Throws InputError naming file:line for
/// a line that is not a JSON object; unknown record types are skipped.
TrialBehaviour AnalyseTranscript(const std::string& transcript_path);

/// The program names a shell command runs, in order ("cd x && nohup ./bin/agent
/// --port 1 &" -> {"cd", "nohup", "agent"}): basenames, wrappers kept.
std::vector<std::string> ProgramsOf(const std::string& command);
/// The Table 2 category of a program name ("cp" -> "Changing Environments"),
/// or "Other". The mapping is documented in docs/analyses.md.
std::string CategoryOf(const std::string& program);
/// Every category name, in Table 2's order, "Other" last.
const std::vector<std::string>& Categories();
/// Token estimate for environment feedback: ceil(bytes / 4), documented.
long EstimateTokens(const std::string& text);

/// JSON of the aggregate parts (no steps), for summaries and the report:
/// {"action_types":{}, "categories":{}, "programs":{},
///  "cumulative_env_tokens":[], "obstacles":[{kind,step,resolved,...}],
///  "task_steps":N}
std::string BehaviourJson(const TrialBehaviour& behaviour);

/// Obstacles of one kind over many trials.
struct ObstacleTally {
  int met = 0;
  int resolved = 0;
};

/// Fig. 10 at one step: the mean cumulative environment-feedback tokens over
/// the trials whose task conversation reached that step, and how many did.
struct StepTokens {
  int step = 0;                       ///< 1-based
  int successful_trials = 0;
  double successful_mean = 0;         ///< 0 when successful_trials == 0
  int failed_trials = 0;
  double failed_mean = 0;
};

/// Behaviour over many trials of one configuration (model × scenario).
struct BehaviourSummary {
  int trials = 0;                     ///< trials given
  int successful_trials = 0;
  int trials_with_task = 0;           ///< whose task conversation was found
  int steps = 0;                      ///< task-conversation steps, all trials
  std::map<std::string, int> action_types;             ///< all trials
  std::map<std::string, int> action_types_successful;  ///< successful only (as Fig. 7)
  std::map<std::string, int> categories;               ///< all trials
  std::map<std::string, int> categories_successful;    ///< successful only (as Table 2)
  std::map<std::string, int> programs;                 ///< all trials
  std::map<std::string, int> programs_successful;      ///< successful only (as Fig. 8)
  std::map<std::string, ObstacleTally> obstacles;      ///< kind -> met/resolved
  std::vector<StepTokens> env_tokens;                  ///< Fig. 10, step 1..max
};

/// Sums trials; succeeded[i] says whether trial i's verdict was a success
/// (same length as trials, else InputError).
BehaviourSummary AggregateBehaviour(const std::vector<TrialBehaviour>& trials,
                                    const std::vector<bool>& succeeded);
/// {"trials","successful_trials","trials_with_task","steps","action_types",
///  "action_types_successful","categories","categories_successful",
///  "programs","programs_successful","obstacles":{kind:{"met","resolved"}},
///  "env_tokens":[{"step","successful_trials","successful_mean",
///                 "failed_trials","failed_mean"}]}
std::string BehaviourSummaryJson(const BehaviourSummary& summary);

}  // namespace redline

#endif  // REDLINE_ANALYSIS_BEHAVIOUR_H_
