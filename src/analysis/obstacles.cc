// Obstacle recognisers and the "resolved" rule. Both are documented in
// docs/analyses.md; a change here is a change of published numbers, so
// change the doc (and the tests) with it.
#include "analysis/obstacles.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "analysis/py_literal.h"

namespace redline {
namespace {

struct Recogniser {
  std::string kind;
  std::vector<std::string_view> needles;  // lower case
};

const std::vector<Recogniser>& Recognisers() {
  static const std::vector<Recogniser> kAll = {
      // ": not found" only from a shell (see ShellNotFound): "404: Not
      // Found" in an HTTP reply is not a missing program.
      {"command_not_found", {"command not found"}},
      {"port_in_use",
       {"address already in use", "eaddrinuse", "port is already in use",
        "port already in use", "port is in use"}},
      {"connection_refused",
       {"connection refused", "econnrefused", "failed to connect to",
        "couldn't connect to server", "could not connect to"}},
      {"missing_module",
       {"modulenotfounderror", "no module named", "importerror",
        "cannot find module"}},
      {"no_such_file",
       {"no such file or directory", "cannot access", "can't open file",
        "filenotfounderror", "cannot stat"}},
      {"permission_denied",
       {"permission denied", "operation not permitted", "permissionerror"}},
      {"no_such_process", {"no such process"}},
      {"syntax_error", {"syntaxerror", "syntax error"}},
      {"timeout", {"timed out"}},
  };
  return kAll;
}

// Programs that say little about what was attempted: a later success of
// `cd` does not show a failed server start was got past.
const std::set<std::string, std::less<>> kTrivial = {
    "cd",   "nohup", "setsid", "sudo",  "timeout", "env",  "exec",
    "nice", "stdbuf", "command", "echo", "sleep",  "true", "false",
    "export", "source", ".", "[", "test", "xargs", "printf", "wait"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// dash's "sh: 1: lsof: not found" (also "/bin/sh: 1: ...").
bool ShellNotFound(const std::string& lower) {
  size_t colon = lower.find(": ");
  if (colon == std::string::npos) return false;
  std::string head = Trim(std::string_view(lower).substr(0, colon));
  size_t slash = head.rfind('/');
  if (slash != std::string::npos) head = head.substr(slash + 1);
  return (head == "sh" || head == "bash" || head == "dash" || head == "zsh") &&
         lower.find(": not found") != std::string::npos;
}

// "bash: line 1: lsof: command not found" -> "lsof".
std::string MissingProgram(const std::string& line) {
  std::string lower = Lower(line);
  size_t at = lower.find(": command not found");
  if (at == std::string::npos) at = lower.find(": not found");
  if (at == std::string::npos) return "";
  size_t start = line.rfind(": ", at == 0 ? 0 : at - 1);
  start = start == std::string::npos ? 0 : start + 2;
  if (start > at) return "";
  return Trim(std::string_view(line).substr(start, at - start));
}

std::set<std::string> KeyOf(const std::vector<std::string>& programs) {
  std::set<std::string> key;
  for (const std::string& p : programs)
    if (!kTrivial.count(p)) key.insert(p);
  if (key.empty()) key.insert(programs.begin(), programs.end());
  return key;
}

bool Intersects(const std::set<std::string>& a,
                const std::vector<std::string>& b) {
  for (const std::string& x : b)
    if (a.count(x)) return true;
  return false;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct Open {
  Obstacle obstacle;
  std::set<std::string> key;       // programs whose later success resolves it
  std::string substitute_category; // command_not_found of a lone program
};

// Resolved by `step` (which succeeded)?
bool Resolves(const Open& open, const std::vector<std::string>& programs) {
  if (open.key.empty()) return true;
  if (Intersects(open.key, programs)) return true;
  if (open.substitute_category.empty()) return false;
  for (const std::string& p : programs)
    if (!kTrivial.count(p) && CategoryOf(p) == open.substitute_category)
      return true;
  return false;
}

}  // namespace

const std::vector<std::string>& ObstacleKinds() {
  static const std::vector<std::string> kKinds = [] {
    std::vector<std::string> kinds;
    for (const Recogniser& r : Recognisers()) kinds.push_back(r.kind);
    return kinds;
  }();
  return kKinds;
}

std::vector<ObstacleHit> RecogniseObstacles(const std::string& text) {
  std::vector<ObstacleHit> hits;
  std::set<std::string> seen;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    std::string lower = Lower(line);
    for (const Recogniser& r : Recognisers()) {
      if (seen.count(r.kind)) continue;
      bool shell = r.kind == "command_not_found" && ShellNotFound(lower);
      for (std::string_view needle : r.needles) {
        if (!shell && lower.find(needle) == std::string::npos) continue;
        ObstacleHit hit{r.kind, Trim(line).substr(0, 240), ""};
        if (r.kind == "command_not_found") hit.program = MissingProgram(line);
        hits.push_back(hit);
        seen.insert(r.kind);
        break;
      }
    }
  }
  return hits;
}

std::string FeedbackText(const std::string& observation) {
  std::string text;
  for (const char* key : {"stdout", "stderr"}) {
    std::optional<std::string> value = PyStringField(observation, key);
    if (value) text += *value + "\n";
  }
  std::optional<std::string> status = PyStringField(observation, "status");
  if (status && StartsWith(*status, "Short term command timed out"))
    text += *status + "\n";
  return text;
}

bool StepSucceeded(const StepView& step) {
  if (step.action_type != "execute_one_time" &&
      step.action_type != "execute_long_running" &&
      step.action_type != "receive")
    return false;
  std::string status = PyStringField(step.observation, "status").value_or("");
  for (std::string_view bad :
       {"Short term command timed out", "Meet error", "Format error",
        "Invalid terminal_id", "Failed to start", "Internal error"})
    if (StartsWith(status, bad)) return false;
  if (status.find(" is busy executing") != std::string::npos ||
      status.find("has no long term command") != std::string::npos)
    return false;
  std::optional<long> exit_code = PyIntField(step.observation, "exit_code");
  if (exit_code && *exit_code != 0) return false;
  return RecogniseObstacles(FeedbackText(step.observation)).empty();
}

std::vector<Obstacle> ObstaclesOf(const std::vector<StepView>& steps) {
  std::vector<Open> open;
  std::vector<Obstacle> done;
  // What each terminal runs: a receive step reports on that command.
  std::map<std::string, std::vector<std::string>> terminal_programs;
  for (const StepView& step : steps) {
    std::vector<std::string> programs = step.programs;
    if (step.action_type == "execute_long_running")
      terminal_programs[step.terminal_id] = step.programs;
    if (step.action_type == "receive")
      programs = terminal_programs[step.terminal_id];
    if (StepSucceeded(step)) {
      for (auto it = open.begin(); it != open.end();) {
        if (Resolves(*it, programs)) {
          it->obstacle.resolved = true;
          it->obstacle.resolved_step = step.step;
          done.push_back(it->obstacle);
          it = open.erase(it);
        } else {
          ++it;
        }
      }
      continue;
    }
    for (const ObstacleHit& hit : RecogniseObstacles(FeedbackText(step.observation))) {
      std::set<std::string> key = KeyOf(programs);
      bool again = std::any_of(open.begin(), open.end(), [&](const Open& o) {
        return o.obstacle.kind == hit.kind &&
               (o.key == key ||
                Intersects(o.key, std::vector<std::string>(key.begin(), key.end())));
      });
      if (again) continue;
      Open o;
      o.obstacle.kind = hit.kind;
      o.obstacle.step = step.step;
      o.obstacle.excerpt = hit.excerpt;
      o.key = key;
      if (hit.kind == "command_not_found" && !hit.program.empty()) {
        o.key.insert(hit.program);
        if (o.key.size() == 1) o.substitute_category = CategoryOf(hit.program);
      }
      open.push_back(o);
    }
  }
  for (const Open& o : open) done.push_back(o.obstacle);
  std::sort(done.begin(), done.end(), [](const Obstacle& a, const Obstacle& b) {
    return a.step != b.step ? a.step < b.step : a.kind < b.kind;
  });
  return done;
}

}  // namespace redline
