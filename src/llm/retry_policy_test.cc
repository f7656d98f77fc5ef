// The classifier on every non-streaming shape of llm-interop.md §1, §4, §7.
#include "llm/retry_policy.h"

#include <gtest/gtest.h>

namespace redline {
namespace {

HttpResponse Answer(int status, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
  return HttpResponse{status, std::move(headers), body};
}

RetryContext First() {
  RetryContext context;
  context.attempt = 0;
  context.max_retries = 5;
  context.random01 = 0;
  context.now_epoch = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
  return context;
}

TEST(RetryPolicyTest, SuccessIsOk) {
  RetryDecision d = ClassifyResponse(Answer(200, "{}"), First());
  EXPECT_EQ(d.kind, ErrorKind::kOk);
  EXPECT_FALSE(d.retry);
}

TEST(RetryPolicyTest, VllmFlatContextOverflow) {
  RetryDecision d = ClassifyResponse(
      Answer(400,
             R"({"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 39197 tokens (39000 in the messages, 197 in the completion).","type":"BadRequestError","param":null,"code":400})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kContextOverflow);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.message.find("maximum context length is 32768"), std::string::npos);
}

TEST(RetryPolicyTest, VllmNestedContextOverflow) {
  RetryDecision d = ClassifyResponse(
      Answer(400,
             R"({"error":{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 39197 tokens.","type":"BadRequestError","param":null,"code":400}})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kContextOverflow);
  EXPECT_FALSE(d.retry);
}

TEST(RetryPolicyTest, LlamaServerExceedContextSize) {
  RetryDecision d = ClassifyResponse(
      Answer(400,
             R"j({"error":{"code":400,"message":"request (4476 tokens) exceeds the available context size (4096 tokens)","type":"exceed_context_size_error","n_prompt_tokens":4476,"n_ctx":4096}})j"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kContextOverflow);
  EXPECT_EQ(d.message,
            "request (4476 tokens) exceeds the available context size (4096 tokens)");
}

TEST(RetryPolicyTest, OpenAiContextLengthExceeded) {
  RetryDecision d = ClassifyResponse(
      Answer(400,
             R"({"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kContextOverflow);
}

TEST(RetryPolicyTest, AnthropicPromptTooLong) {
  RetryDecision d = ClassifyResponse(
      Answer(400,
             R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kContextOverflow);
}

TEST(RetryPolicyTest, RateLimitHonoursRetryAfterMs) {
  RetryDecision d = ClassifyResponse(
      Answer(429,
             R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})",
             {{"retry-after-ms", "200"}, {"retry-after", "7"}}),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kRetryable);
  EXPECT_TRUE(d.retry);
  EXPECT_DOUBLE_EQ(d.delay_seconds, 0.2);  // retry-after-ms wins
}

TEST(RetryPolicyTest, RateLimitHonoursRetryAfterSeconds) {
  RetryDecision d = ClassifyResponse(
      Answer(429, "slow down", {{"retry-after", "1.5"}}), First());
  EXPECT_TRUE(d.retry);
  EXPECT_DOUBLE_EQ(d.delay_seconds, 1.5);
}

TEST(RetryPolicyTest, RateLimitHonoursHttpDate) {
  RetryDecision d = ClassifyResponse(
      Answer(429, "{}", {{"retry-after", "Wed, 21 Oct 2015 07:28:03 GMT"}}),
      First());
  EXPECT_TRUE(d.retry);
  EXPECT_DOUBLE_EQ(d.delay_seconds, 3.0);
}

TEST(RetryPolicyTest, HttpDateInThePastFallsBackToBackoff) {
  RetryDecision d = ClassifyResponse(
      Answer(429, "{}", {{"retry-after", "Wed, 21 Oct 2015 07:27:00 GMT"}}),
      First());
  EXPECT_TRUE(d.retry);
  EXPECT_DOUBLE_EQ(d.delay_seconds, 0.5);
}

TEST(RetryPolicyTest, TooLongRetryAfterIsNotRetried) {
  RetryDecision d = ClassifyResponse(
      Answer(429, "{}", {{"retry-after", "3600"}}), First());
  EXPECT_EQ(d.kind, ErrorKind::kRetryable);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.message.find("3600"), std::string::npos);
}

TEST(RetryPolicyTest, ServiceUnavailableBacksOff) {
  RetryContext context = First();
  context.attempt = 2;
  context.random01 = 1.0;
  RetryDecision d = ClassifyResponse(Answer(503, "Service Unavailable"), context);
  EXPECT_EQ(d.kind, ErrorKind::kRetryable);
  EXPECT_TRUE(d.retry);
  EXPECT_DOUBLE_EQ(d.delay_seconds, 2.0 * 0.75);
  EXPECT_EQ(d.message, "Service Unavailable");
}

TEST(RetryPolicyTest, AnthropicOverloadedIsRetried) {
  RetryDecision d = ClassifyResponse(
      Answer(529,
             R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kRetryable);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.message, "Overloaded");
}

TEST(RetryPolicyTest, RetriesStopAtTheLimit) {
  RetryContext context = First();
  context.attempt = 5;
  RetryDecision d = ClassifyResponse(Answer(503, ""), context);
  EXPECT_EQ(d.kind, ErrorKind::kRetryable);
  EXPECT_FALSE(d.retry);
}

TEST(RetryPolicyTest, RequestTimeoutAndConflictAreRetried) {
  EXPECT_TRUE(ClassifyResponse(Answer(408, ""), First()).retry);
  EXPECT_TRUE(ClassifyResponse(Answer(409, ""), First()).retry);
  EXPECT_TRUE(ClassifyResponse(Answer(500, ""), First()).retry);
}

TEST(RetryPolicyTest, UnauthorizedIsAuthAndFinal) {
  RetryDecision d = ClassifyResponse(
      Answer(401,
             R"({"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kAuth);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(ClassifyResponse(Answer(403, "forbidden"), First()).kind,
            ErrorKind::kAuth);
}

TEST(RetryPolicyTest, InsufficientQuotaIsNotRetriedDespite429) {
  RetryDecision d = ClassifyResponse(
      Answer(429,
             R"({"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})",
             {{"retry-after", "1"}}),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kQuota);
  EXPECT_FALSE(d.retry);
}

TEST(RetryPolicyTest, AnthropicSpendLimitIsQuota) {
  RetryDecision d = ClassifyResponse(
      Answer(429,
             R"({"type":"error","error":{"type":"enforced_spend_limit_reached","message":"You have reached your specified API usage limits."}})"),
      First());
  EXPECT_EQ(d.kind, ErrorKind::kQuota);
  EXPECT_FALSE(d.retry);
}

TEST(RetryPolicyTest, OtherClientErrorsAreBadRequests) {
  for (int status : {400, 404, 422}) {
    RetryDecision d = ClassifyResponse(
        Answer(status, R"({"error":{"message":"The model `x` does not exist"}})"),
        First());
    EXPECT_EQ(d.kind, ErrorKind::kBadRequest) << status;
    EXPECT_FALSE(d.retry) << status;
  }
}

TEST(RetryPolicyTest, ShouldRetryHeaderOverridesStatus) {
  EXPECT_TRUE(ClassifyResponse(Answer(400, "", {{"x-should-retry", "true"}}),
                               First()).retry);
  EXPECT_FALSE(ClassifyResponse(Answer(503, "", {{"x-should-retry", "false"}}),
                                First()).retry);
}

TEST(RetryPolicyTest, NonJsonBodyBecomesAnExcerpt) {
  std::string body(1000, 'x');
  RetryDecision d = ClassifyResponse(Answer(502, body), First());
  EXPECT_LT(d.message.size(), 320u);
}

TEST(RetryPolicyTest, TransportFailuresAreRetriedThenFinal) {
  RetryDecision d = ClassifyTransportFailure("Connection refused", First());
  EXPECT_EQ(d.kind, ErrorKind::kNetwork);
  EXPECT_TRUE(d.retry);
  EXPECT_DOUBLE_EQ(d.delay_seconds, 0.5);
  RetryContext last = First();
  last.attempt = 5;
  EXPECT_FALSE(ClassifyTransportFailure("Connection refused", last).retry);
}

TEST(RetryPolicyTest, BackoffDoublesUpToEightWithJitter) {
  EXPECT_DOUBLE_EQ(BackoffSeconds(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(BackoffSeconds(1, 0), 1.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(4, 0), 8.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(9, 0), 8.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(9, 0.5), 8.0 * 0.875);
}

}  // namespace
}  // namespace redline
