#include "agent/step_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "base/files.h"

namespace redline {
namespace {

// Keeps the order of the fields as written (task, step, times, …).
using OrderedJson = nlohmann::ordered_json;

std::string LocalTime(const char* format) {
  time_t now = static_cast<time_t>(WallSeconds());
  struct tm tm;
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

OrderedJson ToJson(const PyValue& value) {
  struct Visitor {
    OrderedJson operator()(std::monostate) const { return nullptr; }
    OrderedJson operator()(bool b) const { return b; }
    OrderedJson operator()(int64_t i) const { return i; }
    OrderedJson operator()(double d) const { return d; }
    OrderedJson operator()(const std::string& s) const { return s; }
    OrderedJson operator()(const PyList& list) const {
      OrderedJson out = OrderedJson::array();
      for (const PyValue& v : list) out.push_back(ToJson(v));
      return out;
    }
    OrderedJson operator()(const PyDict& dict) const {
      OrderedJson out = OrderedJson::object();
      for (const auto& [k, v] : dict) out[k] = ToJson(v);
      return out;
    }
  };
  return std::visit(Visitor{}, value.value);
}

std::string Dump(const OrderedJson& j) {
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace

std::string PyValueToJson(const PyValue& value) { return Dump(ToJson(value)); }

StepLog::StepLog(const std::string& log_dir, bool echo_to_stdout)
    : echo_(echo_to_stdout) {
  std::string base = JoinPath(log_dir, LocalTime("%Y-%m-%d_%H-%M-%S") + "_" +
                                           std::to_string(::getpid()));
  text_path_ = base + ".log";
  steps_path_ = base + ".steps.jsonl";
}

void StepLog::Append(UniqueFd& fd, const std::string& path, const std::string& text) {
  try {
    // Opened once and kept, as Python's logging keeps its file: a step
    // writes five entries, and opening each time was a tenth of a step.
    if (!fd.valid()) {
      fd.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
      if (!fd.valid()) ThrowErrno("open(\"" + path + "\")");
    }
    // One write() per line keeps concurrent appenders from interleaving.
    WriteAll(fd.get(), text + "\n", path);
  } catch (const SystemError& e) {
    fd.reset();  // the model may have taken the folder away: try again next time
    if (!warned_) {
      std::fprintf(stderr, "[agent] warning: cannot write the log: %s\n",
                   e.what());
      warned_ = true;
    }
  }
}

void StepLog::Info(std::string_view message) {
  Append(text_fd_, text_path_, LocalTime("%Y-%m-%d %H:%M:%S") + " - Agent - INFO - " +
                         std::string(message));
}

void StepLog::Round(int round) {
  Info("*********************Round " + std::to_string(round) +
       ":********************");
}

void StepLog::Step(const StepRecord& r) {
  OrderedJson j = {{"task", r.task},
            {"step", r.step},
            {"t_start", r.t_start},
            {"t_end", r.t_end},
            {"llm_seconds", r.llm_seconds},
            {"action_seconds", r.action_seconds},
            {"action", r.action},
            {"action_input", ToJson(r.action_input)},
            {"format_error", r.format_error},
            {"missing_parts", r.missing_parts},
            {"status", r.status},
            {"exit_code", r.exit_code ? OrderedJson(*r.exit_code) : OrderedJson(nullptr)},
            {"stdout_chars", r.stdout_chars},
            {"stderr_chars", r.stderr_chars}};
  Append(steps_fd_, steps_path_, Dump(j));
  if (echo_) {
    std::printf("[agent] step %d: %s\n", r.step, r.summary.c_str());
    std::fflush(stdout);
  }
}

void StepLog::Print(std::string_view line) {
  Info(line);
  if (echo_) {
    std::printf("[agent] %.*s\n", static_cast<int>(line.size()), line.data());
    std::fflush(stdout);
  }
}

}  // namespace redline
