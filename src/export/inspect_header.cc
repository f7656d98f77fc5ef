// The eval header of an Inspect log: what ran (EvalSpec), how (EvalPlan),
// what came of it (EvalResults) and what it cost (EvalStats). Every number
// of the results is summary.json's, read by the same loader as
// `redline report`, so the two always agree.
#include <cmath>
#include <nlohmann/json.hpp>

#include "export/inspect_parts.h"
#include "system/sha256.h"

#ifndef REDLINE_VERSION
#define REDLINE_VERSION "0.0.0"
#endif

namespace redline::inspect {
namespace {

// The scorer's name in results, scores and reductions.
constexpr char kScorer[] = "replication";

const Json& Field(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

const Json& Config(const RunContext& c) { return Field(*c.record, "config"); }

// An integer setting, or null: Inspect's limits are whole numbers.
Json IntOrNull(const Json& value) {
  if (!value.is_number()) return nullptr;
  return static_cast<long>(std::llround(value.get<double>()));
}

Json NumberOrNull(const Json& value) { return value.is_number() ? value : Json(); }

}  // namespace

std::string StableId(const std::string& seed) { return Sha256Hex(seed).substr(0, 22); }

std::string SanitizedBaseUrl(const std::string& url) {
  std::string out = url;
  size_t query = out.find_first_of("?#");
  if (query != std::string::npos) out.erase(query);
  size_t scheme = out.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t slash = out.find('/', host);
  size_t at = out.rfind('@', slash == std::string::npos ? out.size() : slash);
  if (at != std::string::npos && at >= host) out.erase(host, at + 1 - host);
  return out;
}

Json ModelUsageJson(long input_tokens, long output_tokens) {
  return {{"input_tokens", input_tokens},
          {"output_tokens", output_tokens},
          {"total_tokens", input_tokens + output_tokens},
          {"input_tokens_cache_write", nullptr},
          {"input_tokens_cache_read", nullptr},
          {"reasoning_tokens", nullptr},
          {"total_cost", nullptr}};
}

Json GenerateConfigJson(const RunContext& c) {
  const Json& o = Field(Config(c), "model_options");
  Json config = Json::object();
  for (const char* key :
       {"max_retries", "timeout", "attempt_timeout", "max_connections",
        "system_message", "max_tokens", "top_p", "temperature", "stop_seqs",
        "best_of", "frequency_penalty", "presence_penalty", "logit_bias", "seed",
        "top_k", "num_choices", "logprobs", "top_logprobs", "parallel_tool_calls",
        "internal_tools", "max_tool_output", "cache_prompt", "verbosity", "effort",
        "reasoning_effort", "reasoning_tokens", "reasoning_summary",
        "reasoning_history", "response_schema", "extra_headers", "extra_body",
        "modalities", "cache", "batch"})
    config[key] = nullptr;
  config["max_retries"] = IntOrNull(Field(o, "max_retries"));
  config["timeout"] = IntOrNull(Field(o, "timeout_s"));
  config["max_tokens"] = IntOrNull(Field(o, "max_tokens"));
  config["top_p"] = NumberOrNull(Field(o, "top_p"));
  config["temperature"] = NumberOrNull(Field(o, "temperature"));
  config["seed"] = IntOrNull(Field(o, "seed"));
  if (c.protocol == "tools") config["parallel_tool_calls"] = false;
  return config;
}

Json EvalSpecJson(const RunContext& c) {
  const RunData& run = *c.run;
  const Json& config = Config(c);
  const Json& scenario = Field(config, "scenario");
  const Json& limits = Field(config, "limits");
  const Json& o = Field(config, "model_options");
  Json spec;
  spec["eval_set_id"] = nullptr;
  spec["eval_id"] = c.eval_id;
  spec["run_id"] = c.run_id;
  spec["created"] = c.created;
  spec["task"] = run.scenario;
  spec["task_id"] = c.task_id;
  spec["task_version"] = 0;
  spec["task_file"] = nullptr;
  spec["task_display_name"] = run.scenario;
  spec["task_registry_name"] = "redline/" + run.scenario;
  spec["task_attribs"] = Json::object();
  // The scenario as run.json recorded it: task, profile, limits, definition.
  Json task_args = scenario.is_object() ? scenario : Json::object();
  spec["task_args"] = task_args;
  spec["task_args_passed"] = task_args;
  spec["solver"] = "redline/agent";
  spec["solver_args"] = {{"protocol", c.protocol}};
  spec["solver_args_passed"] = {{"protocol", c.protocol}};
  spec["tags"] = Json::array({"redline", run.mode});
  Json ids = Json::array();
  for (const TrialData& t : run.trial_data) ids.push_back(t.number);
  spec["dataset"] = {{"name", run.scenario}, {"location", c.run_dir},
                     {"samples", run.trials}, {"sample_ids", ids},
                     {"shuffled", false}};
  spec["sandbox"] = {{"type", "redline-device"},
                     {"config",
                      {{"mode", run.mode},
                       {"environment_profile", Field(scenario, "environment_profile")},
                       {"limits", limits}}}};
  spec["model"] = c.model;
  spec["model_generate_config"] = GenerateConfigJson(c);
  const Json& base_url = Field(o, "base_url");
  std::string url = base_url.is_string() ? SanitizedBaseUrl(base_url.get<std::string>()) : "";
  spec["model_base_url"] = url.empty() ? Json() : Json(url);
  // Model arguments: how the endpoint was reached, never the key itself
  // (run.json holds only the name of the variable it came from).
  Json args = Json::object();
  for (const char* key : {"api_key_env", "connect_timeout_s", "timeout_s", "max_retries",
                          "stream", "protocol"})
    if (o.contains(key)) args[key] = o[key];
  for (const char* key : {"temperature", "top_p", "max_tokens", "seed"})
    if (o.contains(key)) args[key] = o[key];
  spec["model_args"] = args;
  spec["model_roles"] = nullptr;
  Json eval_config = Json::object();
  for (const char* key :
       {"limit", "sample_id", "sample_shuffle", "epochs", "epochs_reducer", "approval",
        "fail_on_error", "continue_on_fail", "retry_on_error", "message_limit",
        "token_limit", "time_limit", "working_limit", "cost_limit", "max_samples",
        "max_dataset_memory", "max_tasks", "max_subprocesses", "max_sandboxes",
        "max_read_file_size", "max_exec_output_size", "sandbox_cleanup", "log_samples",
        "log_realtime", "log_images", "log_model_api", "log_buffer", "log_shared",
        "score_display"})
    eval_config[key] = nullptr;
  eval_config["epochs"] = 1;
  // Harness errors are left out of the rate, never fail the run.
  eval_config["fail_on_error"] = false;
  eval_config["message_limit"] = IntOrNull(Field(scenario, "max_steps"));
  eval_config["time_limit"] = IntOrNull(Field(scenario, "time_limit_s"));
  const Json& tokens = Field(limits, "tokens_per_trial");
  if (tokens.is_number() && tokens.get<double>() > 0) eval_config["token_limit"] = IntOrNull(tokens);
  eval_config["max_samples"] = IntOrNull(Field(*c.record, "parallel"));
  eval_config["sandbox_cleanup"] = true;
  eval_config["log_samples"] = true;
  spec["config"] = eval_config;
  spec["revision"] = nullptr;
  const Json& version = Field(*c.record, "redline_version");
  spec["packages"] = {{"redline", version.is_string() ? version.get<std::string>()
                                                      : std::string(REDLINE_VERSION)}};
  Json metadata = Json::object();
  metadata["redline_version"] = version;
  metadata["system_prompt_sha256"] = Field(*c.record, "system_prompt_sha256");
  metadata["mode"] = run.mode;
  metadata["run_dir"] = c.run_dir;
  if (!c.matrix_dir.empty()) metadata["matrix_dir"] = c.matrix_dir;
  // The harness's configuration as run.json has it, the scenario aside.
  Json harness = Json::object();
  for (const char* key : {"system", "check", "limits", "agent", "native"})
    if (config.contains(key)) harness[key] = config[key];
  metadata["harness"] = harness;
  metadata["host"] = Field(*c.record, "host");
  spec["metadata"] = metadata;
  spec["scorers"] = Json::array(
      {{{"name", kScorer},
        {"options", Json::object()},
        {"metrics", Json::array({{{"name", "accuracy"}, {"options", Json::object()}},
                                 {{"name", "stderr"}, {"options", Json::object()}}})},
        {"metadata", {{"checker", "redline (docs/verdicts.md)"}}}}});
  spec["metrics"] = nullptr;
  return spec;
}

Json PlanJson(const RunContext& c) {
  const Json& config = Config(c);
  const Json& scenario = Field(config, "scenario");
  const Json& agent = Field(config, "agent");
  // The scaffold of the paper: five terminals, three actions, its limits.
  Json params = {{"protocol", c.protocol},
                 {"terminals", 5},
                 {"actions", Json::array({"execute_command_in_terminal",
                                          "receive_data_of_long_term_command_from_terminal",
                                          "finish"})},
                 {"max_steps", Field(scenario, "max_steps")},
                 {"time_limit_s", Field(scenario, "time_limit_s")},
                 {"command_timeout_s", Field(agent, "command_timeout_s")},
                 {"long_running_wait_s", Field(agent, "long_running_wait_s")},
                 {"receive_wait_s", Field(agent, "receive_wait_s")},
                 {"tokens_per_trial", Field(Field(config, "limits"), "tokens_per_trial")}};
  Json step = {{"solver", "redline/agent"}, {"params", params}, {"params_passed", params}};
  return {{"name", "plan"},
          {"steps", Json::array({step})},
          {"finish", nullptr},
          {"config", GenerateConfigJson(c)}};
}

Json ResultsJson(const RunContext& c) {
  const RunData& run = *c.run;
  // Inspect's stderr metric: the sample standard deviation (n-1) over sqrt(n).
  double n = run.counted, p = run.success_rate;
  double stderr_value = n > 1 ? std::sqrt(p * (1 - p) * n / (n - 1) / n) : 0;
  Json metrics = {
      {"accuracy", {{"name", "accuracy"}, {"value", p}, {"params", Json::object()},
                    {"metadata", nullptr}}},
      {"stderr", {{"name", "stderr"}, {"value", stderr_value}, {"params", Json::object()},
                  {"metadata", nullptr}}}};
  Json score = {{"name", kScorer},
                {"scorer", kScorer},
                {"reducer", nullptr},
                {"scored_samples", run.counted},
                {"unscored_samples", run.completed - run.counted},
                {"params", Json::object()},
                {"metrics", metrics},
                {"metadata", {{"ci95_wilson", {run.ci_low, run.ci_high}}}}};
  Json funnel = Json::object();
  for (const auto& [stage, value] : run.funnel) funnel[stage] = value;
  Json reasons = Json::object();
  for (const auto& [reason, trials] : run.reasons) reasons[reason] = trials;
  Json independence = Json::object();
  for (const auto& [level, trials] : run.independence) independence[level] = trials;
  Json metadata = {{"trials", run.trials},
                   {"completed", run.completed},
                   {"counted", run.counted},
                   {"successes", run.successes},
                   {"errors", run.errors},
                   {"success_rate", run.success_rate},
                   {"ci95", {run.ci_low, run.ci_high}},
                   {"funnel", funnel},
                   {"reasons", reasons},
                   {"independence", independence}};
  return {{"total_samples", run.trials},
          {"completed_samples", run.counted},
          {"early_stopping", nullptr},
          {"scores", Json::array({score})},
          {"metadata", metadata}};
}

Json StatsJson(const RunContext& c, const std::string& completed_at) {
  long input = 0, output = 0;
  for (const TrialData& t : c.run->trial_data) {
    input += t.prompt_tokens;
    output += t.completion_tokens;
  }
  Json usage = Json::object();
  if (input + output > 0) usage[c.model] = ModelUsageJson(input, output);
  return {{"started_at", c.created},
          {"completed_at", completed_at},
          {"model_usage", usage},
          {"role_usage", Json::object()}};
}

}  // namespace redline::inspect
