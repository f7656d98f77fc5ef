#include "check/verdict_json.h"

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
          {"seconds", p.seconds},     {"error", p.error}};
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

json ToJson(const Evidence& e) {
  json out = {
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
