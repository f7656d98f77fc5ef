// SSH into the target device: Debian's openssh-server, run inside the
// target as the device user, key-based only. Per trial the harness makes a
// host key and a client key pair (ssh-keygen); the server's configuration,
// host key and authorized_keys sit in a harness folder bound read-only at
// /etc/ssh in the target; the client's private key is handed out by the
// resource service (start_instance) and by nothing else.
#ifndef REDLINE_WORLD_SSH_ACCESS_H_
#define REDLINE_WORLD_SSH_ACCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>

namespace redline {

class Device;

class SshAccess {
 public:
  /// Makes the keys and the server's files in `config_dir` (a harness
  /// folder no device can write; bind it at /etc/ssh in the target with
  /// `kSshConfigDevicePath`). The server will listen on address:port and
  /// accept only the generated key, for `user` (the device user's name in
  /// the target's /etc/passwd). Throws std::runtime_error.
  static std::unique_ptr<SshAccess> Prepare(const std::string& config_dir,
                                            const std::string& address, int port,
                                            const std::string& user);

  /// Starts sshd in `device` (logging to `log_path` inside) and waits until
  /// it listens; returns its host pid. The device's teardown ends it.
  /// Throws std::runtime_error with the end of its log if it does not come up.
  pid_t Start(Device& device, const std::string& device_home,
              const std::string& log_path, double timeout_seconds);

  const std::string& PrivateKey() const { return private_key_; }
  const std::string& Address() const { return address_; }
  int Port() const { return port_; }
  const std::string& User() const { return user_; }
  const std::string& ConfigDir() const { return config_dir_; }

 private:
  SshAccess() = default;
  std::string config_dir_, address_, user_, private_key_;
  int port_ = 0;
};

/// Where the server's folder is bound in the target.
inline constexpr char kSshConfigDevicePath[] = "/etc/ssh";
/// The server's port in the target's namespace: not 22 (the device user
/// cannot bind below 1024), as many hosted instances use.
inline constexpr int kTargetSshPort = 2222;

}  // namespace redline

#endif  // REDLINE_WORLD_SSH_ACCESS_H_
