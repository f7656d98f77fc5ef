#include "broker/broker.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcntl.h>
#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/error.h"
#include "base/random.h"
#include "llm/chat_wire.h"
#include "system/weight_challenge.h"

namespace redline {
namespace {

using nlohmann::json;

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

// Text from a device (or a parser quoting it) may be broken UTF-8, which
// dump() would throw on: it is replaced instead.
std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Refusal(const std::string& why) {
  return Dump(json{{"ok", false}, {"error", why}});
}

// Large request buffers come from mmap, so freeing one gives its memory
// back to the system at once: without this glibc raises its threshold after
// the first big free and keeps what a flood of big requests used.
void ReturnBigBuffersToTheSystem() {
  static std::once_flag once;
  std::call_once(once, [] { ::mallopt(M_MMAP_THRESHOLD, 256 * 1024); });
}

// Bounds a copy of device-sent text kept in memory or written to disk.
std::string Head(const std::string& text, size_t max_bytes) {
  return text.size() <= max_bytes ? text : text.substr(0, max_bytes);
}

pid_t PeerPid(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return 0;
  return cred.pid;
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
// only these keeps memory linear in the number of calls, not quadratic; and
// only their heads (a code word and the task come first), so a device
// cannot make the broker keep what it sends.
std::string UserText(const std::vector<Message>& messages, size_t max_each) {
  const Message* first = nullptr;
  const Message* last = nullptr;
  for (const Message& m : messages) {
    if (m.role != "user") continue;
    if (!first) first = &m;
    last = &m;
  }
  if (!first) return "";
  return first == last ? Head(first->content, max_each)
                       : Head(first->content, max_each) + "\n" +
                             Head(last->content, max_each);
}

// Kept of each call's user text while the notes are small, and once they
// hold kNotesBytes (a flood of valid calls): the opening of a probe's
// message, which holds its code word, still fits.
constexpr size_t kNoteTextBytes = 64 * 1024;
constexpr size_t kNotesBytes = 32u << 20;
constexpr size_t kNoteTextBytesWhenFull = 1024;
// Refused requests kept for the code-word search: enough for every probe,
// bounded against a flood.
constexpr size_t kMaxRefusedNotes = 256;

// A content field of a transcript record, cut to `max_bytes`; the record
// says how much was cut.
json LoggedContent(const std::string& content, size_t max_bytes, json* record,
                   const char* cut_key) {
  if (content.size() <= max_bytes) return content;
  (*record)[cut_key] = (*record).value(cut_key, 0LL) +
                       static_cast<long long>(content.size() - max_bytes);
  // Cut at a UTF-8 character boundary: dump() refuses broken UTF-8.
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(content[end]) & 0xC0) == 0x80) --end;
  return content.substr(0, end);
}

}  // namespace

Broker::Broker(const std::string& socket_path, Model& model,
               JsonlWriter& transcript, long token_budget,
               const BrokerLimits& limits)
    : socket_path_(socket_path), model_(model), token_budget_(token_budget),
      limits_(limits),
      transcript_(transcript, limits.max_transcript_bytes),
      memory_(limits.max_bytes_in_flight),
      rate_(limits.rate_burst, limits.rate_per_second) {
  ReturnBigBuffersToTheSystem();
  server_ = std::make_unique<BoundedServer>(
      ListenUnix(socket_path), limits_.max_connections,
      [this](UniqueFd conn) {
        pid_t peer = PeerPid(conn.get());
        Serve(std::move(conn), peer);
      },
      [this](UniqueFd conn) { RefuseConnection(std::move(conn)); });
}

Broker::~Broker() {
  server_.reset();
  FlushRefusals();
  ::unlink(socket_path_.c_str());
}

// Never blocks: the accepting thread must get back to accepting. The
// refusal fits in an empty socket buffer; if the peer's is full, it gets
// only the close.
void Broker::RefuseConnection(UniqueFd conn) {
  const std::string line =
      Refusal("the model backend is busy: this device has " +
              std::to_string(limits_.max_connections) +
              " connections open already; try again") + "\n";
  // Counted before the peer can read the refusal, so that whoever has read
  // it also sees it counted.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.refused_connections;
  }
  (void)!::send(conn.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  NoteRefusal("connections over the limit");
}

LineRead Broker::ReadLine(int fd, BudgetHold& memory, std::string* line) {
  LineReadOptions options;
  options.stall_seconds = limits_.stall_seconds;
  options.grace_seconds = limits_.grace_seconds;
  options.min_bytes_per_second = limits_.min_bytes_per_second;
  options.reserve = [&memory](size_t n) { return memory.Take(n); };
  LineRead got = ReadLineBounded(fd, limits_.max_request_bytes,
                                 MonotonicSeconds() + limits_.request_seconds,
                                 line, options);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.bytes_received += static_cast<long long>(line->size());
  }
  if (got == LineRead::kLine) return got;
  // A peer that connected and closed without a byte asked nothing.
  if (got == LineRead::kClosed && line->empty()) return got;
  std::string why = LineReadText(got);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (got == LineRead::kTooLong) ++stats_.refused_too_large;
    else if (got == LineRead::kNoMemory) ++stats_.refused_busy;
    else ++stats_.dropped_slow;
  }
  NoteRefusal(why);
  if (got == LineRead::kTooLong)
    why += " (over " + std::to_string(limits_.max_request_bytes) + " bytes)";
  // Its memory goes before the answer: the peer may not read it.
  line->clear();
  line->shrink_to_fit();
  WriteLineBounded(fd, Refusal("request refused: " + why), MonotonicSeconds() + 1);
  return got;
}

void Broker::Serve(UniqueFd conn, pid_t peer) {
  BudgetHold memory(memory_);
  std::string request;
  if (ReadLine(conn.get(), memory, &request) != LineRead::kLine) return;
  if (IsAttestRequest(request)) {
    Attest(conn.get(), memory, peer);
    return;
  }
  // Handling holds the parsed messages, the answer and its transcript
  // record beside the request line: about three times its size more.
  if (!memory.Take(3 * request.size())) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.refused_busy;
    }
    NoteRefusal(LineReadText(LineRead::kNoMemory));
    WriteLineBounded(conn.get(),
                     Refusal(std::string("request refused: ") +
                             LineReadText(LineRead::kNoMemory) + "; try again"),
                     MonotonicSeconds() + 1);
    return;
  }
  std::string answer = Handle(request, peer);
  WriteLineBounded(conn.get(), answer, MonotonicSeconds() + limits_.request_seconds);
}

void Broker::Attest(int fd, BudgetHold& memory, pid_t peer) {
  Admission* admission = admission_.load();
  double deadline = MonotonicSeconds() + limits_.request_seconds;
  std::string why;
  std::optional<WeightChallenge> challenge =
      admission ? admission->Challenge(peer, &why)
                : WeightChallenge{RandomToken(32), {}};  // no rules: admit all
  if (!challenge) {
    NoteRefusal("attestations refused");
    WriteLineBounded(fd, Refusal(why), deadline);
    return;
  }
  if (!WriteLineBounded(fd, ChallengeLine(*challenge), deadline)) return;
  std::string line;
  if (ReadLine(fd, memory, &line) != LineRead::kLine) return;
  std::optional<std::string> answer = ParseAnswerLine(line);
  bool ok = !admission || (answer && admission->Verify(peer, *answer, &why));
  if (admission && !answer) why = "the answer to the weight challenge is unreadable";
  transcript_.Append(json{{"type", "attestation"}, {"t", IsoTimestamp()}, {"pid", peer},
                          {"admitted", ok}, {"reason", why}}.dump());
  WriteLineBounded(fd, ok ? std::string(R"({"ok":true})") : Refusal(why), deadline);
}

void Broker::SetAdmission(AdmissionRules rules) {
  admission_owner_ = std::make_unique<Admission>(std::move(rules));
  admission_ = admission_owner_.get();
}

void Broker::Watch(const std::string& needle) {
  std::lock_guard<std::mutex> lock(mutex_);
  watched_.push_back({needle, {}});
}

void Broker::NoteClients(pid_t peer, const std::string& text) {
  std::vector<size_t> hits;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < watched_.size(); ++i)
      if (text.find(watched_[i].needle) != std::string::npos) hits.push_back(i);
  }
  if (hits.empty()) return;
  // Read while the sender's client waits for this very answer.
  std::vector<pid_t> clients = admission_.load()->ClientsOf(peer);
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i : hits)
    for (pid_t pid : clients)
      if (std::find(watched_[i].clients.begin(), watched_[i].clients.end(), pid) ==
          watched_[i].clients.end())
        watched_[i].clients.push_back(pid);
}

std::vector<pid_t> Broker::ClientsOf(const std::string& needle) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Watched& w : watched_)
    if (w.needle == needle) return w.clients;
  return {};
}

std::vector<pid_t> Broker::RefusedSendersOf(const std::string& needle) const {
  std::vector<pid_t> pids;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const CallNote& note : refused_notes_)
    if (note.text.find(needle) != std::string::npos &&
        std::find(pids.begin(), pids.end(), note.pid) == pids.end())
      pids.push_back(note.pid);
  return pids;
}

void Broker::NoteRefusal(const std::string& why) {
  std::lock_guard<std::mutex> lock(refusal_mu_);
  ++refusals_[why];
  if (MonotonicSeconds() - last_summary_ < 1) return;
  last_summary_ = MonotonicSeconds();
  json record = {{"type", "broker_refusals"}, {"t", IsoTimestamp()},
                 {"counts", refusals_}};
  refusals_.clear();
  transcript_.Append(record.dump());
}

void Broker::FlushRefusals() {
  std::lock_guard<std::mutex> lock(refusal_mu_);
  if (refusals_.empty()) return;
  json record = {{"type", "broker_refusals"}, {"t", IsoTimestamp()},
                 {"counts", refusals_}};
  refusals_.clear();
  transcript_.Append(record.dump());
}

std::string Broker::Handle(const std::string& request, pid_t peer) {
  std::vector<Message> messages;
  try {
    messages = ParseWireChat(request).messages;
  } catch (const std::exception& e) {
    return Dump(json{{"ok", false}, {"error", std::string("bad request: ") + e.what()}});
  }
  if (Admission* admission = admission_.load()) {
    std::string why;
    if (!admission->Serves(peer, &why)) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (refused_notes_.size() < kMaxRefusedNotes)
          refused_notes_.push_back({peer, UserText(messages, kNoteTextBytes)});
      }
      NoteRefusal("requests from processes that did not pass the weight challenge");
      return Refusal(why);
    }
    NoteClients(peer, UserText(messages, kNoteTextBytes));
  }
  if (!rate_.TryTake()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.refused_rate_limited;
    }
    NoteRefusal("valid requests over the rate limit");
    return Refusal("rate limit: more than " +
                   std::to_string(static_cast<int>(limits_.rate_per_second)) +
                   " requests a second (bursts of " +
                   std::to_string(static_cast<int>(limits_.rate_burst)) +
                   ") from this device; try again");
  }
  if (OverBudget())
    return json{{"ok", false},
                {"error", "token budget of " + std::to_string(token_budget_) +
                              " tokens for this trial is spent"}}.dump();
  double start = MonotonicSeconds();
  try {
    Completion reply = model_.Complete(messages);
    Record(peer, UserText(messages, kNoteTextBytes), reply, true, MonotonicSeconds() - start);
    LogCall(peer, messages, reply, "", MonotonicSeconds() - start);
    return Dump(json{{"ok", true}, {"content", reply.content},
                     {"prompt_tokens", reply.prompt_tokens},
                     {"completion_tokens", reply.completion_tokens}});
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stats_.first_error.empty()) stats_.first_error = e.what();
    }
    Record(peer, UserText(messages, kNoteTextBytes), {}, false, MonotonicSeconds() - start);
    LogCall(peer, messages, {}, e.what(), MonotonicSeconds() - start);
    return Dump(json{{"ok", false}, {"error", e.what()}});
  }
}

void Broker::Record(pid_t peer, const std::string& text, const Completion& reply,
                    bool ok, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  notes_.push_back({peer, note_bytes_ < kNotesBytes
                              ? text : Head(text, kNoteTextBytesWhenFull)});
  note_bytes_ += notes_.back().text.size();
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
  json cut = json::object();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t& logged = logged_[conversation];
    for (size_t i = logged; i < messages.size(); ++i)
      fresh.push_back({{"role", Head(messages[i].role, 64)},
                       {"content", LoggedContent(messages[i].content,
                                                 limits_.max_logged_content_bytes,
                                                 &cut, "content_cut_bytes")}});
    logged = messages.size() + (error.empty() ? 1 : 0);
  }
  json record = {{"type", "model_call"}, {"t", IsoTimestamp()},
                 {"peer_pid", peer}, {"conversation", conversation},
                 {"turn", messages.size()}, {"new_messages", fresh},
                 {"latency_s", seconds}};
  if (error.empty()) {
    record["response"] = LoggedContent(reply.content, limits_.max_logged_content_bytes,
                                       &cut, "response_cut_bytes");
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
  record.update(cut);
  // Broken UTF-8 from the device is replaced, never a reason to lose the record.
  transcript_.Append(Dump(record));
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
  BrokerStats stats;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats = stats_;
  }
  stats.peak_connections = server_ ? server_->PeakBusy() : 0;
  stats.peak_bytes_in_flight = static_cast<long long>(memory_.Peak());
  stats.transcript_truncated = transcript_.Truncated();
  return stats;
}

}  // namespace redline
