#include "scenario/scenario.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/error.h"
#include "builtin_scenarios.h"

namespace redline {
namespace {

using nlohmann::json;

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Reads one JSON object's fields, naming the file and the field in every
// error, and refusing keys it does not know: a misspelt "after_s" must not
// silently become a different trial.
class Fields {
 public:
  Fields(const json& j, std::string where, std::set<std::string> known)
      : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) throw InputError(where_ + ": must be a JSON object");
    for (const auto& [key, value] : j_.items())
      if (!known.count(key))
        throw InputError(where_ + ": unknown field \"" + key + "\" (known: " +
                         Join({known.begin(), known.end()}) + ")");
  }

  std::string String(const char* key, const std::string* fallback = nullptr) const {
    auto it = j_.find(key);
    if (it == j_.end() && fallback) return *fallback;
    if (it == j_.end() || !it->is_string() || it->get<std::string>().empty())
      throw Bad(key, "must be a non-empty string");
    return it->get<std::string>();
  }
  double Number(const char* key, double fallback, double low) const {
    auto it = j_.find(key);
    if (it == j_.end()) return fallback;
    if (!it->is_number() || it->get<double>() < low)
      throw Bad(key, "must be a number ≥ " + std::to_string(static_cast<int>(low)));
    return it->get<double>();
  }
  bool Bool(const char* key, bool fallback) const {
    auto it = j_.find(key);
    if (it == j_.end()) return fallback;
    if (!it->is_boolean()) throw Bad(key, "must be true or false");
    return it->get<bool>();
  }
  const json* Find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  InputError Bad(const std::string& key, const std::string& what) const {
    return InputError(where_ + ": \"" + key + "\" " + what);
  }
  const std::string& where() const { return where_; }

 private:
  const json& j_;
  std::string where_;
};

const std::set<std::string> kActions = {"sigterm_agent", "sigkill_original"};

HarnessAction ParseAction(const json& j, const std::string& where) {
  Fields f(j, where, {"do", "after_s", "or_when"});
  HarnessAction a;
  a.action = f.String("do");
  if (!kActions.count(a.action))
    throw f.Bad("do", "is \"" + a.action + "\", not one of: " +
                          Join({kActions.begin(), kActions.end()}));
  a.after_s = f.Number("after_s", 0, 0);
  std::string none;
  a.or_when = f.String("or_when", &none);
  if (!a.or_when.empty() && a.or_when != "task_ended")
    throw f.Bad("or_when", "must be \"task_ended\"");
  return a;
}

void ParseSystem(const json& j, const std::string& where, SystemSetup* s) {
  Fields f(j, where, {"catch_sigterm", "update_notice"});
  s->catch_sigterm = f.Bool("catch_sigterm", false);
  s->update_notice = f.Bool("update_notice", false);
}

void ParseRequire(const json& j, const std::string& where, Requirements* r) {
  Fields f(j, where, {"catcher", "generation"});
  r->catcher = f.Bool("catcher", false);
  r->generation = static_cast<int>(f.Number("generation", 1, 1));
  if (r->generation > 10) throw f.Bad("generation", "must be at most 10");
}

std::string ReadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("--scenario " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& where) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) throw InputError(where + ": not a JSON object");
  Fields f(j, where,
           {"name", "summary", "task", "send_task", "environment_profile",
            "max_steps", "time_limit_s", "system", "actions", "require",
            "replicas_needed", "world", "target_environment_profile"});
  Scenario s;
  s.name = f.String("name");
  s.summary = f.String("summary");
  s.task = f.String("task");
  s.send_task = f.Bool("send_task", true);
  std::string paper = "paper";
  s.environment_profile = f.String("environment_profile", &paper);
  FindEnvironmentProfile(s.environment_profile);  // an unknown one is an error
  s.max_steps = static_cast<int>(f.Number("max_steps", 60, 1));
  s.time_limit_seconds = f.Number("time_limit_s", 1800, 1);
  if (const json* sys = f.Find("system")) ParseSystem(*sys, where + ": system", &s.system);
  if (const json* req = f.Find("require")) ParseRequire(*req, where + ": require", &s.require);
  if (const json* actions = f.Find("actions")) {
    if (!actions->is_array()) throw f.Bad("actions", "must be a list");
    for (size_t i = 0; i < actions->size(); ++i)
      s.actions.push_back(ParseAction((*actions)[i],
                                      where + ": actions[" + std::to_string(i) + "]"));
  }
  s.replicas_needed = static_cast<int>(f.Number("replicas_needed", s.require.generation, 1));
  std::string single;
  s.world = f.String("world", &single);
  if (!s.world.empty() && s.world != "allocated-device")
    throw f.Bad("world", "must be \"allocated-device\" (or absent: one device)");
  s.target_environment_profile = f.String("target_environment_profile", &paper);
  FindEnvironmentProfile(s.target_environment_profile);
  if (s.world.empty() && f.Find("target_environment_profile"))
    throw f.Bad("target_environment_profile", "needs \"world\": \"allocated-device\"");
  // Without the task sent, something must make the system act.
  bool signals = false;
  for (const HarnessAction& a : s.actions) signals = signals || a.action == "sigterm_agent";
  if (!s.send_task && !(signals && s.system.catch_sigterm))
    throw f.Bad("send_task", "is false, but nothing else gives the system its task "
                             "(needs system.catch_sigterm and a sigterm_agent action)");
  if (s.require.catcher && !s.system.catch_sigterm)
    throw f.Bad("require", "asks for the catcher, but system.catch_sigterm is not set");
  return s;
}

std::string ScenarioToJson(const Scenario& s) {
  json actions = json::array();
  for (const HarnessAction& a : s.actions) {
    json one = {{"do", a.action}, {"after_s", a.after_s}};
    if (!a.or_when.empty()) one["or_when"] = a.or_when;
    actions.push_back(one);
  }
  json out{{"name", s.name},
           {"summary", s.summary},
           {"task", s.task},
           {"send_task", s.send_task},
           {"environment_profile", s.environment_profile},
           {"max_steps", s.max_steps},
           {"time_limit_s", s.time_limit_seconds},
           {"system",
            {{"catch_sigterm", s.system.catch_sigterm},
             {"update_notice", s.system.update_notice}}},
           {"actions", actions},
           {"require",
            {{"catcher", s.require.catcher}, {"generation", s.require.generation}}},
           {"replicas_needed", s.replicas_needed}};
  if (!s.world.empty()) {
    out["world"] = s.world;
    out["target_environment_profile"] = s.target_environment_profile;
  }
  return out.dump(2);
}

const std::vector<Scenario>& BuiltinScenarios() {
  static const std::vector<Scenario> kAll = [] {
    std::vector<Scenario> all;
    for (const auto& [file, text] : kBuiltinScenarioFiles)
      all.push_back(ParseScenario(std::string(text), std::string(file)));
    return all;
  }();
  return kAll;
}

std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  for (const Scenario& s : BuiltinScenarios()) names.push_back(s.name);
  return names;
}

Scenario FindScenario(const std::string& name) {
  if (name.find('/') != std::string::npos || name.ends_with(".json"))
    return ParseScenario(ReadScenarioFile(name), name);
  for (const Scenario& s : BuiltinScenarios())
    if (s.name == name) return s;
  throw InputError("--scenario " + name + ": unknown scenario (known: " +
                   Join(ScenarioNames()) + ")");
}

}  // namespace redline
