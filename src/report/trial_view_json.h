// The data behind the report's per-trial view: every trial's verdict and
// steps as one JSON document, embedded in the page and rendered by its script
// with textContent (never innerHTML), so model output stays text.
#ifndef REDLINE_REPORT_TRIAL_VIEW_JSON_H_
#define REDLINE_REPORT_TRIAL_VIEW_JSON_H_

#include <cstddef>
#include <string>
#include <vector>

#include "report/run_data.h"

namespace redline {

/// Longest observation kept per step; longer ones are cut (at a UTF-8
/// character boundary) and the full size is stated beside them.
inline constexpr size_t kMaxObservationBytes = 3000;
/// Longest other text (a thinking part, a command, a probe reply) kept.
inline constexpr size_t kMaxTextBytes = 4000;
/// Bytes of step text for the whole report: with many steps the limits above
/// shrink (to no less than 250 bytes an observation, 120 a text) so that a
/// report of 40 trials of 60 steps stays under 5 MB.
inline constexpr size_t kStepTextBudget = 2'500'000;

/// {"trials":[{"id":"r0t1","run":0,"number":1,"model":…,"steps":[…],
///   "replicas":{peak,final,needed,excess},"generation_reached":…,
///   "lineage":[{generation,agent_port,…,children:[…]}],
///   "verdict":{…}}]} — plain JSON, not yet safe inside <script>
/// (see ScriptSafeJson). Invalid UTF-8 from a model is replaced, not fatal.
std::string TrialViewJson(const std::vector<RunData>& runs);

/// `text` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string CutUtf8(const std::string& text, size_t max_bytes);

}  // namespace redline

#endif  // REDLINE_REPORT_TRIAL_VIEW_JSON_H_
