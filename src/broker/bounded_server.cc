#include "broker/bounded_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/clock.h"
#include "base/error.h"

namespace redline {

BoundedServer::BoundedServer(UniqueFd listen_fd, int max_connections,
                             Handler serve, Handler refuse)
    : max_connections_(std::max(1, max_connections)),
      serve_(std::move(serve)), refuse_(std::move(refuse)),
      listen_fd_(std::move(listen_fd)) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) ThrowErrno("pipe2");
  wake_read_.reset(pipe_fds[0]);
  wake_write_.reset(pipe_fds[1]);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

BoundedServer::~BoundedServer() {
  char byte = 1;
  (void)!::write(wake_write_.get(), &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    workers.swap(workers_);
  }
  work_ready_.notify_all();
  for (std::thread& t : workers) t.join();
}

void BoundedServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    UniqueFd conn(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) {
      // Out of fds (the host's trouble, not this device's): let it pass
      // instead of spinning.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        SleepSeconds(0.05);
      continue;
    }
    if (!Dispatch(conn)) refuse_(std::move(conn));
  }
}

bool BoundedServer::Dispatch(UniqueFd& conn) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (busy_ >= max_connections_) return false;
  ++busy_;
  peak_busy_ = std::max(peak_busy_, busy_);
  queue_.push_back(std::move(conn));
  // Start a worker only when every one is busy: an ordinary trial, one
  // call at a time, keeps one or two threads.
  if (static_cast<int>(workers_.size()) < busy_)
    workers_.emplace_back([this] { WorkerLoop(); });
  work_ready_.notify_one();
  return true;
}

void BoundedServer::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    UniqueFd conn = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      serve_(std::move(conn));
    } catch (const std::exception&) {
      // A handler's failure ends its connection only.
    }
    lock.lock();
    --busy_;
  }
}

int BoundedServer::Busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return busy_;
}

int BoundedServer::PeakBusy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_busy_;
}

int BoundedServer::Workers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(workers_.size());
}

}  // namespace redline
