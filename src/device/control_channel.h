// The control channel between the harness and redline-devinit (PID 1 inside
// a device): one AF_UNIX SOCK_SEQPACKET socketpair, one message per request
// or reply, fields separated by '\0'. SEQPACKET keeps message boundaries, so
// no framing is needed.
//
//   harness → devinit   spawn\0<cwd>\0<log_path>\0<argv0>\0<argv1>…
//   devinit → harness   child                  (sent by the new process itself,
//                                               before exec; see below)
//                       ok\0<pid inside>   or   err\0<errno>\0<what failed>
//   harness → devinit   ping            devinit → harness   pong
//   devinit → harness   ready           (once, when devinit starts serving)
//   harness → devinit   status\0<pid inside>
//   devinit → harness   status\0running | status\0exited\0<code>
//                       | status\0signaled\0<signal> | status\0unknown
//                       (how a process devinit spawned ended; devinit is its
//                       parent, so only it can know)
//
// The harness end has SO_PASSCRED set, so the kernel stamps every message
// with the sender's pid translated into the harness's pid namespace: `ready`
// tells the harness devinit's host pid and `child` the spawned process's,
// with no race against a process that exits at once.
//
// Shared by devinit and the harness, so nothing here throws.
#ifndef REDLINE_DEVICE_CONTROL_CHANNEL_H_
#define REDLINE_DEVICE_CONTROL_CHANNEL_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace redline {

/// Largest message either side sends or accepts.
inline constexpr size_t kMaxControlMessage = 64 * 1024;
/// fd number of the device end of the channel in devinit.
inline constexpr int kDeviceControlFd = 3;

/// Message verbs.
inline constexpr char kMsgReady[] = "ready";
inline constexpr char kMsgPing[] = "ping";
inline constexpr char kMsgPong[] = "pong";
inline constexpr char kMsgSpawn[] = "spawn";
inline constexpr char kMsgChild[] = "child";
inline constexpr char kMsgOk[] = "ok";
inline constexpr char kMsgErr[] = "err";
inline constexpr char kMsgStatus[] = "status";
/// How many ended children devinit remembers (the oldest are forgotten).
inline constexpr size_t kMaxRememberedExits = 1024;
/// devinit → harness, unasked, just before devinit exits on a reboot
/// request: it arrives before the kernel kills the device's processes.
inline constexpr char kMsgReboot[] = "reboot";

/// devinit's exit status after a reboot or power-off request from inside
/// (SIGINT to PID 1, which the shutdown commands send); bwrap passes it on
/// as its own. Nothing else makes devinit exit with it.
inline constexpr int kDeviceRebootExitCode = 99;
/// Commands devinit replaces inside the device (it is bound over them and
/// acts on its argv[0]): they ask PID 1 to end the device.
inline constexpr const char* kShutdownCommands[] = {
    "reboot", "shutdown", "poweroff", "halt", "systemctl"};

/// Joins `fields` with '\0' into *out. Returns false (and leaves *out
/// unspecified) if there are no fields, the first is empty (an empty message
/// reads like end-of-file), a field contains '\0', or the message would be
/// longer than kMaxControlMessage.
bool EncodeFields(const std::vector<std::string>& fields, std::string* out);
/// Splits at '\0'; the inverse of EncodeFields ("a\0\0b" → {"a","","b"}).
std::vector<std::string> DecodeFields(std::string_view message);

/// One received message.
struct ControlMessage {
  std::vector<std::string> fields;
  /// Sender's pid in the receiver's pid namespace; 0 unless the receiving
  /// socket has SO_PASSCRED set.
  pid_t sender = 0;
};

/// Sends one message (MSG_NOSIGNAL, retrying EINTR). Returns 0 or an errno
/// value.
int SendControlMessage(int fd, const std::string& message);
/// Encodes and sends; EINVAL if EncodeFields refuses.
int SendControlFields(int fd, const std::vector<std::string>& fields);
/// Receives one message (blocking unless the fd is non-blocking). Returns 0,
/// EPIPE when the peer has closed its end, EMSGSIZE for an oversized
/// message, or another errno value.
int ReceiveControlMessage(int fd, ControlMessage* out);

}  // namespace redline

#endif  // REDLINE_DEVICE_CONTROL_CHANNEL_H_
