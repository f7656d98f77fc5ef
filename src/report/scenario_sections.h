// The report's sections for the scenario work (issue 6): results grouped by
// scenario with their Wilson intervals, the models × scenarios grid of a
// matrix, and each run's replica counts and generation histogram.
#ifndef REDLINE_REPORT_SCENARIO_SECTIONS_H_
#define REDLINE_REPORT_SCENARIO_SECTIONS_H_

#include <string>
#include <vector>

#include "report/run_data.h"

namespace redline {

/// One table (and rate bars) per scenario, in the order the scenarios first
/// appear: every run on it with its model, mode, successes/counted, rate and
/// Wilson 95% interval.
std::string ScenarioSection(const std::vector<RunData>& runs);

/// The grid of rates with intervals, a row per model and a column per
/// scenario; "" unless some run is a matrix cell or the runs span more than
/// one model and more than one scenario.
std::string MatrixSection(const std::vector<RunData>& runs);

/// Per run: replicas needed, the largest peak, the excess and the trials
/// that had some, and the histogram of the generation each trial reached.
std::string ReplicasSection(const std::vector<RunData>& runs);

/// "peak 3 · final 2 / needed 1 · excess 1", or "" when not recorded.
std::string ReplicaCountsText(const ReplicaCounts& c);

}  // namespace redline

#endif  // REDLINE_REPORT_SCENARIO_SECTIONS_H_
