#include "agent/agent_loop.h"

#include <exception>

#include "agent/observation.h"
#include "agent/thinking_parser.h"
#include "base/clock.h"

namespace redline {
namespace {

// The value under `key` of a dict value (keys compared after trimming, as
// the parser does), or None.
PyValue Lookup(const PyValue& value, std::string_view key) {
  const auto* dict = std::get_if<PyDict>(&value.value);
  if (dict == nullptr) return PyValue();
  for (const auto& [k, v] : *dict) {
    size_t b = k.find_first_not_of(" \t\n");
    size_t e = k.find_last_not_of(" \t\n");
    if (b != std::string::npos && k.substr(b, e - b + 1) == key) return v;
  }
  return PyValue();
}

std::string Clip(const std::string& text, size_t limit = 200) {
  return PyRepr(text.size() <= limit ? text : text.substr(0, limit) + "...");
}

std::string Summary(const Action& action) {
  std::string name(ActionName(action.kind));
  switch (action.kind) {
    case ActionKind::kExecute:
      return name + " " + std::string(CommandTypeName(action.command_type)) +
             " " + Clip(action.command);
    case ActionKind::kReceive:
      return name + " terminal " + action.terminal_id;
    case ActionKind::kFinish:
      return name + " " + Clip(action.message);
  }
  return name;
}

// Runs a valid non-finish action; a bug in the environment must not end the
// task, so it becomes a status the model (and the log) can see.
ActionResult Perform(Environment& env, const Action& action,
                     const Timings& timings) {
  try {
    if (action.kind == ActionKind::kExecute)
      return env.Execute(action.terminal_id, action.command,
                         action.command_type, timings);
    return env.Receive(action.terminal_id, timings);
  } catch (const std::exception& e) {
    ActionResult result;
    result.status =
        std::string("Internal error of the agent while running the action: ") +
        e.what();
    return result;
  }
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kFinished:
      return "finished";
    case Outcome::kStepLimit:
      return "step_limit";
    case Outcome::kLlmError:
      return "llm_error";
  }
  return "llm_error";
}

Agent::Agent(LlmClient& llm, Environment& env, std::string system_prompt,
             StepLog* log)
    : llm_(llm),
      env_(env),
      system_prompt_(std::move(system_prompt)),
      log_(log) {}

TaskResult Agent::RunTask(const std::string& task, const TaskOptions& options) {
  int task_no = ++tasks_run_;
  messages_ = {{"system", system_prompt_},
               {"user", RenderFirstObservation(task)}};
  if (log_) {
    log_->Info("Processing user input: " + task);
    log_->Info("User input:\n" + messages_.back().content);
  }
  TaskResult result;
  while (result.steps < options.max_steps) {
    StepRecord record;
    record.task = task_no;
    record.step = ++result.steps;
    record.t_start = WallSeconds();
    if (log_) log_->Round(record.step);

    double llm_start = MonotonicSeconds();
    LlmReply reply = llm_.Complete(messages_);
    record.llm_seconds = MonotonicSeconds() - llm_start;
    if (!reply.ok) {
      result.outcome = Outcome::kLlmError;
      result.reply = "The LLM server failed: " + reply.error;
      record.status = "LLM error: " + reply.error;
      record.summary = record.status;
      record.t_end = WallSeconds();
      if (log_) log_->Step(record);
      break;
    }
    messages_.push_back({"assistant", reply.content});
    if (log_) log_->Info("response:" + reply.content);

    ParsedResponse parsed = ParseResponse(reply.content);
    record.missing_parts = parsed.parts.missing;
    PyValue action_py, result_py;
    if (!parsed.action) {
      // A format error is answered as a turn, like any observation, and
      // costs a step: the model has to learn the format, not be forgiven.
      ++result.format_errors;
      record.format_error = true;
      action_py = parsed.raw_action.value_or(PyValue());
      PyValue name = Lookup(action_py, "action");
      if (auto* s = std::get_if<std::string>(&name.value)) record.action = *s;
      record.action_input = Lookup(action_py, "action_input");
      result_py = FormatErrorToPy(parsed.format_error);
      record.status = "Format error: " + parsed.format_error;
      record.summary = "format error: " + parsed.format_error;
    } else {
      const Action& action = *parsed.action;
      action_py = ActionToPy(action);
      record.action = ActionName(action.kind);
      record.action_input = Lookup(action_py, "action_input");
      record.summary = Summary(action);
      if (log_)
        log_->Info("Invoking tool '" + record.action +
                   "' with args: " + PyRepr(record.action_input));
      if (action.kind == ActionKind::kFinish) {
        result.outcome = Outcome::kFinished;
        result.reply = action.message;
        record.status = "finished";
        record.t_end = WallSeconds();
        if (log_) log_->Step(record);
        break;
      }
      double action_start = MonotonicSeconds();
      ActionResult done = Perform(env_, action, options.timings);
      record.action_seconds = MonotonicSeconds() - action_start;
      result_py = ResultToPy(done);
      record.status = done.status;
      record.exit_code = done.exit_code;
      record.stdout_chars = done.stdout_text ? done.stdout_text->size() : 0;
      record.stderr_chars = done.stderr_text ? done.stderr_text->size() : 0;
    }
    std::string observation = RenderObservation(task, action_py, result_py);
    messages_.push_back({"user", observation});
    if (log_) log_->Info("User input:\n" + observation);
    record.t_end = WallSeconds();
    if (log_) log_->Step(record);
  }
  if (result.steps >= options.max_steps &&
      result.outcome == Outcome::kStepLimit) {
    result.reply = "Step limit reached: the task did not finish within " +
                   std::to_string(options.max_steps) + " steps.";
  }
  if (log_)
    log_->Print("task " + std::to_string(task_no) +
                " ended: " + std::string(OutcomeName(result.outcome)) +
                " after " + std::to_string(result.steps) + " steps (" +
                std::to_string(result.format_errors) +
                " format errors): " + Clip(result.reply, 500));
  return result;
}

}  // namespace redline
