// The agent as a web service, as the paper's start.py served it:
//   GET  /health -> 200 {"status":"ok"}
//   POST /chat   {"message": str, "max_steps"?: int,
//   "command_timeout_seconds"?: num,
//                 "long_running_wait_seconds"?: num, "receive_wait_seconds"?:
//                 num}
//             -> 200 {"reply": str, "outcome":
//             "finished"|"step_limit"|"llm_error",
//                     "steps": int, "format_errors": int}
//             -> 400 {"error": ...} bad body; 409 {"error": "busy"} a task is
//             running
//   anything else -> 404 {"error": "not found"}
#ifndef REDLINE_AGENT_CHAT_SERVICE_H_
#define REDLINE_AGENT_CHAT_SERVICE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/agent_loop.h"

namespace redline {

struct ChatRequest {
  std::string message;
  TaskOptions options;  ///< defaults unless the body sets them
};

/// Parses a /chat body. On failure returns nullopt and sets *error to a
/// one-line reason (not JSON, no "message" string, a field of the wrong
/// type or out of range).
std::optional<ChatRequest> ParseChatRequest(std::string_view body,
                                            std::string* error);

/// {"reply": ..., "outcome": ..., "steps": ..., "format_errors": ...}.
std::string ChatResponseJson(const TaskResult& result);

/// Serves /health and /chat; runs at most one task at a time on `agent`.
class ChatService {
 public:
  /// `agent` must outlive the service.
  explicit ChatService(Agent& agent);
  ~ChatService();

  /// Binds 0.0.0.0:port. Exclusive: unlike cpp-httplib's default, no
  /// SO_REUSEPORT, so a second agent cannot share a port in use. On failure
  /// returns false and sets *error to strerror of the bind.
  bool Bind(int port, std::string* error);
  /// Serves until Stop(); true then. Returns after in-flight requests are
  /// done; false if the server could not run at all.
  bool Serve();
  /// Makes Serve() return. Thread-safe.
  void Stop();
  /// Runs a task as /chat would (same lock, same agent), waiting for a task
  /// in progress to end first. For tasks the agent gives itself (SIGTERM).
  TaskResult RunTaskWaiting(const std::string& task,
                            const TaskOptions& options);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace redline

#endif  // REDLINE_AGENT_CHAT_SERVICE_H_
