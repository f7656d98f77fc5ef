// A trial's events in Inspect's form, in the order the transcript has them:
// a model event per model call (every conversation: the task, a replica's
// greeting, the checker's probes), a tool event per command the agent ran
// for an answer, and an info event for every harness record (device and
// system start, the task, probes, the kill of the original, the verdict).
#include <nlohmann/json.hpp>

#include "analysis/py_literal.h"
#include "export/inspect_parts.h"

namespace redline::inspect {
namespace {

std::string StringOf(const Json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : "";
}

double NumberOf(const Json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_number() ? it->get<double>() : 0;
}

long LongOf(const Json& record, const char* key) {
  return static_cast<long>(NumberOf(record, key));
}

Json EventBase(const char* event, double at, double trial_start) {
  return {{"uuid", nullptr},
          {"span_id", nullptr},
          {"timestamp", IsoFromSeconds(at)},
          {"working_start", trial_start > 0 ? std::max(0.0, at - trial_start) : 0.0},
          {"metadata", nullptr},
          {"pending", nullptr},
          {"event", event}};
}

Json SchemaOf(const char* type, const char* description,
              const std::vector<std::string>& choices = {}) {
  Json s = {{"type", type}, {"format", nullptr}, {"description", description},
            {"default", nullptr}, {"enum", nullptr}, {"items", nullptr},
            {"properties", nullptr}, {"additionalProperties", nullptr},
            {"anyOf", nullptr}, {"required", nullptr}};
  if (!choices.empty()) s["enum"] = choices;
  return s;
}

Json ToolInfo(const char* name, const char* description, Json properties,
              std::vector<std::string> required) {
  return {{"name", name},
          {"description", description},
          {"parameters", {{"type", "object"}, {"properties", std::move(properties)},
                          {"required", std::move(required)},
                          {"additionalProperties", false}}},
          {"options", nullptr}};
}

// The three actions as native tools (the tools protocol, docs/models.md).
Json Tools(const RunContext& c) {
  if (c.protocol != "tools") return Json::array();
  Json terminal = SchemaOf("string", "terminal 1 to 5");
  return Json::array(
      {ToolInfo("execute_command_in_terminal", "Run a shell command in a terminal.",
                {{"terminal_id", terminal},
                 {"command", SchemaOf("string", "the command")},
                 {"command_type", SchemaOf("string", "wait for it, or let it run",
                                           {"one_time", "long_running"})}},
                {"terminal_id", "command", "command_type"}),
       ToolInfo("receive_data_of_long_term_command_from_terminal",
                "Read new output of a long-running command.", {{"terminal_id", terminal}},
                {"terminal_id"}),
       ToolInfo("finish", "End the task with a message.",
                {{"message", SchemaOf("string", "the final message")}}, {"message"})});
}

// An answer whose tool event waits for the observation that reports it.
struct PendingAction {
  bool open = false;
  std::string id, function;
  Json arguments;
  double answered = 0;
};

struct ConversationState {
  std::string id;
  long peer_pid = 0;
  std::vector<Json> messages;
  std::string first_user;
  PendingAction pending;
  std::string last_answer;
  long last_in = 0, last_out = 0;
  double last_seconds = 0;
};

// The command's output from the observation that followed it: the 'Action
// result' dict of the scaffold (status, stdout, stderr, exited, exit_code).
Json ToolEventOf(const PendingAction& p, const std::string& observation, double done,
                 double trial_start, Attachments& a) {
  Json e = EventBase("tool", p.answered, trial_start);
  std::string feedback = FeedbackOf(observation);
  std::map<std::string, std::string> result = ParsePyDict(feedback);
  std::string output;
  if (result.count("stdout")) output = result["stdout"];
  if (result.count("stderr") && !result["stderr"].empty())
    output += (output.empty() ? "" : "\n") + std::string("stderr:\n") + result["stderr"];
  if (!result.count("stdout") && !result.count("stderr")) output = feedback;
  Json metadata = {{"status", result.count("status") ? Json(result["status"]) : Json()}};
  if (result.count("exited")) metadata["exited"] = result["exited"] == "True";
  metadata["exit_code"] = nullptr;
  if (result.count("exit_code")) {
    try {
      metadata["exit_code"] = std::stol(result["exit_code"]);
    } catch (const std::exception&) {
      metadata["exit_code"] = result["exit_code"];
    }
  } else if (result.count("exited") && result["exited"] == "True") {
    metadata["exit_code"] = 0;  // the scaffold names only a non-zero code
  }
  e["metadata"] = metadata;
  e["type"] = "function";
  e["id"] = p.id;
  e["function"] = p.function;
  e["arguments"] = p.arguments;
  e["view"] = nullptr;
  e["result"] = a.Ref(output);
  e["truncated"] = nullptr;
  e["error"] = nullptr;
  e["events"] = Json::array();
  e["completed"] = IsoFromSeconds(std::max(done, p.answered));
  e["working_time"] = std::max(0.0, done - p.answered);
  e["agent"] = nullptr;
  e["agent_span_id"] = nullptr;
  e["failed"] = nullptr;
  e["message_id"] = nullptr;
  return e;
}

}  // namespace

Json ModelOutputJson(const RunContext& c, const Json* assistant, const std::string& completion,
                     long input_tokens, long output_tokens, double seconds,
                     const std::string& error) {
  Json choices = Json::array();
  if (assistant) {
    bool tool = (*assistant)["tool_calls"].is_array();
    choices.push_back({{"message", *assistant},
                       {"stop_reason", tool ? "tool_calls" : "stop"},
                       {"logprobs", nullptr}});
  }
  return {{"model", c.model},
          {"choices", choices},
          {"completion", completion},
          {"usage", assistant ? ModelUsageJson(input_tokens, output_tokens) : Json()},
          {"time", seconds},
          {"metadata", nullptr},
          {"error", error.empty() ? Json() : Json(error)}};
}

TrialEvents BuildEvents(const RunContext& c, const TrialData& trial,
                        const std::vector<Json>& records, Attachments& a) {
  (void)trial;
  TrialEvents out;
  std::vector<ConversationState> conversations;
  long original_llm = 0;
  std::string task = c.task;
  int calls = 0;
  double trial_start = records.empty() ? 0 : IsoSeconds(StringOf(records.front(), "t"));
  out.started = trial_start;
  Json config = GenerateConfigJson(c);
  Json tools = Tools(c);
  for (const Json& record : records) {
    std::string type = StringOf(record, "type");
    double at = IsoSeconds(StringOf(record, "t"));
    if (at > out.completed) out.completed = at;
    if (type != "model_call") {
      if (type == "system_started" && !original_llm) original_llm = LongOf(record, "llm_pid");
      if (type == "task_sent" && record.contains("request") && record["request"].is_object())
        if (std::string m = StringOf(record["request"], "message"); !m.empty()) task = m;
      Json e = EventBase("info", at, trial_start);
      e["source"] = "redline/" + (type.empty() ? std::string("record") : type);
      e["data"] = record;
      out.events.push_back(std::move(e));
      continue;
    }
    std::string id = StringOf(record, "conversation");
    long peer = LongOf(record, "peer_pid");
    auto it = std::find_if(conversations.begin(), conversations.end(),
                           [&](const ConversationState& s) {
                             return s.id == id && s.peer_pid == peer;
                           });
    if (it == conversations.end()) {
      conversations.push_back({id, peer});
      it = conversations.end() - 1;
    }
    ConversationState& conv = *it;
    double latency = NumberOf(record, "latency_s");
    double started = at - latency;
    if (record.contains("new_messages") && record["new_messages"].is_array()) {
      for (const Json& m : record["new_messages"]) {
        std::string role = StringOf(m, "role"), content = StringOf(m, "content");
        if (role == "system") {
          conv.messages.push_back(SystemMessage(content, a));
          continue;
        }
        if (conv.first_user.empty()) conv.first_user = content;
        if (conv.pending.open) {
          if (conv.pending.function != "finish")
            out.events.push_back(
                ToolEventOf(conv.pending, content, started, trial_start, a));
          conv.messages.push_back(c.protocol == "tools"
                                      ? ToolMessage(content, conv.pending.id,
                                                    conv.pending.function, a)
                                      : UserMessage(content, a));
          conv.pending.open = false;
        } else {
          conv.messages.push_back(UserMessage(content, a));
        }
      }
    }
    Json e = EventBase("model", started, trial_start);
    e["metadata"] = {{"peer_pid", peer},
                     {"conversation", id},
                     {"turn", record.value("turn", Json())},
                     {"relayed_by_original_llm_server", original_llm && peer == original_llm}};
    for (const char* key : {"retry_wait_s", "streamed", "compactions", "warnings"})
      if (record.contains(key)) e["metadata"][key] = record[key];
    e["model"] = c.model;
    e["role"] = nullptr;
    e["input"] = conv.messages;
    e["input_refs"] = nullptr;
    e["tools"] = tools;
    e["tool_choice"] = c.protocol == "tools" ? "auto" : "none";
    e["config"] = config;
    long in = LongOf(record, "prompt_tokens"), out_tokens = LongOf(record, "completion_tokens");
    auto response = record.find("response");
    std::string error = StringOf(record, "error");
    if (response != record.end() && response->is_string()) {
      std::string text = response->get<std::string>();
      std::string call_id = "call_" + std::to_string(++calls);
      Json assistant = AssistantMessage(text, c, call_id, a);
      e["output"] = ModelOutputJson(c, &assistant, a.Ref(text), in, out_tokens, latency, "");
      conv.messages.push_back(std::move(assistant));
      conv.pending = PendingAction{};
      conv.pending.open = ActionOf(text, &conv.pending.function, &conv.pending.arguments);
      conv.pending.id = call_id;
      conv.pending.answered = at;
      conv.last_answer = text;
      conv.last_in = in;
      conv.last_out = out_tokens;
      conv.last_seconds = latency;
    } else {
      if (error.empty()) error = "no response recorded";
      e["output"] = ModelOutputJson(c, nullptr, "", 0, 0, latency, error);
    }
    e["retries"] = record.contains("retries") ? record["retries"] : Json();
    e["error"] = response != record.end() && response->is_string() ? Json() : Json(error);
    e["traceback"] = nullptr;
    e["traceback_ansi"] = nullptr;
    e["cache"] = nullptr;
    e["call"] = nullptr;
    e["completed"] = IsoFromSeconds(at);
    e["working_time"] = latency;
    out.events.push_back(std::move(e));
  }
  // The task conversation: the original system's, opened by the task.
  const ConversationState* task_conv = nullptr;
  for (const ConversationState& conv : conversations) {
    if (task.empty() || conv.first_user.find(task) == std::string::npos) continue;
    if (!task_conv || (original_llm && conv.peer_pid == original_llm &&
                       task_conv->peer_pid != original_llm))
      task_conv = &conv;
  }
  out.task = task;
  if (task_conv) {
    out.task_messages = task_conv->messages;
    out.last_answer = task_conv->last_answer;
    out.last_input_tokens = task_conv->last_in;
    out.last_output_tokens = task_conv->last_out;
    out.last_seconds = task_conv->last_seconds;
  }
  return out;
}

}  // namespace redline::inspect
