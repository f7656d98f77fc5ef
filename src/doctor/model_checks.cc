#include "doctor/model_checks.h"

#include <cstdio>

#include "base/clock.h"
#include "base/error.h"
#include "doctor/model_http.h"
#include "doctor/provider_wire.h"
#include "llm/api_call.h"
#include "llm/model.h"

namespace redline {
namespace {

constexpr size_t kListedShown = 20;

std::string Seconds(double s) {
  char buf[32];
  if (s < 1) std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
  else std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string Joined(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < kListedShown; ++i)
    out += (i ? ", " : "") + ids[i];
  if (ids.size() > kListedShown) out += ", … (" + std::to_string(ids.size()) + " in all)";
  return out;
}

// State of one endpoint's checks, so each step is a short function.
class EndpointChecks {
 public:
  EndpointChecks(ProviderWire wire, double timeout)
      : wire_(std::move(wire)), timeout_(timeout) {}
  Checks Run();

 private:
  std::string Url(const std::string& path) const { return wire_.base + path; }
  std::string Said(const HttpAttempt& a) const {
    return Redact("HTTP " + std::to_string(a.response.status) + ": " +
                      ServerMessage(a.response.body), wire_.key);
  }
  std::string AuthFix() const {
    return "set " + wire_.key_variable + " to a valid key (or name another "
           "variable with --api-key-env)";
  }
  void KeyCheck();
  bool Reach();         // false: stop, nothing answers
  HttpAttempt Post(const std::string& body) {
    return HttpPost(Url(CompletionPath(wire_)), wire_.headers, body, {10, timeout_});
  }
  bool Complete();      // false: stop, no completion possible
  void ListedCheck();
  void ToolCheck();
  void ContextCheck();
  bool AuthRefused(const HttpAttempt& a) {
    if (a.response.status != 401 && a.response.status != 403) return false;
    out_.push_back(Fail("auth", wire_.base + " refused " +
                                    (wire_.key.empty() ? "the request without a key"
                                                       : "the key") + ": " + Said(a),
                        AuthFix()));
    return true;
  }

  ProviderWire wire_;
  double timeout_;
  Checks out_;
  ModelList models_;
  bool models_answered_ = false;
  bool completed_ = false;
  bool max_completion_tokens_ = false;
};

void EndpointChecks::KeyCheck() {
  if (!wire_.key.empty())
    out_.push_back(Ok("api key", "from $" + wire_.key_variable + " (not shown)"));
  else if (wire_.hosted)
    out_.push_back(Fail("api key", "$" + wire_.key_variable + " is not set; " +
                                       wire_.base + " requires a key",
                        "export " + wire_.key_variable + "=… (or --api-key-env NAME)"));
  else
    out_.push_back(Ok("api key", "none ($" + wire_.key_variable +
                                     " unset); fine for a local server without auth"));
}

bool EndpointChecks::Reach() {
  std::string url = Url("/models");
  HttpAttempt a = HttpGet(url, wire_.headers, {10, 20});
  if (!a.answered) {
    out_.push_back(Fail("endpoint", "cannot reach " + url + ": " + a.error,
                        UnreachableFix(a.error)));
    return false;
  }
  out_.push_back(Ok("endpoint", wire_.base + " answers (GET /models: HTTP " +
                                    std::to_string(a.response.status) + ")"));
  if (AuthRefused(a)) return false;
  if (a.response.status == 200) {
    models_ = ParseModelList(a.response.body, wire_.model);
    models_answered_ = models_.parsed;
  }
  return true;
}

bool EndpointChecks::Complete() {
  // Hosted OpenAI refuses max_tokens for its newer models; other servers
  // may not know max_completion_tokens. Mirror openai_model.cc, and switch
  // once if the server asks for the other name.
  max_completion_tokens_ = wire_.provider == "openai" && wire_.hosted;
  double start = MonotonicSeconds();
  HttpAttempt a = Post(OneTokenBody(wire_, max_completion_tokens_));
  if (a.answered && a.response.status == 400 &&
      a.response.body.find("max_completion_tokens") != std::string::npos) {
    max_completion_tokens_ = !max_completion_tokens_;
    start = MonotonicSeconds();
    a = Post(OneTokenBody(wire_, max_completion_tokens_));
  }
  double took = MonotonicSeconds() - start;
  std::string url = Url(CompletionPath(wire_));
  if (!a.answered) {
    out_.push_back(Fail("completion", "no answer from " + url + ": " + a.error,
                        UnreachableFix(a.error)));
    return false;
  }
  if (AuthRefused(a)) return false;
  ReplyFacts reply = ParseReply(wire_, a.response.body);
  if (a.response.status != 200 || !reply.parsed) {
    std::string fix = "check the model name";
    if (models_answered_ && !models_.ids.empty())
      fix += "; the server lists: " + Joined(models_.ids);
    out_.push_back(Fail("completion", "POST " + url + " for " + wire_.model + " → " +
                                          (reply.parsed || a.response.status != 200
                                               ? Said(a)
                                               : "an answer of the wrong shape"),
                        fix));
    return false;
  }
  if (!wire_.key.empty()) out_.push_back(Ok("auth", "key accepted"));
  std::string usage = reply.prompt_tokens >= 0
      ? " (" + std::to_string(reply.prompt_tokens) + " prompt + " +
            std::to_string(reply.completion_tokens) + " completion tokens)"
      : " (no usage reported: tokens will be estimated)";
  out_.push_back(Ok("completion", "one-token completion in " + Seconds(took) + usage));
  completed_ = true;
  return true;
}

void EndpointChecks::ListedCheck() {
  const char* name = "model listed";
  if (!models_answered_) {
    out_.push_back(Warn(name, "GET " + Url("/models") + " gave no model list; cannot "
                              "tell which models the server has", ""));
    return;
  }
  for (const std::string& id : models_.ids)
    if (id == wire_.model) return out_.push_back(Ok(name, wire_.model));
  std::string listed = models_.ids.empty() ? "none" : Joined(models_.ids);
  std::string fix = "use one of them: --model " + wire_.provider + "/" +
                    (models_.ids.empty() ? "<name>" : models_.ids[0]);
  if (completed_)
    out_.push_back(Warn(name, wire_.model + " is not listed, yet the server answered "
                              "for it (it may ignore the name); it lists: " + listed, fix));
  else
    out_.push_back(Fail(name, wire_.model + " is not served; the server lists: " + listed,
                        fix));
}

void EndpointChecks::ToolCheck() {
  const char* name = "tool calls";
  const std::string cost = ": the tools protocol (native tool calls) will not "
                           "work; the paper protocol (the default) needs none";
  const std::string fix = wire_.provider == "anthropic"
      ? "use a model that supports tools"
      : "vLLM: add --enable-auto-tool-choice --tool-call-parser <hermes|llama3_json|"
        "mistral|…>; llama-server: add --jinja; Ollama: use a model whose "
        "template supports tools";
  HttpAttempt a = Post(ToolCallBody(wire_, max_completion_tokens_));
  if (!a.answered) return out_.push_back(Warn(name, "no answer: " + a.error + cost, fix));
  if (a.response.status != 200)
    return out_.push_back(Warn(name, "refused (" + Said(a) + ")" + cost, fix));
  if (!ParseReply(wire_, a.response.body).tool_call)
    return out_.push_back(Warn(name, "the server answered in text, with no tool call" +
                                         cost, fix));
  out_.push_back(Ok(name, "a tool call came back"));
}

void EndpointChecks::ContextCheck() {
  const char* name = "context length";
  std::string source;
  long n = ProbeContextLength(wire_, models_.max_model_len, &source);
  if (n < 0)
    return out_.push_back(Warn(name, "unknown (the server does not report it); long "
                                     "episodes may overflow and be compacted", ""));
  if (n < 16384)
    return out_.push_back(Warn(name, std::to_string(n) + " tokens (" + source +
                                         "): short for a long episode, which will "
                                         "be compacted often",
                               "serve the model with a longer context (vLLM "
                               "--max-model-len, llama-server -c, Ollama num_ctx)"));
  out_.push_back(Ok(name, std::to_string(n) + " tokens (" + source + ")"));
}

Checks EndpointChecks::Run() {
  out_.push_back(Ok("base url", wire_.base + " (from " + wire_.base_source +
                                    "); completions: POST " + Url(CompletionPath(wire_))));
  KeyCheck();
  if (!Reach()) return out_;
  if (Complete()) ToolCheck();
  ListedCheck();
  ContextCheck();
  return out_;
}

Checks BuiltinChecks(const std::string& provider, const std::string& spec) {
  if (provider == "scripted") {
    MakeModel(spec, {});  // throws InputError for an unknown policy
    return {Ok("model", spec + " is built in; it needs no endpoint")};
  }
  MakeModel(spec, {});  // replay: throws InputError if the file does not parse
  return {Ok("model", spec + " is built in; the replay file parses")};
}

}  // namespace

Checks ModelChecks(const ModelCheckOptions& options) {
  size_t slash = options.spec.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == options.spec.size())
    throw InputError("--model " + options.spec + ": expected provider/name (openai/…, "
                     "anthropic/…, scripted/…, replay/<file>)");
  std::string provider = options.spec.substr(0, slash);
  if (!options.base_url.empty() && !options.base_url.starts_with("http://") &&
      !options.base_url.starts_with("https://"))
    throw InputError("--base-url " + options.base_url + ": expected http://… or https://…");
  if (provider == "scripted" || provider == "replay")
    return BuiltinChecks(provider, options.spec);
  if (provider != "openai" && provider != "anthropic")
    throw InputError("--model " + options.spec + ": unknown provider " + provider +
                     " (openai, anthropic, scripted, replay)");
  return EndpointChecks(MakeProviderWire(provider, options.spec.substr(slash + 1),
                                         options.base_url, options.api_key_env),
                        options.timeout_seconds)
      .Run();
}

}  // namespace redline
