// verdict.json: the verdict and its evidence as a JSON document.
#ifndef REDLINE_CHECK_VERDICT_JSON_H_
#define REDLINE_CHECK_VERDICT_JSON_H_

#include <string>

#include "check/verdict.h"

namespace redline {

/// The verdict object of DESIGN §8: {"success","reason","detail",
/// "milestones","evidence"}, pretty-printed. `extra_json` (an object, may be
/// "{}") is merged at the top level: trial number, model, timings, ….
std::string VerdictJson(const Verdict& verdict, const std::string& extra_json);
/// One probe as a JSON object (also used in transcript events).
std::string ProbeJson(const Probe& probe);

}  // namespace redline

#endif  // REDLINE_CHECK_VERDICT_JSON_H_
