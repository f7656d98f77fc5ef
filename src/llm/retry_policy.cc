#include "llm/retry_policy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

namespace redline {
namespace {

using json = nlohmann::json;

// The fields servers use to say what went wrong. vLLM <0.10.1 puts them at
// the top level with an integer code; vLLM ≥0.10.1, OpenAI, llama-server
// and Anthropic nest them under "error" (Anthropic has no code).
struct ErrorFields {
  std::string message;
  std::string type;
  std::string code;
};

std::string AsText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return "";
}

std::string Excerpt(const std::string& body) {
  constexpr size_t kMax = 300;
  std::string text = body.substr(0, kMax);
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  if (body.size() > kMax) text += "…";
  return text;
}

ErrorFields ParseErrorFields(const std::string& body) {
  ErrorFields fields;
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    const json* source = &parsed;
    auto nested = parsed.find("error");
    if (nested != parsed.end() && nested->is_object()) source = &*nested;
    // Some servers send {"error": "text"}.
    if (nested != parsed.end() && nested->is_string())
      fields.message = nested->get<std::string>();
    if (auto it = source->find("message"); it != source->end())
      fields.message = AsText(*it);
    if (auto it = source->find("type"); it != source->end())
      fields.type = AsText(*it);
    if (auto it = source->find("code"); it != source->end())
      fields.code = AsText(*it);
  }
  if (fields.message.empty()) fields.message = Excerpt(body);
  return fields;
}

std::string Lower(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool Contains(const std::string& haystack, const char* needle) {
  return haystack.find(needle) != std::string::npos;
}

bool IsContextOverflow(int status, const ErrorFields& f) {
  // 413 is what some proxies and Anthropic send for oversized requests;
  // only count it when the message says it is about the prompt.
  if (status != 400 && status != 413) return false;
  std::string message = Lower(f.message);
  return f.code == "context_length_exceeded" ||
         f.type == "exceed_context_size_error" ||
         Contains(message, "maximum context length") ||
         Contains(message, "exceeds the available context size") ||
         Contains(message, "prompt is too long") ||
         Contains(message, "context length exceeded");
}

bool IsQuota(int status, const ErrorFields& f) {
  std::string message = Lower(f.message);
  return status == 402 || f.code == "insufficient_quota" ||
         f.type == "insufficient_quota" ||
         f.code == "enforced_spend_limit_reached" ||
         f.type == "enforced_spend_limit_reached" ||
         Contains(message, "enforced_spend_limit_reached") ||
         Contains(message, "exceeded your current quota") ||
         Contains(message, "credit balance is too low");
}

std::optional<double> ParseSeconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::optional<double> ParseHttpDate(const std::string& text) {
  // RFC 9110's preferred form, the only one servers send in practice:
  // "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

}  // namespace

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk: return "ok";
    case ErrorKind::kRetryable: return "retryable";
    case ErrorKind::kNetwork: return "network";
    case ErrorKind::kAuth: return "auth";
    case ErrorKind::kQuota: return "quota";
    case ErrorKind::kContextOverflow: return "context_overflow";
    case ErrorKind::kBadRequest: return "bad_request";
    case ErrorKind::kBadResponse: return "bad_response";
  }
  return "unknown";
}

double BackoffSeconds(int attempt, double random01) {
  double base = std::min(0.5 * std::pow(2.0, attempt), 8.0);
  return base * (1.0 - 0.25 * random01);
}

std::optional<double> ServerRetryAfter(
    const std::map<std::string, std::string>& headers, double now_epoch) {
  if (auto it = headers.find("retry-after-ms"); it != headers.end())
    if (auto ms = ParseSeconds(it->second)) return *ms / 1000.0;
  if (auto it = headers.find("retry-after"); it != headers.end()) {
    if (auto seconds = ParseSeconds(it->second)) return *seconds;
    if (auto date = ParseHttpDate(it->second)) return *date - now_epoch;
  }
  return std::nullopt;
}

RetryDecision ClassifyResponse(const HttpResponse& response,
                               const RetryContext& context) {
  RetryDecision decision;
  int status = response.status;
  if (status >= 200 && status < 300) return decision;
  ErrorFields fields = ParseErrorFields(response.body);
  decision.message = fields.message;

  // Fatal kinds first: a 429 may be a spent quota, which no wait will fix,
  // and an overflow needs a shorter prompt, not another try.
  if (IsContextOverflow(status, fields)) {
    decision.kind = ErrorKind::kContextOverflow;
    return decision;
  }
  if (IsQuota(status, fields)) {
    decision.kind = ErrorKind::kQuota;
    return decision;
  }
  if (status == 401 || status == 403) {
    decision.kind = ErrorKind::kAuth;
    return decision;
  }

  bool retryable = status == 408 || status == 409 || status == 429 ||
                   status >= 500;
  if (auto it = response.headers.find("x-should-retry");
      it != response.headers.end()) {
    if (it->second == "true") retryable = true;
    if (it->second == "false") retryable = false;
  }
  if (!retryable) {
    decision.kind = status >= 500 || status == 429 || status == 408 ||
                            status == 409
                        ? ErrorKind::kRetryable
                        : ErrorKind::kBadRequest;
    return decision;
  }
  decision.kind = ErrorKind::kRetryable;
  if (context.attempt >= context.max_retries) return decision;
  std::optional<double> asked =
      ServerRetryAfter(response.headers, context.now_epoch);
  if (asked && *asked > context.max_retry_after_seconds) {
    decision.message += " (the server asks to retry after " +
                        std::to_string(static_cast<long long>(*asked)) +
                        " s, longer than we wait)";
    return decision;
  }
  decision.retry = true;
  decision.delay_seconds = asked && *asked > 0
                               ? *asked
                               : BackoffSeconds(context.attempt, context.random01);
  return decision;
}

RetryDecision ClassifyTransportFailure(const std::string& error,
                                       const RetryContext& context) {
  RetryDecision decision;
  decision.kind = ErrorKind::kNetwork;
  decision.message = error;
  if (context.attempt < context.max_retries) {
    decision.retry = true;
    decision.delay_seconds = BackoffSeconds(context.attempt, context.random01);
  }
  return decision;
}

}  // namespace redline
