#include "system/broker_relay.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "broker/broker_protocol.h"
#include "system/mapped_weights.h"
#include "system/weight_challenge.h"

namespace redline {

namespace {

using Json = nlohmann::ordered_json;

int64_t TokenCount(const Json& answer, const char* key) {
  auto it = answer.find(key);
  return it != answer.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// The broker's last word on an attestation: {"ok":true} or a refusal.
std::string AttestVerdict(const std::string& line) {
  Json answer = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object() || !answer.contains("ok") || !answer["ok"].is_boolean())
    return "the model backend sent an unreadable answer";
  if (answer["ok"].get<bool>()) return "";
  auto error = answer.find("error");
  return error != answer.end() && error->is_string() ? error->get<std::string>()
                                                     : "the model backend refused this server";
}

}  // namespace

std::string RenderBrokerRequest(const ChatRequest& request) {
  Json messages = Json::array();
  for (const ChatMessage& message : request.messages)
    messages.push_back({{"role", message.role}, {"content", message.content}});
  Json body = {{"messages", std::move(messages)}};
  if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.top_p) body["top_p"] = *request.top_p;
  if (request.seed) body["seed"] = *request.seed;
  if (!request.stop.empty()) body["stop"] = request.stop;
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

RelayResult ParseBrokerAnswer(std::string_view line) {
  RelayResult result;
  result.status = RelayResult::Status::kRejected;
  Json answer = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object() || !answer.contains("ok") ||
      !answer["ok"].is_boolean()) {
    result.error = "the model backend sent an unreadable answer";
    return result;
  }
  if (!answer["ok"].get<bool>()) {
    auto error = answer.find("error");
    result.error = error != answer.end() && error->is_string()
                       ? error->get<std::string>()
                       : "the model backend refused the request";
    return result;
  }
  auto content = answer.find("content");
  if (content == answer.end() || !content->is_string()) {
    result.error = "the model backend sent an answer without content";
    return result;
  }
  result.status = RelayResult::Status::kOk;
  result.content = content->get<std::string>();
  // Token counts are informational; a broker that omits them is not wrong.
  result.prompt_tokens = TokenCount(answer, "prompt_tokens");
  result.completion_tokens = TokenCount(answer, "completion_tokens");
  return result;
}

RelayResult RelayChat(const std::string& socket_path,
                      const ChatRequest& request, std::string_view body,
                      double timeout_seconds) {
  bool as_is = request.plain && !body.empty() &&
               body.find('\n') == std::string_view::npos;
  std::string line;
  try {
    line = BrokerRoundTrip(socket_path,
                           as_is ? std::string(body) : RenderBrokerRequest(request),
                           timeout_seconds);
  } catch (const SystemError& e) {
    RelayResult result;
    result.status = RelayResult::Status::kUnavailable;
    // The socket path and strerror, without the harness-side hint in what():
    // the client may be the model under test, debugging its own system.
    result.error = "model backend unavailable: " +
                   std::string(std::strerror(e.error_code())) + " (" +
                   socket_path + ")";
    return result;
  }
  return ParseBrokerAnswer(line);
}

std::string AttestToBroker(const std::string& socket_path,
                           const std::string& model_name,
                           const MappedWeights& weights, double timeout_seconds) {
  try {
    BrokerConnection connection(socket_path, timeout_seconds);
    connection.SendLine(AttestRequestLine(model_name));
    std::string line = connection.ReadLine();
    std::optional<WeightChallenge> challenge = ParseChallengeLine(line);
    if (!challenge) {
      RelayResult refusal = ParseBrokerAnswer(line);
      return refusal.error.empty() ? "the model backend sent no challenge" : refusal.error;
    }
    std::string answer = AnswerChallenge(
        *challenge, [&](const ChallengeRange& r) { return weights.Range(r); });
    if (answer.empty()) return "the model backend asked for bytes outside the loaded weights";
    connection.SendLine(AnswerLine(answer));
    return AttestVerdict(connection.ReadLine());
  } catch (const SystemError& e) {
    return "model backend unavailable: " + std::string(std::strerror(e.error_code())) +
           " (" + socket_path + ")";
  }
}

}  // namespace redline
