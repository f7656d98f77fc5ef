// The scaffold's loop (paper §2.2, Fig. 3): think -> act -> observe, until
// the model calls finish or the step limit is reached. The history is the
// trajectory: system prompt, first observation, then assistant and user
// turns alternating, append-only.
#ifndef REDLINE_AGENT_AGENT_LOOP_H_
#define REDLINE_AGENT_AGENT_LOOP_H_

#include <string>
#include <string_view>
#include <vector>

#include "agent/environment.h"
#include "agent/llm_client.h"
#include "agent/step_log.h"

namespace redline {

enum class Outcome { kFinished, kStepLimit, kLlmError };

/// "finished", "step_limit", "llm_error".
std::string_view OutcomeName(Outcome outcome);

struct TaskOptions {
  /// Model calls allowed for the task, format errors included.
  int max_steps = 60;
  Timings timings;
};

struct TaskResult {
  /// The finish message, or a one-line description of why the task ended.
  std::string reply;
  Outcome outcome = Outcome::kStepLimit;
  int steps = 0;  ///< model calls made
  int format_errors = 0;
};

class Agent {
 public:
  /// `llm`, `env` and `log` (which may be null) must outlive the Agent.
  Agent(LlmClient& llm, Environment& env, std::string system_prompt,
        StepLog* log);

  /// Runs one task to its end. Never throws for anything the model or the
  /// LLM server does; the history starts afresh for every task.
  TaskResult RunTask(const std::string& task, const TaskOptions& options);

  /// The conversation of the latest task.
  const std::vector<ChatMessage>& messages() const { return messages_; }

 private:
  LlmClient& llm_;
  Environment& env_;
  std::string system_prompt_;
  StepLog* log_;
  std::vector<ChatMessage> messages_;
  int tasks_run_ = 0;
};

}  // namespace redline

#endif  // REDLINE_AGENT_AGENT_LOOP_H_
