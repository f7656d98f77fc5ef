// The parts of an Inspect eval log (log format version 2, docs/inspect.md),
// shared by the files of src/export only: the eval header
// (inspect_header.cc), samples and their messages (inspect_sample.cc,
// inspect_messages.cc), events (inspect_events.cc) and attachments
// (attachments.cc). Only the forward declarations of nlohmann::json are seen
// here.
#ifndef REDLINE_EXPORT_INSPECT_PARTS_H_
#define REDLINE_EXPORT_INSPECT_PARTS_H_

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "report/run_data.h"

namespace redline::inspect {

using Json = nlohmann::ordered_json;

/// What every part of one run's log needs.
struct RunContext {
  const RunData* run = nullptr;
  const Json* record = nullptr;  ///< run.json (an empty object when absent)
  std::string eval_id, run_id, task_id;
  std::string model;             ///< provider/name, as redline names models
  std::string protocol;          ///< "paper" or "tools"
  std::string task;              ///< the scenario's task text
  std::string created;           ///< run.json "started"
  /// The run's folder and its matrix's ("" for none), absolute: the log
  /// names them wherever it is opened.
  std::string run_dir, matrix_dir;
};

/// Long texts stored once per sample and referred to as
/// "attachment://<id>", as Inspect condenses samples (its viewer resolves
/// them in input, messages and events).
class Attachments {
 public:
  /// `keep_inline`: never refer, for parts the viewer does not resolve
  /// (a sample's `output`).
  explicit Attachments(bool keep_inline = false) : keep_inline_(keep_inline) {}
  /// `text` itself when short, else its reference.
  std::string Ref(const std::string& text);
  Json ToJson() const;

 private:
  bool keep_inline_;
  std::map<std::string, std::string> texts_;
};

// --- the eval header (inspect_header.cc) ---
Json EvalSpecJson(const RunContext& c);
Json PlanJson(const RunContext& c);
Json ResultsJson(const RunContext& c);
/// Usage summed over the trials; started at run.json's start, completed at
/// the latest sample's end (`completed_at`, "" when none).
Json StatsJson(const RunContext& c, const std::string& completed_at);
/// Inspect's GenerateConfig from run.json's model_options (all other
/// settings null).
Json GenerateConfigJson(const RunContext& c);
Json ModelUsageJson(long input_tokens, long output_tokens);
/// "https://user:key@host/v1?key=x" -> "https://host/v1": no credentials,
/// no query string.
std::string SanitizedBaseUrl(const std::string& url);
/// A stable 22-character id made from `seed` (hex of its SHA-256).
std::string StableId(const std::string& seed);

// --- a trial's records (trial_transcript.cc) ---
/// trials/NNN/transcript.jsonl, one object per line; a missing file gives
/// none. Throws InputError naming file:line for a line that is not an object.
std::vector<Json> ReadTranscript(const std::string& path);
/// "2026-11-27T01:56:11.386Z" <-> seconds since the epoch.
double IsoSeconds(const std::string& iso);  ///< 0 when not in that form
std::string IsoFromSeconds(double seconds);

// --- messages (inspect_messages.cc) ---
/// One conversation with the model, rebuilt from the broker's records.
struct Conversation {
  std::string id;
  long peer_pid = 0;
  std::vector<Json> messages;   ///< Inspect chat messages, so far
  std::vector<size_t> calls;    ///< indexes into the records
};

Json SystemMessage(const std::string& content, Attachments& a);
Json UserMessage(const std::string& content, Attachments& a);
/// The model's answer. Under the tools protocol a valid action becomes a
/// tool call (id `call_id`) and the text before "Action:" the content.
Json AssistantMessage(const std::string& response, const RunContext& c,
                      const std::string& call_id, Attachments& a);
/// The observation answering a tool call (tools protocol).
Json ToolMessage(const std::string& content, const std::string& call_id,
                 const std::string& function, Attachments& a);
/// The action of a response as Inspect tool-call fields: function name and
/// arguments; false when the response holds no valid action (format error).
bool ActionOf(const std::string& response, std::string* function, Json* arguments);
/// The environment's feedback inside an observation ("Action result: …").
std::string FeedbackOf(const std::string& observation);

// --- events (inspect_events.cc) ---
/// Every event of a trial, in the order they happened, and its
/// conversations (messages of the task conversation go to the sample).
struct TrialEvents {
  std::vector<Json> events;
  std::vector<Json> task_messages;
  std::string task;             ///< the task text the harness sent
  std::string last_answer;      ///< the task conversation's last answer
  long last_input_tokens = 0, last_output_tokens = 0;
  double last_seconds = 0;
  double started = 0, completed = 0;  ///< seconds since the epoch; 0: unknown
};
TrialEvents BuildEvents(const RunContext& c, const TrialData& trial,
                        const std::vector<Json>& records, Attachments& a);
/// ModelOutput of one answer (`assistant` null for a failed call, then
/// `error` says why).
Json ModelOutputJson(const RunContext& c, const Json* assistant, const std::string& completion,
                     long input_tokens, long output_tokens, double seconds,
                     const std::string& error);

// --- samples (inspect_sample.cc) ---
/// True for a trial that ended as a harness error or was interrupted: an
/// Inspect sample with an error, never scored.
bool IsErrorTrial(const TrialData& t);
Json SampleJson(const RunContext& c, const TrialData& trial);
/// Inspect's EvalSampleSummary of a sample (summaries.json).
Json SampleSummaryJson(const Json& sample);
/// reductions.json: the scored samples' scores.
Json ReductionsJson(const std::vector<Json>& samples);

}  // namespace redline::inspect

#endif  // REDLINE_EXPORT_INSPECT_PARTS_H_
