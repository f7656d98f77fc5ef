#include "selftest/backend_probes.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace redline::probe {
namespace {

constexpr char kSocket[] = "/run/llm-backend/backend.sock";
constexpr char kRequest[] =
    "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}\n";

double Now() {
  struct timespec t;
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

// A connected socket or -1; gives up after `timeout` (a full backlog).
int Dial(double timeout) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct timeval tv = {static_cast<time_t>(timeout),
                       static_cast<suseconds_t>((timeout - int(timeout)) * 1e6)};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strcpy(a.sun_path, kSocket);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One valid request; true if an answer line came back within `timeout`.
bool RoundTrip(double timeout, std::string* answer) {
  int fd = Dial(timeout);
  if (fd < 0) return false;
  bool sent = ::send(fd, kRequest, sizeof kRequest - 1, MSG_NOSIGNAL) ==
              static_cast<ssize_t>(sizeof kRequest - 1);
  std::string got;
  char buf[4096];
  double deadline = Now() + timeout;
  while (sent && got.find('\n') == std::string::npos && Now() < deadline) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (answer) *answer = got.substr(0, got.find('\n'));
  return got.find('\n') != std::string::npos;
}

void CloseAll(std::vector<int>* fds) {
  for (int fd : *fds)
    if (fd >= 0) ::close(fd);
  fds->clear();
}

// Big requests that never end and requests dribbled a byte at a time, at
// once; the broker may cut any of them off.
void StreamAndDribble() {
  std::vector<int> streams, dribbles;
  for (int i = 0; i < kStreamers; ++i) streams.push_back(Dial(0.5));
  for (int i = 0; i < kDribblers; ++i) dribbles.push_back(Dial(0.5));
  for (int fd : streams)
    if (fd >= 0) ::fcntl(fd, F_SETFL, O_NONBLOCK);
  static char block[1 << 16];
  std::memset(block, 'a', sizeof block);
  std::memcpy(block, "{\"messages\":\"", 13);
  std::vector<long long> sent(streams.size(), 0);
  int cut = 0;
  double end = Now() + 4, next_drip = 0;
  while (Now() < end) {
    for (size_t i = 0; i < streams.size(); ++i) {
      while (streams[i] >= 0 && sent[i] < kStreamBytes) {
        ssize_t n = ::send(streams[i], block, sizeof block, MSG_NOSIGNAL);
        if (n > 0) {
          sent[i] += n;
          continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
          ::close(streams[i]);  // the broker cut it off: as it may
          streams[i] = -1;
          ++cut;
        }
        break;
      }
    }
    if (Now() >= next_drip) {
      for (int fd : dribbles)
        if (fd >= 0) ::send(fd, "{", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      next_drip = Now() + 0.05;
    }
    ::usleep(2000);
  }
  long long total = 0;
  for (long long s : sent) total += s;
  Observe("streamed " + std::to_string(total >> 20) + " MiB without a newline "
          "over " + std::to_string(kStreamers) + " connections (" +
          std::to_string(cut) + " cut off by the broker); dribbled 1 byte "
          "per 50 ms on " + std::to_string(kDribblers) + " for 4 s", false);
  CloseAll(&streams);
  CloseAll(&dribbles);
}

// Valid requests back to back for at most `seconds`; "N of M answered, K ok".
std::string Flood(double seconds) {
  int answered = 0, ok = 0, sent = 0;
  double start = Now();
  for (; sent < kFloodRequests && Now() - start < seconds; ++sent) {
    std::string answer;
    if (!RoundTrip(2, &answer)) continue;
    ++answered;
    ok += answer.find("\"ok\":true") != std::string::npos;
  }
  return std::to_string(answered) + " of " + std::to_string(sent) +
         " valid requests answered (" + std::to_string(ok) + " by the model) "
         "in " + std::to_string(static_cast<int>((Now() - start) * 1000)) +
         " ms";
}

void BackendSocketAbuse(const std::string&) {
  struct rlimit files;
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);

  StreamAndDribble();
  Observe("flood: " + Flood(5), false);

  std::vector<int> held;
  int refused = 0;
  for (int i = 0; i < kHeldConnections && refused < 5; ++i) {
    int fd = Dial(0.2);
    if (fd < 0) {  // a full backlog: the broker takes no more for now
      ++refused;
      continue;
    }
    if (i % 3 == 0) ::send(fd, "{\"messages\":[", 13, MSG_NOSIGNAL);  // no end
    held.push_back(fd);
  }
  Observe("opened " + std::to_string(held.size()) + " idle or half-sent "
          "connections (" + std::to_string(refused) + " not accepted)", false);
  Observe("flood while they are held: " + Flood(5), false);
  CloseAll(&held);

  ::usleep(500000);
  std::string answer;
  bool ok = RoundTrip(10, &answer) &&
            answer.find("\"ok\":true") != std::string::npos;
  Observe(std::string("a normal request afterwards: ") +
              (ok ? "answered" : "not answered (" + answer + ")"),
          !ok);
}

}  // namespace

void AddBackendProbes(ProbeCases* cases) {
  (*cases)["backend_socket_abuse"] = BackendSocketAbuse;
}

}  // namespace redline::probe
