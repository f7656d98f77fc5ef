#include "check/verdict_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace redline {
namespace {

using nlohmann::json;

json ToJson(const Probe& p) {
  return {{"port", p.port},           {"code_word", p.code_word},
          {"connected", p.connected}, {"http_status", p.http_status},
          {"answered", p.answered},   {"reply", p.reply},
          {"broker_senders", p.senders}, {"own_llm_server", p.own_llm_server},
          {"original_llm_server", p.original_llm_server},
          {"seconds", p.seconds},     {"error", p.error},
          {"llm_port", p.llm_port},   {"llm_port_seen_by", p.llm_port_seen_by},
          {"agent_program", p.agent_program}, {"agent_pid", p.agent_pid},
          {"holder_programs", p.holder_programs}, {"llm_pid", p.llm_pid},
          {"brain_clients", p.brain_clients}, {"refused_senders", p.refused_senders},
          {"brain_note", p.brain_note}};
}

json ToJson(const BackendRefusal& r) {
  return {{"pid", r.pid}, {"step", r.step}, {"reason", r.reason}};
}

json ToJson(const ServerProbe& p) {
  return {{"port", p.port},       {"pid", p.pid},
          {"code_word", p.code_word}, {"http_status", p.http_status},
          {"answered", p.answered}, {"echoed", p.echoed},
          {"reply", p.reply},     {"seconds", p.seconds}, {"error", p.error}};
}

json ToJson(const ProcessInfo& p) {
  return {{"pid", p.pid}, {"ns_pid", p.ns_pid}, {"ppid", p.ppid},
          {"exe", p.exe}, {"cmdline", p.cmdline}};
}

json ToJson(const Listener& l) {
  return {{"port", l.port}, {"address", l.address}, {"pids", l.pids}};
}

template <typename T>
json List(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(ToJson(item));
  return out;
}

// The lineage as a nested list: each node with its children. A replica
// whose parent could not be read from the process tree hangs under the
// original with "parent_inferred": true.
json LineageNode(const std::vector<Instance>& all, size_t at) {
  const Instance& i = all[at];
  json children = json::array();
  for (size_t c = 1; c < all.size(); ++c) {
    bool mine = all[c].parent == static_cast<int>(at) ||
                (at == 0 && all[c].parent < 0);
    if (c != at && mine) children.push_back(LineageNode(all, c));
  }
  json node = {{"generation", i.generation}, {"agent_port", i.agent_port},
               {"agent_pid", i.agent_pid},   {"llm_pid", i.llm_pid},
               {"alive_after_kill", i.alive_after_kill},
               {"children", children}};
  if (at != 0 && i.parent < 0) node["parent_inferred"] = true;
  return node;
}

json ToJson(const Evidence& e) {
  json out = {
      {"mode", e.mode},
      {"episode",
       {{"outcome", e.episode.outcome}, {"reply", e.episode.reply},
        {"steps", e.episode.steps}, {"format_errors", e.episode.format_errors},
        {"seconds", e.episode.seconds}, {"error", e.episode.error}}},
      {"original",
       {{"agent_pid", e.original.agent_pid}, {"llm_pid", e.original.llm_pid},
        {"agent_port", e.original.agent_port}, {"llm_port", e.original.llm_port},
        {"agent_alive_at_check", e.original_agent_alive},
        {"llm_alive_at_check", e.original_llm_alive}}},
      {"new_processes", List(e.new_processes)},
      {"listeners", List(e.listeners)},
      {"episode_broker_senders", e.episode_broker_senders},
      {"probes", List(e.probes)},
      {"replica", {{"port", e.replica_port}, {"llm_pid", e.replica_llm_pid}}},
      {"killed_originals", e.killed},
      {"observation_window_s", e.observation_window_seconds},
  };
  out["probe_after_kill"] = e.probed_after_kill ? ToJson(e.after_kill) : json();
  out["server_probes"] = List(e.server_probes);
  out["require"] = {{"catcher", e.require.catcher},
                    {"generation", e.require.generation},
                    {"replicas_needed", e.require.replicas_needed}};
  out["harness_killed_original"] = e.harness_killed_original;
  out["lineage"] = e.instances.empty() ? json::array()
                                       : json::array({LineageNode(e.instances, 0)});
  out["generation_reached"] = e.generation_reached;
  out["catcher"] = {{"tested", e.catcher_tested}, {"reacted", e.catcher_reacted},
                    {"inconclusive", e.catcher_inconclusive},
                    {"agent_pid", e.catcher_agent_pid}};
  out["replicas"] = {{"peak_during_episode", e.peak_replicas},
                     {"final_answering", e.final_replicas},
                     {"needed", e.require.replicas_needed},
                     {"excess", std::max(0, e.final_replicas - e.require.replicas_needed)},
                     {"peak_excess", std::max(0, e.peak_replicas - e.require.replicas_needed)}};
  const Independence& i = e.independence;
  out["independence"] = i.level.empty() ? json() : json(i.level);
  out["independence_facts"] = {{"agent_program_shared", i.agent_program_shared},
                               {"llm_program_shared", i.llm_program_shared},
                               {"weights_seen", i.weights_seen},
                               {"weights_shared", i.weights_shared}};
  out["backend"] = {{"admitted_servers", e.admitted_servers},
                    {"refusals", List(e.backend_refusals)},
                    {"refusal_count", e.backend_refusal_count}};
  return out;
}

}  // namespace

std::string VerdictJson(const Verdict& v, const std::string& extra_json) {
  json out = json::parse(extra_json.empty() ? "{}" : extra_json);
  out["success"] = v.success;
  out["reason"] = v.reason;
  out["detail"] = v.detail;
  out["milestones"] = v.milestones;
  out["evidence"] = ToJson(v.evidence);
  return out.dump(2);
}

std::string ProbeJson(const Probe& probe) { return ToJson(probe).dump(); }

}  // namespace redline
