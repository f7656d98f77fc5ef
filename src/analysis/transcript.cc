// AnalyseTranscript: transcript.jsonl -> conversations, steps and the task
// conversation's aggregates. The model's answers are parsed with the agent's
// own parser, so the analysis sees each answer exactly as the agent acted
// on it.
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/thinking_parser.h"
#include "analysis/behaviour.h"
#include "analysis/obstacles.h"
#include "base/error.h"

namespace redline {
namespace {

using json = nlohmann::json;

struct Call {
  std::string conversation;
  long peer_pid = 0;
  long turn = 0;
  std::string t;
  double latency = 0;
  bool answered = false;  // has a response (not an error)
  std::string response;
  long prompt_tokens = 0, completion_tokens = 0;
  std::vector<std::string> user_messages;
};

template <typename T>
T Get(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

Call CallOf(const json& record) {
  Call call;
  call.conversation = Get<std::string>(record, "conversation", "");
  call.peer_pid = Get<long>(record, "peer_pid", 0);
  call.turn = Get<long>(record, "turn", 0);
  call.t = Get<std::string>(record, "t", "");
  call.latency = Get<double>(record, "latency_s", 0);
  auto response = record.find("response");
  call.answered = response != record.end() && response->is_string();
  if (call.answered) call.response = response->get<std::string>();
  call.prompt_tokens = Get<long>(record, "prompt_tokens", 0);
  call.completion_tokens = Get<long>(record, "completion_tokens", 0);
  auto messages = record.find("new_messages");
  if (messages != record.end() && messages->is_array())
    for (const json& m : *messages)
      if (m.is_object() && Get<std::string>(m, "role", "") == "user")
        call.user_messages.push_back(Get<std::string>(m, "content", ""));
  return call;
}

// The environment's feedback in the scaffold's user message: the text
// between "Action result: " and "\nCritique: " (the Task and Critique
// lines are the same every turn). Another scaffold's message is kept whole.
std::string FeedbackOf(const std::string& user_message) {
  const std::string kResult = "\nAction result: ";
  size_t start = user_message.rfind(kResult);
  if (start == std::string::npos) return user_message;
  start += kResult.size();
  size_t end = user_message.rfind("\nCritique: ");
  if (end == std::string::npos || end < start) end = user_message.size();
  return user_message.substr(start, end - start);
}

// The text after the last "Action:" header (markdown decoration allowed).
std::string ActionTextOf(const std::string& response) {
  size_t found = std::string::npos, pos = 0;
  while (pos <= response.size()) {
    size_t end = response.find('\n', pos);
    if (end == std::string::npos) end = response.size();
    size_t i = pos;
    while (i < end && (response[i] == ' ' || response[i] == '*' ||
                       response[i] == '#' || response[i] == '\t'))
      ++i;
    if (end - i >= 6 && (response.compare(i, 6, "Action") == 0 ||
                         response.compare(i, 6, "ACTION") == 0 ||
                         response.compare(i, 6, "action") == 0)) {
      size_t j = i + 6;
      while (j < end && (response[j] == '*' || response[j] == ' ')) ++j;
      if (j < end && response[j] == ':') found = j + 1;
    }
    pos = end + 1;
  }
  if (found == std::string::npos) return "";
  size_t b = response.find_first_not_of(" *\t\r\n", found);
  return b == std::string::npos ? "" : response.substr(b);
}

std::string ActionTypeOf(const ParsedResponse& parsed) {
  if (!parsed.action) return "invalid";
  switch (parsed.action->kind) {
    case ActionKind::kExecute:
      return parsed.action->command_type == CommandType::kLongRunning
                 ? "execute_long_running"
                 : "execute_one_time";
    case ActionKind::kReceive:
      return "receive";
    case ActionKind::kFinish:
      return "finish";
  }
  return "invalid";
}

StepView StepOf(const Call& call, int number) {
  StepView step;
  step.step = number;
  step.t = call.t;
  step.llm_seconds = call.latency;
  step.prompt_tokens = call.prompt_tokens;
  step.completion_tokens = call.completion_tokens;
  ParsedResponse parsed = ParseResponse(call.response);
  step.explain = parsed.parts.explain;
  step.gaps = parsed.parts.gaps;
  step.findings = parsed.parts.findings;
  step.plan = parsed.parts.plan;
  step.action_text = ActionTextOf(call.response);
  step.action_type = ActionTypeOf(parsed);
  step.format_error = parsed.format_error;
  step.missing_parts = parsed.parts.missing;
  if (parsed.action) {
    const Action& a = *parsed.action;
    step.action = std::string(ActionName(a.kind));
    step.terminal_id = a.terminal_id;
    if (a.kind == ActionKind::kExecute) {
      step.command = a.command;
      step.command_type = std::string(CommandTypeName(a.command_type));
      step.programs = ProgramsOf(a.command);
      for (const std::string& p : step.programs)
        step.categories.push_back(CategoryOf(p));
    }
    if (a.kind == ActionKind::kFinish) step.finish_message = a.message;
  }
  return step;
}

// Groups the calls into conversations. The broker names a conversation by
// its first messages, so a replica's identical first chat shares the id:
// a call that does not move the turn forward from another process starts
// a new view.
std::vector<ConversationView> Conversations(const std::vector<Call>& calls) {
  std::vector<ConversationView> views;
  std::map<std::string, size_t> current;  // id -> index into views
  std::map<size_t, long> last_turn;
  for (const Call& call : calls) {
    auto it = current.find(call.conversation);
    if (it == current.end() ||
        (call.turn <= last_turn[it->second] &&
         call.peer_pid != views[it->second].peer_pid) ||
        call.turn < last_turn[it->second]) {
      ConversationView view;
      view.id = call.conversation;
      view.peer_pid = call.peer_pid;
      views.push_back(view);
      current[call.conversation] = views.size() - 1;
      it = current.find(call.conversation);
    }
    ConversationView& view = views[it->second];
    last_turn[it->second] = call.turn;
    // A user message answers the last step that has no observation yet.
    for (const std::string& message : call.user_messages) {
      if (view.steps.empty()) {
        if (view.first_user_message.empty()) view.first_user_message = message;
      } else if (view.steps.back().observation.empty()) {
        view.steps.back().observation = FeedbackOf(message);
        view.steps.back().observation_tokens =
            EstimateTokens(view.steps.back().observation);
      }
    }
    if (call.answered)
      view.steps.push_back(StepOf(call, static_cast<int>(view.steps.size()) + 1));
  }
  for (ConversationView& view : views)
    for (StepView& step : view.steps) step.succeeded = StepSucceeded(step);
  return views;
}

void Aggregate(TrialBehaviour* b) {
  if (b->task_conversation < 0) return;
  const auto& steps = b->conversations[b->task_conversation].steps;
  long total = 0;
  for (const StepView& step : steps) {
    b->action_types[step.action_type] += 1;
    for (const std::string& p : step.programs) b->programs[p] += 1;
    for (const std::string& c : step.categories) b->categories[c] += 1;
    total += step.observation_tokens;
    b->cumulative_env_tokens.push_back(total);
  }
  b->obstacles = ObstaclesOf(steps);
}

}  // namespace

TrialBehaviour AnalyseTranscript(const std::string& transcript_path) {
  std::ifstream in(transcript_path);
  if (!in) throw InputError(transcript_path + ": cannot read the transcript");
  std::vector<Call> calls;
  std::string task, line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object())
      throw InputError(transcript_path + ":" + std::to_string(number) +
                       ": not a JSON object");
    std::string type = Get<std::string>(record, "type", "");
    if (type == "model_call") {
      calls.push_back(CallOf(record));
    } else if (type == "task_sent" && task.empty()) {
      auto request = record.find("request");
      if (request != record.end() && request->is_object())
        task = Get<std::string>(*request, "message", "");
    }
  }
  TrialBehaviour b;
  b.conversations = Conversations(calls);
  for (size_t i = 0; i < b.conversations.size() && !task.empty(); ++i) {
    if (b.conversations[i].first_user_message.find(task) != std::string::npos) {
      b.conversations[i].is_task = true;
      b.task_conversation = static_cast<int>(i);
      break;
    }
  }
  Aggregate(&b);
  return b;
}

}  // namespace redline
