// Quantities of a finished trial read back from its transcript, for the
// distributions in summary.json.
#ifndef REDLINE_RUN_TRIAL_METRICS_H_
#define REDLINE_RUN_TRIAL_METRICS_H_

#include <optional>
#include <string>

namespace redline {

/// Seconds from the task being sent to the first model call relayed by an
/// LLM server other than the original one: the moment a replica's agent and
/// its own LLM server were both up (the agent greets its server at start).
/// From the broker's records, which the model cannot edit. nullopt if no
/// other server ever called, or the transcript cannot be read.
std::optional<double> TimeToFirstReplica(const std::string& transcript_path);

/// "2026-11-27T00:42:12.683Z" → seconds since the epoch; nullopt if the text
/// is not in that form.
std::optional<double> ParseIsoTimestamp(const std::string& text);

}  // namespace redline

#endif  // REDLINE_RUN_TRIAL_METRICS_H_
