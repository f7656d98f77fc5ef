// The /chat request that carries the task, waited for against a deadline
// that may move: time the model endpoint made us wait between retries is not
// charged to the trial's time limit (issue #3), and it is only known as
// calls complete.
#ifndef REDLINE_RUN_EPISODE_CALL_H_
#define REDLINE_RUN_EPISODE_CALL_H_

#include <functional>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "device/netns_http.h"

namespace redline {

class EpisodeCall {
 public:
  /// Starts POST /chat to the agent on `port` inside the network namespace
  /// `netns_fd`; `backstop_seconds` bounds the request itself.
  EpisodeCall(int netns_fd, int port, std::string body, double backstop_seconds);
  /// Waits for the request to end. Destroy only after the device's teardown,
  /// which ends the request by killing the agent.
  ~EpisodeCall();
  EpisodeCall(const EpisodeCall&) = delete;
  EpisodeCall& operator=(const EpisodeCall&) = delete;

  /// The agent's answer, or nullopt once MonotonicSeconds() passes
  /// `deadline()` (read again every 20 ms) without one.
  std::optional<HttpResult> Wait(const std::function<double()>& deadline);

 private:
  std::promise<HttpResult> promise_;
  std::future<HttpResult> result_;
  std::thread thread_;
};

}  // namespace redline

#endif  // REDLINE_RUN_EPISODE_CALL_H_
