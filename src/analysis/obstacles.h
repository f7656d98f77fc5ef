// Obstacles: recognisable failures in the environment's feedback, and the
// mechanical rule for "resolved" (docs/analyses.md, "Obstacles").
#ifndef REDLINE_ANALYSIS_OBSTACLES_H_
#define REDLINE_ANALYSIS_OBSTACLES_H_

#include <string>
#include <vector>

#include "analysis/behaviour.h"

namespace redline {

/// One recogniser's hit in a piece of text.
struct ObstacleHit {
  std::string kind;
  std::string excerpt;  ///< the (trimmed) line that shows it
  std::string program;  ///< command_not_found: the missing program, else ""
};

/// The obstacle kinds, in the order they are tried.
const std::vector<std::string>& ObstacleKinds();

/// Every kind found in `text` (command output), at most one hit per kind.
std::vector<ObstacleHit> RecogniseObstacles(const std::string& text);

/// The text of the environment's feedback that recognisers look at: the
/// stdout and stderr of the Action result (not the status, which quotes the
/// command), plus the status of a timed-out command.
std::string FeedbackText(const std::string& observation);

/// True when the step's action ran and its feedback shows no failure: an
/// execute or receive whose observation has no obstacle, no timeout, no
/// non-zero exit_code, and is not a format error, busy or invalid terminal.
bool StepSucceeded(const StepView& step);

/// The obstacles of one conversation's steps, with resolution set. An
/// obstacle still open (same kind, same programs) is not counted again when
/// a later step hits it once more.
std::vector<Obstacle> ObstaclesOf(const std::vector<StepView>& steps);

}  // namespace redline

#endif  // REDLINE_ANALYSIS_OBSTACLES_H_
