#include "agent/chat_service.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/unique_fd.h"

namespace redline {
namespace {

using Json = nlohmann::json;

constexpr const char* kJson = "application/json";

std::string ErrorJson(const std::string& message) {
  return Json{{"error", message}}.dump(-1, ' ', false,
                                       Json::error_handler_t::replace);
}

// Reads an optional number field into *out; false (with *error) if it is
// present but not a number within [min, max].
bool OptionalNumber(const Json& body, const char* key, double min, double max,
                    double* out, std::string* error) {
  if (!body.contains(key) || body[key].is_null()) return true;
  const Json& v = body[key];
  if (!v.is_number() || v.get<double>() < min || v.get<double>() > max) {
    *error = std::string("\"") + key + "\" must be a number from " +
             std::to_string(static_cast<int>(min)) + " to " +
             std::to_string(static_cast<int>(max));
    return false;
  }
  *out = v.get<double>();
  return true;
}

// The same options as the listening socket will get, to learn why a bind
// failed (cpp-httplib does not keep errno).
int ProbeBindErrno(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno;
  int yes = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return errno;
  if (::listen(fd.get(), 1) != 0) return errno;
  return 0;
}

}  // namespace

std::optional<ChatRequest> ParseChatRequest(std::string_view body_text,
                                            std::string* error) {
  Json body = Json::parse(body_text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    *error = "the body must be a JSON object";
    return std::nullopt;
  }
  if (!body.contains("message") || !body["message"].is_string() ||
      body["message"].get<std::string>().empty()) {
    *error = "\"message\" (a non-empty string) is required";
    return std::nullopt;
  }
  ChatRequest request;
  request.message = body["message"].get<std::string>();
  if (body.contains("max_steps") && !body["max_steps"].is_null()) {
    const Json& v = body["max_steps"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 ||
        v.get<int64_t>() > 10000) {
      *error = "\"max_steps\" must be an integer from 1 to 10000";
      return std::nullopt;
    }
    request.options.max_steps = static_cast<int>(v.get<int64_t>());
  }
  Timings& t = request.options.timings;
  if (!OptionalNumber(body, "command_timeout_seconds", 0.001, 86400,
                      &t.command_timeout_seconds, error) ||
      !OptionalNumber(body, "long_running_wait_seconds", 0, 3600,
                      &t.long_running_wait_seconds, error) ||
      !OptionalNumber(body, "receive_wait_seconds", 0, 3600,
                      &t.receive_wait_seconds, error))
    return std::nullopt;
  return request;
}

std::string ChatResponseJson(const TaskResult& result) {
  nlohmann::ordered_json j = {
      {"reply", result.reply},
      {"outcome", std::string(OutcomeName(result.outcome))},
      {"steps", result.steps},
      {"format_errors", result.format_errors}};
  return j.dump(-1, ' ', false,
                nlohmann::ordered_json::error_handler_t::replace);
}

struct ChatService::Impl {
  explicit Impl(Agent& a) : agent(a) {}
  Agent& agent;
  httplib::Server server;
  /// Held while a task runs: one task at a time, the agent is not reentrant.
  std::mutex task_mutex;
  /// Guards the two flags that let Stop() and Serve() meet in any order.
  std::mutex state_mutex;
  bool stop_requested = false;
  bool serving = false;
};

ChatService::ChatService(Agent& agent) : impl_(std::make_unique<Impl>(agent)) {
  httplib::Server& server = impl_->server;
  // cpp-httplib sets SO_REUSEPORT by default, which would let a replica
  // bind the original's port and share its traffic. Plain SO_REUSEADDR
  // (restart while old connections linger) and close-on-exec instead.
  server.set_tcp_nodelay(true);  // small answers must not wait for delayed ACKs
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
  });
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"status":"ok"})", kJson);
  });
  server.Post(
      "/chat", [this](const httplib::Request& req, httplib::Response& res) {
        std::string error;
        std::optional<ChatRequest> request = ParseChatRequest(req.body, &error);
        if (!request) {
          res.status = 400;
          res.set_content(ErrorJson(error), kJson);
          return;
        }
        std::unique_lock<std::mutex> lock(impl_->task_mutex, std::try_to_lock);
        if (!lock.owns_lock()) {
          res.status = 409;
          res.set_content(ErrorJson("busy"), kJson);
          return;
        }
        TaskResult result =
            impl_->agent.RunTask(request->message, request->options);
        res.set_content(ChatResponseJson(result), kJson);
      });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(
          ErrorJson(res.status == 404
                        ? "not found"
                        : "HTTP error " + std::to_string(res.status)),
          kJson);
  });
  server.set_exception_handler([](const httplib::Request&,
                                  httplib::Response& res,
                                  std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = std::string("internal error: ") + e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(ErrorJson(what), kJson);
  });
}

ChatService::~ChatService() = default;

bool ChatService::Bind(int port, std::string* error) {
  if (impl_->server.bind_to_port("0.0.0.0", port)) return true;
  int err = ProbeBindErrno(port);
  *error = err != 0 ? std::strerror(err) : "bind failed";
  return false;
}

bool ChatService::Serve() {
  {
    std::lock_guard<std::mutex> lock(impl_->state_mutex);
    if (impl_->stop_requested) return true;
    impl_->serving = true;
  }
  bool ok = impl_->server.listen_after_bind();
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  impl_->serving = false;
  return ok;
}

void ChatService::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->state_mutex);
    impl_->stop_requested = true;
    if (!impl_->serving) return;  // Serve() will not start now
  }
  // cpp-httplib's stop() does nothing until listen has begun, so a Stop()
  // right after Serve() was entered would be lost; wait for it to begin.
  while (!impl_->server.is_running()) {
    {
      std::lock_guard<std::mutex> lock(impl_->state_mutex);
      if (!impl_->serving) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
}

TaskResult ChatService::RunTaskWaiting(const std::string& task,
                                       const TaskOptions& options) {
  std::lock_guard<std::mutex> lock(impl_->task_mutex);
  return impl_->agent.RunTask(task, options);
}

}  // namespace redline
