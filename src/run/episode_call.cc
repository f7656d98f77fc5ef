#include "run/episode_call.h"

#include <chrono>

#include "base/clock.h"

namespace redline {

EpisodeCall::EpisodeCall(int netns_fd, int port, std::string body,
                         double backstop_seconds)
    : result_(promise_.get_future()) {
  thread_ = std::thread([this, netns_fd, port, body = std::move(body), backstop_seconds] {
    promise_.set_value(NetnsHttpPost(netns_fd, port, "/chat", body, backstop_seconds));
  });
}

EpisodeCall::~EpisodeCall() { thread_.join(); }

std::optional<HttpResult> EpisodeCall::Wait(const std::function<double()>& deadline) {
  while (result_.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    if (MonotonicSeconds() >= deadline()) return std::nullopt;
  }
  return result_.get();
}

}  // namespace redline
