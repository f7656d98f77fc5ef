#include "world/ssh_access.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "base/clock.h"
#include "base/files.h"
#include "device/device.h"
#include "device/device_files.h"
#include "device/proc.h"
#include "world/host_tool.h"

namespace redline {
namespace {

constexpr char kSshKeygen[] = "/usr/bin/ssh-keygen";
constexpr char kSshd[] = "/usr/sbin/sshd";

// sshd runs unprivileged (no privilege separation chroot, no PAM), so only
// its own user can log in, with the one key; the rest is what a hosted
// instance's sshd offers (sftp for scp, rsync over ssh, forwarding).
std::string ServerConfig(const std::string& address, int port) {
  std::string dir = kSshConfigDevicePath;
  return "Port " + std::to_string(port) + "\n" +
         "ListenAddress " + address + "\n" +
         "HostKey " + dir + "/ssh_host_ed25519_key\n" +
         "AuthorizedKeysFile " + dir + "/authorized_keys\n" +
         "PidFile none\n"
         "StrictModes no\n"
         "UsePAM no\n"
         "PasswordAuthentication no\n"
         "KbdInteractiveAuthentication no\n"
         "PubkeyAuthentication yes\n"
         "PermitRootLogin no\n"
         "X11Forwarding no\n"
         "PrintMotd no\n"
         "Subsystem sftp internal-sftp\n";
}

void KeyPair(const std::string& path, const std::string& comment) {
  RunHostTool({kSshKeygen, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path});
}

}  // namespace

std::unique_ptr<SshAccess> SshAccess::Prepare(const std::string& config_dir,
                                              const std::string& address, int port,
                                              const std::string& user) {
  std::unique_ptr<SshAccess> ssh(new SshAccess);
  ssh->config_dir_ = config_dir;
  ssh->address_ = address;
  ssh->port_ = port;
  ssh->user_ = user;
  MakeDirs(config_dir);
  std::string client = config_dir + "/../client_key";
  KeyPair(config_dir + "/ssh_host_ed25519_key", "target");
  KeyPair(client, "resource-service");
  ssh->private_key_ = ReadFile(client);
  std::filesystem::copy_file(client + ".pub", config_dir + "/authorized_keys",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(client);
  std::filesystem::remove(client + ".pub");
  WriteFileAtomic(config_dir + "/sshd_config", ServerConfig(address, port));
  // The device's clients read these as the host's ssh would.
  for (const char* name : {"ssh_config", "moduli"})
    if (std::filesystem::exists(std::string("/etc/ssh/") + name))
      std::filesystem::copy_file(std::string("/etc/ssh/") + name,
                                 config_dir + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
  for (const auto& entry : std::filesystem::directory_iterator(config_dir))
    ::chmod(entry.path().c_str(), 0644);
  // sshd refuses a host key its own user could let others read.
  ::chmod((config_dir + "/ssh_host_ed25519_key").c_str(), 0600);
  ::chmod(config_dir.c_str(), 0755);
  GiveToDevice(config_dir);
  return ssh;
}

pid_t SshAccess::Start(Device& device, const std::string& device_home,
                       const std::string& log_path, double timeout_seconds) {
  pid_t pid = device.Spawn(SpawnRequest{
      {kSshd, "-D", "-e", "-f", std::string(kSshConfigDevicePath) + "/sshd_config"},
      "",
      log_path});
  double deadline = MonotonicSeconds() + timeout_seconds;
  std::string relative = log_path.substr(std::string(kDeviceHome).size() + 1);
  while (MonotonicSeconds() < deadline) {
    for (const Listener& l : ReadListeners(device.InitPid(), {pid}))
      if (l.port == port_ && !l.pids.empty()) return pid;
    if (!ProcessAlive(pid)) break;
    SleepSeconds(0.01);
  }
  std::optional<std::string> log = ReadDeviceFileTail(device_home, relative, 600);
  throw std::runtime_error("sshd in the target did not listen on port " +
                           std::to_string(port_) + ": " +
                           (log ? *log : std::string("(no output)")));
}

}  // namespace redline
