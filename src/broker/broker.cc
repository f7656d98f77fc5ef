#include "broker/broker.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"

namespace redline {
namespace {

using nlohmann::json;

constexpr double kReadTimeoutSeconds = 30;
constexpr size_t kMaxRequestBytes = 64u << 20;

UniqueFd ListenUnix(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) ThrowErrno("socket(AF_UNIX)");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw SystemError("bind(\"" + path + "\")", ENAMETOOLONG,
                      "use a shorter temporary directory");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    ThrowErrno("bind(\"" + path + "\")");
  if (::listen(fd.get(), 64) != 0) ThrowErrno("listen(\"" + path + "\")");
  return fd;
}

// Reads one '\n'-terminated request; "" if the peer gave up or took too long.
std::string ReadRequest(int fd) {
  std::string data;
  char buf[65536];
  double deadline = MonotonicSeconds() + kReadTimeoutSeconds;
  while (data.empty() || data.back() != '\n') {
    double left = deadline - MonotonicSeconds();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0)
      return "";
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || data.size() + n > kMaxRequestBytes) return "";
    data.append(buf, static_cast<size_t>(n));
  }
  data.pop_back();
  return data;
}

void WriteAnswer(int fd, const std::string& answer) {
  std::string line = answer + "\n";
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::send(fd, line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the llm-server went away; nothing to tell it
    done += static_cast<size_t>(n);
  }
}

pid_t PeerPid(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return 0;
  return cred.pid;
}

// Moves the strings out of the parsed request: a conversation is tens of
// kilobytes by the end of an episode, and this runs on every step.
std::vector<Message> ParseMessages(json& request) {
  std::vector<Message> messages;
  for (json& m : request.at("messages"))
    messages.push_back({std::move(m.at("role").get_ref<std::string&>()),
                        std::move(m.at("content").get_ref<std::string&>())});
  if (messages.empty()) throw std::invalid_argument("no messages");
  return messages;
}

// A conversation is named by its opening (system prompt + first user turn),
// so later calls of the same conversation log only their new messages.
std::string ConversationId(const std::vector<Message>& messages) {
  std::string opening;
  for (const Message& m : messages) {
    opening += m.role + '\0' + m.content + '\0';
    if (m.role == "user") break;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(opening));
  return buf;
}

// What the code-word search needs of a call: its first user message (a
// probe's /chat message opens its conversation) and its last one. Keeping
// only these keeps memory linear in the number of calls, not quadratic.
std::string UserText(const std::vector<Message>& messages) {
  const Message* first = nullptr;
  const Message* last = nullptr;
  for (const Message& m : messages) {
    if (m.role != "user") continue;
    if (!first) first = &m;
    last = &m;
  }
  if (!first) return "";
  return first == last ? first->content : first->content + "\n" + last->content;
}

}  // namespace

Broker::Broker(const std::string& socket_path, Model& model,
               JsonlWriter& transcript, long token_budget)
    : socket_path_(socket_path), model_(model), token_budget_(token_budget),
      transcript_(transcript),
      listen_fd_(ListenUnix(socket_path)) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) ThrowErrno("pipe2");
  wake_read_.reset(pipe_fds[0]);
  wake_write_.reset(pipe_fds[1]);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

Broker::~Broker() {
  char byte = 1;
  (void)!::write(wake_write_.get(), &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  ::unlink(socket_path_.c_str());
}

void Broker::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int conn = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    workers_.emplace_back([this, conn] { Serve(UniqueFd(conn)); });
  }
}

void Broker::Serve(UniqueFd conn) {
  pid_t peer = PeerPid(conn.get());
  std::string request = ReadRequest(conn.get());
  if (request.empty()) return;
  WriteAnswer(conn.get(), Handle(request, peer));
}

std::string Broker::Handle(const std::string& request, pid_t peer) {
  std::vector<Message> messages;
  try {
    json parsed = json::parse(request);
    messages = ParseMessages(parsed);
  } catch (const std::exception& e) {
    return json{{"ok", false}, {"error", std::string("bad request: ") + e.what()}}.dump();
  }
  if (OverBudget())
    return json{{"ok", false},
                {"error", "token budget of " + std::to_string(token_budget_) +
                              " tokens for this trial is spent"}}.dump();
  double start = MonotonicSeconds();
  try {
    Completion reply = model_.Complete(messages);
    Record(peer, UserText(messages), reply, true, MonotonicSeconds() - start);
    LogCall(peer, messages, reply, "", MonotonicSeconds() - start);
    return json{{"ok", true}, {"content", reply.content},
                {"prompt_tokens", reply.prompt_tokens},
                {"completion_tokens", reply.completion_tokens}}.dump();
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stats_.first_error.empty()) stats_.first_error = e.what();
    }
    Record(peer, UserText(messages), {}, false, MonotonicSeconds() - start);
    LogCall(peer, messages, {}, e.what(), MonotonicSeconds() - start);
    return json{{"ok", false}, {"error", e.what()}}.dump();
  }
}

void Broker::Record(pid_t peer, const std::string& text, const Completion& reply,
                    bool ok, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  notes_.push_back({peer, text});
  stats_.calls += 1;
  stats_.failed_calls += ok ? 0 : 1;
  stats_.prompt_tokens += reply.prompt_tokens;
  stats_.completion_tokens += reply.completion_tokens;
  stats_.model_seconds += seconds;
  stats_.retry_wait_seconds += reply.retry_wait_seconds;
}

void Broker::LogCall(pid_t peer, const std::vector<Message>& messages,
                     const Completion& reply, const std::string& error,
                     double seconds) {
  std::string conversation = ConversationId(messages);
  json fresh = json::array();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t& logged = logged_[conversation];
    for (size_t i = logged; i < messages.size(); ++i)
      fresh.push_back({{"role", messages[i].role}, {"content", messages[i].content}});
    logged = messages.size() + (error.empty() ? 1 : 0);
  }
  json record = {{"type", "model_call"}, {"t", IsoTimestamp()},
                 {"peer_pid", peer}, {"conversation", conversation},
                 {"turn", messages.size()}, {"new_messages", fresh},
                 {"latency_s", seconds}};
  if (error.empty()) {
    record["response"] = reply.content;
    record["prompt_tokens"] = reply.prompt_tokens;
    record["completion_tokens"] = reply.completion_tokens;
    // How the answer was got, for real providers: retries, waits, stream,
    // history compacted on a context overflow, truncation warnings.
    if (reply.retries > 0) {
      record["retries"] = reply.retries;
      record["retry_wait_s"] = reply.retry_wait_seconds;
    }
    if (reply.streamed) record["streamed"] = true;
    if (!reply.compactions.empty()) record["compactions"] = reply.compactions;
    if (!reply.warnings.empty()) record["warnings"] = reply.warnings;
  } else {
    record["error"] = error;
  }
  try {
    transcript_.Append(record.dump());
  } catch (const SystemError& e) {
    // A full disk must not take the model call down; the trial's own
    // writes will hit the same error and report it.
  }
}

std::vector<pid_t> Broker::SendersOf(const std::string& needle) const {
  std::vector<pid_t> pids;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const CallNote& note : notes_)
    if (note.text.find(needle) != std::string::npos &&
        std::find(pids.begin(), pids.end(), note.pid) == pids.end())
      pids.push_back(note.pid);
  return pids;
}

std::vector<pid_t> Broker::AllSenders() const {
  std::vector<pid_t> pids;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const CallNote& note : notes_)
    if (std::find(pids.begin(), pids.end(), note.pid) == pids.end())
      pids.push_back(note.pid);
  return pids;
}

bool Broker::OverBudget() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (token_budget_ <= 0 ||
      stats_.prompt_tokens + stats_.completion_tokens < token_budget_)
    return false;
  ++stats_.refused_over_budget;
  return true;
}

BrokerStats Broker::Stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace redline
