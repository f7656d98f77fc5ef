#include "agent/http_llm_client.h"

#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace redline {
namespace {

using Json = nlohmann::json;

void SetTimeout(double seconds,
                const std::function<void(time_t, time_t)>& set) {
  double whole = std::floor(seconds);
  set(static_cast<time_t>(whole), static_cast<time_t>((seconds - whole) * 1e6));
}

std::string Describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection refused or host unreachable";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "no complete response (read failed or timed out)";
    case httplib::Error::Write:
      return "sending the request failed";
    default:
      return "HTTP client error " + httplib::to_string(error);
  }
}

bool IsConnectFailure(httplib::Error error) {
  return error == httplib::Error::Connection ||
         error == httplib::Error::ConnectionTimeout;
}

}  // namespace

// One connection for the whole life of the agent: a step of the loop can be
// a millisecond, and a fresh TCP connection per call is a good part of that.
struct HttpLlmClient::Connection {
  explicit Connection(const HttpLlmOptions& o) : client(o.host, o.port) {
    client.set_keep_alive(true);
    // Without it Nagle holds the body back behind the headers until the
    // peer's delayed ACK: 40 ms a call on a kept-alive connection.
    client.set_tcp_nodelay(true);
  }
  httplib::Client client;
  // The request's "messages" array, serialized once per message: the loop's
  // history only grows, so each call serializes just the new messages
  // instead of the whole conversation again.
  std::string messages_json;
  size_t serialized = 0;  // messages held by messages_json
  std::string opening;    // first two messages: names the conversation
};

namespace {

std::string Opening(const std::vector<ChatMessage>& messages) {
  std::string key;
  for (size_t i = 0; i < messages.size() && i < 2; ++i)
    key += messages[i].role + '\0' + messages[i].content + '\0';
  return key;
}

// Brings `c.messages_json` up to date with `messages`, starting over when
// this is another conversation or the history is shorter than before.
void SerializeNew(HttpLlmClient::Connection& c,
                  const std::vector<ChatMessage>& messages) {
  std::string opening = Opening(messages);
  if (opening != c.opening || messages.size() < c.serialized) {
    c.messages_json.clear();
    c.serialized = 0;
    c.opening = std::move(opening);
  }
  for (; c.serialized < messages.size(); ++c.serialized) {
    const ChatMessage& m = messages[c.serialized];
    if (c.serialized > 0) c.messages_json += ',';
    // Replace, not throw, on invalid UTF-8: command output can be anything.
    c.messages_json += Json{{"role", m.role}, {"content", m.content}}.dump(
        -1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

HttpLlmClient::HttpLlmClient(HttpLlmOptions options)
    : options_(std::move(options)),
      connection_(std::make_unique<Connection>(options_)) {}

HttpLlmClient::~HttpLlmClient() = default;

std::string HttpLlmClient::Url() const {
  return "http://" + options_.host + ":" + std::to_string(options_.port) +
         "/v1/chat/completions";
}

LlmReply HttpLlmClient::Complete(const std::vector<ChatMessage>& messages) {
  std::lock_guard<std::mutex> lock(mutex_);
  SerializeNew(*connection_, messages);
  std::string payload = "{\"model\":" + Json(options_.model).dump() +
                        ",\"messages\":[" + connection_->messages_json + "]}";
  httplib::Client& client = connection_->client;
  SetTimeout(options_.connect_timeout_seconds, [&](time_t s, time_t us) {
    client.set_connection_timeout(s, us);
  });
  SetTimeout(options_.read_timeout_seconds,
             [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  SetTimeout(options_.read_timeout_seconds,
             [&](time_t s, time_t us) { client.set_write_timeout(s, us); });

  LlmReply reply;
  double first = MonotonicSeconds();
  for (int attempt = 1;; ++attempt) {
    httplib::Result res =
        client.Post("/v1/chat/completions", payload, "application/json");
    if (!res) {
      reply.error = Describe(res.error());
      bool may_retry =
          IsConnectFailure(res.error()) &&
          attempt < options_.connect_attempts &&
          MonotonicSeconds() + options_.retry_pause_seconds - first <=
              options_.retry_window_seconds;
      if (!may_retry) return reply;
      SleepSeconds(options_.retry_pause_seconds);
      continue;
    }
    if (res->status != 200) {
      reply.error = "HTTP " + std::to_string(res->status) + ": " +
                    res->body.substr(0, 300);
      return reply;
    }
    Json response = Json::parse(res->body, nullptr, false);
    if (response.is_discarded()) {
      reply.error = "the response is not JSON: " + res->body.substr(0, 300);
      return reply;
    }
    const Json* content = nullptr;
    if (response.contains("choices") && response["choices"].is_array() &&
        !response["choices"].empty()) {
      const Json& choice = response["choices"][0];
      if (choice.is_object() && choice.contains("message") &&
          choice["message"].is_object() &&
          choice["message"].contains("content"))
        content = &choice["message"]["content"];
    }
    if (content == nullptr || !content->is_string()) {
      reply.error =
          "the response has no string at choices[0].message.content: " +
          res->body.substr(0, 300);
      return reply;
    }
    reply.ok = true;
    reply.content = content->get<std::string>();
    return reply;
  }
}

}  // namespace redline
