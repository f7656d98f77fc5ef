// Accepts connections on a listening socket and serves at most a fixed
// number at once, each on a worker thread of a pool that never grows past
// that number. A connection beyond the limit is handed to `refuse` on the
// accepting thread (which must answer without blocking and close it), so a
// device that opens hundreds of connections costs the harness a few fds
// and no threads.
#ifndef REDLINE_BROKER_BOUNDED_SERVER_H_
#define REDLINE_BROKER_BOUNDED_SERVER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/unique_fd.h"

namespace redline {

class BoundedServer {
 public:
  using Handler = std::function<void(UniqueFd conn)>;

  /// Starts accepting on `listen_fd` (a listening socket). `serve` runs on
  /// a worker for each connection taken up; `refuse` on the accepting
  /// thread for each one over `max_connections`. Throws SystemError.
  BoundedServer(UniqueFd listen_fd, int max_connections, Handler serve,
                Handler refuse);
  /// Stops accepting, then waits for the connections being served.
  ~BoundedServer();
  BoundedServer(const BoundedServer&) = delete;
  BoundedServer& operator=(const BoundedServer&) = delete;

  /// Connections being served now, and the most at once so far.
  int Busy() const;
  int PeakBusy() const;
  /// Worker threads started so far (at most max_connections).
  int Workers() const;

 private:
  void AcceptLoop();
  void WorkerLoop();
  /// Hands `conn` to a worker; false if all max_connections_ are busy.
  bool Dispatch(UniqueFd& conn);

  const int max_connections_;
  Handler serve_, refuse_;
  UniqueFd listen_fd_;
  UniqueFd wake_read_, wake_write_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<UniqueFd> queue_;        // guarded by mutex_
  int busy_ = 0;                      // queued or being served; mutex_
  int peak_busy_ = 0;                 // mutex_
  bool stopping_ = false;             // mutex_
  std::vector<std::thread> workers_;  // mutex_; joined by the destructor
  std::thread acceptor_;
};

}  // namespace redline

#endif  // REDLINE_BROKER_BOUNDED_SERVER_H_
