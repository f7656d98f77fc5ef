#include "llm/api_call.h"

#include <random>

#include "base/clock.h"
#include "llm/llm_error.h"
#include "llm/retry_policy.h"

namespace redline {
namespace {

double Random01() {
  // One generator a thread: the broker calls from several threads, and
  // jitter only has to decorrelate them, not be unpredictable.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

std::string Hint(ErrorKind kind, const ApiCallSettings& settings) {
  switch (kind) {
    case ErrorKind::kAuth:
      return " — the API key was refused" +
             (settings.auth_hint.empty() ? "" : ": " + settings.auth_hint);
    case ErrorKind::kQuota:
      return " — the account's quota or spend limit is used up; add credit "
             "or raise the limit";
    case ErrorKind::kContextOverflow:
      return " — the conversation exceeds the model's context window";
    default:
      return "";
  }
}

}  // namespace

std::string Redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at))
    text.replace(at, secret.size(), "<redacted>");
  return text;
}

ApiCallResult PostJsonWithRetries(const std::string& url,
                                  const std::vector<std::string>& headers,
                                  const std::string& body,
                                  const ApiCallSettings& settings) {
  ApiCallResult result;
  for (int attempt = 0;; ++attempt) {
    HttpAttempt outcome = HttpPost(url, headers, body, settings.timeouts);
    if (outcome.answered && settings.answer_filter &&
        outcome.response.status >= 200 && outcome.response.status < 300)
      outcome = settings.answer_filter(outcome.response);
    RetryContext context{attempt, settings.max_retries, Random01(),
                         WallSeconds(), settings.max_retry_after_seconds};
    RetryDecision decision =
        outcome.answered ? ClassifyResponse(outcome.response, context)
                         : ClassifyTransportFailure(outcome.error, context);
    if (decision.kind == ErrorKind::kOk) {
      result.response = std::move(outcome.response);
      return result;
    }
    if (!decision.retry) {
      std::string message =
          outcome.answered
              ? "HTTP " + std::to_string(outcome.response.status) + " from " +
                    url + ": " + decision.message
              : outcome.response.status > 0  // a stream cut after its 2xx
                    ? "HTTP " + std::to_string(outcome.response.status) + " from " + url +
                          ": " + decision.message
                    : "cannot reach " + url + ": " + decision.message;
      message += Hint(decision.kind, settings);
      if (attempt > 0)
        message += " (after " + std::to_string(attempt) + " retr" +
                   (attempt == 1 ? "y" : "ies") + ")";
      throw LlmError(decision.kind, url,
                     outcome.answered ? outcome.response.status : 0,
                     Redact(message, settings.secret),
                     result.retry_wait_seconds, attempt);
    }
    SleepSeconds(decision.delay_seconds * settings.sleep_scale);
    result.retry_wait_seconds += decision.delay_seconds;
    result.retries = attempt + 1;
  }
}

}  // namespace redline
