#include "report/trial_view_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace redline {
namespace {

using nlohmann::json;

// A cut text says so, with its full size.
std::string Cut(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  return CutUtf8(text, max_bytes) + " … [cut, " + std::to_string(text.size()) + " bytes]";
}

// Model-controlled strings anywhere in the verdict (probe replies, the
// episode's reply, command lines) are cut like observations.
void CutStrings(json& value) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.size() > kMaxTextBytes)
      value = Cut(s, kMaxTextBytes);
  } else if (value.is_structured()) {
    for (json& child : value) CutStrings(child);
  }
}

// Per-step limits from the report's budget: generous for a few trials,
// tighter for many, never below a readable minimum.
struct Limits {
  size_t observation = kMaxObservationBytes;
  size_t text = kMaxTextBytes;
};

Limits LimitsFor(size_t total_steps) {
  Limits l;
  if (total_steps == 0) return l;
  size_t share = kStepTextBudget / total_steps;  // for one step's texts
  l.observation = std::clamp<size_t>(share / 2, 250, kMaxObservationBytes);
  l.text = std::clamp<size_t>(share / 12, 120, kMaxTextBytes);
  return l;
}

json StepJson(const StepView& s, const Limits& l) {
  return {{"step", s.step},
          {"t", s.t},
          {"llm_seconds", s.llm_seconds},
          {"prompt_tokens", s.prompt_tokens},
          {"completion_tokens", s.completion_tokens},
          {"explain", Cut(s.explain, l.text)},
          {"gaps", Cut(s.gaps, l.text)},
          {"findings", Cut(s.findings, l.text)},
          {"plan", Cut(s.plan, l.text)},
          {"action", s.action},
          {"action_type", s.action_type},
          // The raw Action part where it says more than the fields: a format
          // error. A finish shows its parsed message instead.
          {"action_text", s.action.empty() ? Cut(s.action_text, l.text) : ""},
          {"finish_message", Cut(s.finish_message, l.text)},
          {"command", Cut(s.command, l.text)},
          {"command_type", s.command_type},
          {"terminal_id", s.terminal_id},
          {"categories", s.categories},
          {"observation", CutUtf8(s.observation, l.observation)},
          {"observation_bytes", s.observation.size()},
          {"observation_tokens", s.observation_tokens}};
}

json LineageJson(const LineageNode& n) {
  json children = json::array();
  for (const LineageNode& c : n.children) children.push_back(LineageJson(c));
  return {{"generation", n.generation}, {"agent_port", n.agent_port},
          {"agent_pid", n.agent_pid},   {"llm_pid", n.llm_pid},
          {"alive_after_kill", n.alive_after_kill},
          {"parent_inferred", n.parent_inferred}, {"children", children}};
}

// Counts the checker did not record stay null, so the page leaves them out.
json CountJson(int count) { return count < 0 ? json() : json(count); }

const std::vector<StepView>* TaskSteps(const TrialBehaviour& b) {
  if (b.task_conversation < 0 ||
      b.task_conversation >= static_cast<int>(b.conversations.size()))
    return nullptr;
  return &b.conversations[b.task_conversation].steps;
}

json TrialJson(const RunData& run, size_t run_index, const TrialData& t,
               const Limits& limits) {
  json steps = json::array();
  const TrialBehaviour& b = t.behaviour;
  if (const auto* task = TaskSteps(b))
    for (const StepView& s : *task) steps.push_back(StepJson(s, limits));
  json obstacles = json::array();
  for (const Obstacle& o : b.obstacles)
    obstacles.push_back({{"kind", o.kind}, {"step", o.step}, {"resolved", o.resolved},
                         {"excerpt", Cut(o.excerpt, 500)}});
  json verdict = json::parse(t.verdict_json, nullptr, false);
  CutStrings(verdict);
  json lineage = json::array();
  for (const LineageNode& root : t.lineage) lineage.push_back(LineageJson(root));
  json replicas = {{"peak", CountJson(t.replicas.peak)},
                   {"final", CountJson(t.replicas.final)},
                   {"needed", CountJson(t.replicas.needed)},
                   {"excess", CountJson(t.replicas.excess)}};
  return {{"id", "r" + std::to_string(run_index) + "t" + std::to_string(t.number)},
          {"run", run_index},
          {"number", t.number},
          {"model", run.model},
          {"scenario", run.scenario},
          {"mode", run.mode},
          {"success", t.success},
          {"reason", t.reason},
          {"detail", Cut(t.detail, kMaxTextBytes)},
          {"steps_count", t.steps},
          {"seconds", t.seconds},
          {"time_to_first_replica", t.time_to_first_replica},
          {"steps", steps},
          {"obstacles", obstacles},
          {"replicas", replicas},
          {"generation_reached", CountJson(t.generation_reached)},
          {"lineage", lineage},
          {"verdict", verdict}};
}

}  // namespace

std::string CutUtf8(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to a character's first byte.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string TrialViewJson(const std::vector<RunData>& runs) {
  size_t total_steps = 0;
  for (const RunData& run : runs)
    for (const TrialData& t : run.trial_data)
      if (const auto* task = TaskSteps(t.behaviour)) total_steps += task->size();
  Limits limits = LimitsFor(total_steps);
  json trials = json::array();
  for (size_t r = 0; r < runs.size(); ++r)
    for (const TrialData& t : runs[r].trial_data)
      trials.push_back(TrialJson(runs[r], r, t, limits));
  json doc = {{"trials", trials}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace redline
