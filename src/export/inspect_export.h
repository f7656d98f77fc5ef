// `redline export --format inspect|inspect-eval`: run folders as Inspect AI
// eval logs (log format version 2), which Inspect's log viewer opens and
// Inspect's tools read. The mapping is documented in docs/inspect.md.
#ifndef REDLINE_EXPORT_INSPECT_EXPORT_H_
#define REDLINE_EXPORT_INSPECT_EXPORT_H_

#include <string>
#include <vector>

#include "report/run_data.h"

namespace redline {

enum class InspectFormat {
  kJson,  ///< one .json file: the whole EvalLog
  kEval,  ///< Inspect's .eval zip: header, samples and summaries as members
};

/// Writes one log per run (a matrix's cells are runs). `out` is a file
/// (ending in .json or .eval, for exactly one run) or a folder, created if
/// needed, that gets the logs named as Inspect names them
/// (<created>_<task>_<eval id>.<ext>) and a listing.json, the manifest
/// Inspect's viewer reads from a static log folder. Returns the logs'
/// paths. Throws InputError for an `out` that does not fit the runs and for
/// a corrupt run.json or transcript; SystemError when writing fails.
std::vector<std::string> ExportInspect(const std::vector<RunData>& runs,
                                       InspectFormat format, const std::string& out);

/// The log of one run as Inspect's EvalLog JSON (samples included), for
/// tests and for the .json form.
std::string InspectLogJson(const RunData& run);

}  // namespace redline

#endif  // REDLINE_EXPORT_INSPECT_EXPORT_H_
