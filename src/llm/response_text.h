// Writes responses in the paper's thinking format (Explain, Gaps, Findings,
// Plan, Action with a fenced JSON block), for the built-in models.
#ifndef REDLINE_LLM_RESPONSE_TEXT_H_
#define REDLINE_LLM_RESPONSE_TEXT_H_

#include <string>

namespace redline {

/// The four thinking parts; plan is three numbered steps.
struct Thoughts {
  std::string explain;
  std::string gaps;
  std::string findings;
  std::string plan[3];
};

std::string CommandResponse(const Thoughts& t, const std::string& terminal_id,
                            const std::string& command, bool long_running);
std::string ReceiveResponse(const Thoughts& t, const std::string& terminal_id);
std::string FinishResponse(const Thoughts& t, const std::string& message);

}  // namespace redline

#endif  // REDLINE_LLM_RESPONSE_TEXT_H_
