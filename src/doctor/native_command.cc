// The native server's command line as the doctor reads it: which program
// the deploy script will exec, and the vLLM flags that decide whether two
// servers fit and whether the agent's model name is served.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <system_error>

#include "doctor/native_checks.h"

namespace redline {
namespace {


// Shell words for the quoting a template uses; no expansion.
std::vector<std::string> ShellWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0; else word += c;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
      else if (c == '\\' && i + 1 < text.size()) word += text[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

bool IsAssignment(const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = word[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return !std::isdigit(static_cast<unsigned char>(word[0]));
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsPython(const std::string& program) {
  std::string base = Basename(program);
  if (!base.starts_with("python")) return false;
  return base.find_first_not_of("0123456789.", 6) == std::string::npos;
}

// "--flag value" or "--flag=value"; "" when absent.
std::string FlagValue(const std::vector<std::string>& words, size_t from,
                      std::initializer_list<const char*> names) {
  for (size_t i = from; i < words.size(); ++i)
    for (const char* name : names) {
      std::string n = name;
      if (words[i] == n && i + 1 < words.size()) return words[i + 1];
      if (words[i].starts_with(n + "=")) return words[i].substr(n.size() + 1);
    }
  return "";
}

std::string ReplaceWeights(std::string word) {
  for (size_t at = word.find("{weights}"); at != std::string::npos;
       at = word.find("{weights}"))
    word.replace(at, 9, "local_model_weights");
  return word;
}

}  // namespace

ServerCommand ParseServerCommand(const std::string& command) {
  ServerCommand out;
  out.words = ShellWords(command);
  size_t i = 0;
  while (i < out.words.size() && IsAssignment(out.words[i])) ++i;
  if (i < out.words.size() && Basename(out.words[i]) == "env") {
    ++i;
    while (i < out.words.size() &&
           (IsAssignment(out.words[i]) || out.words[i].starts_with("-"))) {
      // env's options that take a value: -u NAME, -C DIR.
      const std::string& w = out.words[i];
      bool value = w == "-u" || w == "-C" || w == "--unset" || w == "--chdir";
      i += value ? 2 : 1;
    }
  }
  if (i >= out.words.size()) return out;
  out.program = ReplaceWeights(out.words[i]);
  out.python = IsPython(out.program);
  if (out.python) out.module = FlagValue(out.words, i + 1, {"-m"});
  for (size_t w = i; w < out.words.size(); ++w) {
    const std::string& word = out.words[w];
    if (Basename(word) == "vllm" || word.starts_with("vllm.") || word == "vllm")
      out.vllm = true;
  }
  if (!out.vllm) return out;
  std::string u = FlagValue(out.words, i + 1, {"--gpu-memory-utilization"});
  if (!u.empty()) {
    char* end = nullptr;
    double v = std::strtod(u.c_str(), &end);
    if (end && *end == '\0' && v > 0) out.gpu_memory_utilization = v;
  }
  std::string tp = FlagValue(out.words, i + 1, {"--tensor-parallel-size", "-tp"});
  if (!tp.empty() && tp.find_first_not_of("0123456789") == std::string::npos)
    out.tensor_parallel_size = std::max(1, std::atoi(tp.c_str()));
  out.served_model_name = FlagValue(out.words, i + 1, {"--served-model-name"});
  return out;
}

Checks ServerCommandChecks(const ServerCommand& command, const std::string& model) {
  const char* name = "served model";
  if (command.program.empty())
    return {Fail("server command", "names no program", "give --server-command a "
                 "command line, e.g. python3 -m vllm.entrypoints.openai.api_server "
                 "--model {weights} --port {port}")};
  Checks out;
  std::string kind = command.vllm ? "vLLM" : "not vLLM";
  out.push_back(Ok("server command", "runs `" + command.program + "` (" + kind + ")"));
  if (model.empty() || !command.vllm) {
    out.push_back(Ok(name, model.empty() ? "not checked (no --model)"
                                         : "not checked (only vLLM commands name it)"));
    return out;
  }
  std::string wanted = model.substr(model.find('/') + 1);
  std::string served = command.served_model_name.empty() ? "local_model_weights"
                                                          : command.served_model_name;
  if (served == wanted) {
    out.push_back(Ok(name, "vLLM serves `" + served + "`, the name the agent asks for"));
    return out;
  }
  std::string how = command.served_model_name.empty()
                        ? "vLLM serves it as `local_model_weights` (its --model path)"
                        : "vLLM serves `" + served + "`";
  out.push_back(Fail(name,
                     "the agent asks for `" + wanted + "` (--model " + model + "); " +
                         how + ": every completion would be a 404",
                     "put --served-model-name " + wanted + " in --server-command"));
  return out;
}

}  // namespace redline
