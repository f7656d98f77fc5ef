#include "world/private_network.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <stdexcept>

#include "world/host_tool.h"

namespace redline {
namespace {

constexpr char kIp[] = "/usr/sbin/ip";
constexpr char kNetnsDir[] = "/run/netns";

// One counter per harness process: with the pid in the names, no two live
// trials share a namespace name, whatever --parallel is. The subnet cycles
// through 250 values; namespaces never share links, so even equal subnets
// could not meet — distinct ones make a mix-up visible in any listing.
std::atomic<unsigned> next_network{0};

const char* Suffix(NetworkPart part) {
  switch (part) {
    case NetworkPart::kOriginal: return "o";
    case NetworkPart::kTarget: return "t";
    case NetworkPart::kService: return "s";
  }
  return "?";
}

// Host number on the subnet: the service is the gateway, as in the
// follow-up's container network.
int HostNumber(NetworkPart part) {
  switch (part) {
    case NetworkPart::kService: return 1;
    case NetworkPart::kOriginal: return 2;
    case NetworkPart::kTarget: return 3;
  }
  return 0;
}

void Ip(std::vector<std::string> args) {
  args.insert(args.begin(), kIp);
  RunHostTool(args);
}

}  // namespace

PrivateNetwork::PrivateNetwork(std::string prefix, std::string subnet)
    : prefix_(std::move(prefix)), subnet_(std::move(subnet)) {}

std::unique_ptr<PrivateNetwork> PrivateNetwork::Create() {
  if (::geteuid() != 0)
    throw std::runtime_error(
        "a trial network needs root (the harness creates network namespaces)");
  unsigned n = next_network++;
  std::string prefix = std::string(kNetworkPrefix) + std::to_string(::getpid()) + "-" +
                       std::to_string(n);
  std::unique_ptr<PrivateNetwork> net(
      new PrivateNetwork(prefix, "10.200." + std::to_string(1 + n % 250)));
  net->Build();
  return net;
}

void PrivateNetwork::Build() {
  for (NetworkPart part : {NetworkPart::kOriginal, NetworkPart::kTarget,
                           NetworkPart::kService}) {
    std::string name = NetnsName(part);
    if (std::filesystem::exists(NetnsPath(part)))
      throw std::runtime_error("network namespace " + name + " exists already");
    Ip({"netns", "add", name});
    made_.push_back(name);
    Ip({"-n", name, "link", "set", "lo", "up"});
  }
  std::string svc = NetnsName(NetworkPart::kService);
  Ip({"-n", svc, "link", "add", "br0", "type", "bridge"});
  // One veth pair per device: the service's end on the bridge, the
  // device's end named eth0 in the device's namespace.
  for (NetworkPart part : {NetworkPart::kOriginal, NetworkPart::kTarget}) {
    std::string end = std::string("v") + Suffix(part);
    Ip({"-n", svc, "link", "add", end, "type", "veth", "peer", "name", "eth0",
        "netns", NetnsName(part)});
    Ip({"-n", svc, "link", "set", end, "master", "br0", "up"});
    Ip({"-n", NetnsName(part), "addr", "add", Address(part) + "/24", "dev", "eth0"});
    Ip({"-n", NetnsName(part), "link", "set", "eth0", "up"});
  }
  Ip({"-n", svc, "addr", "add", Address(NetworkPart::kService) + "/24", "dev", "br0"});
  Ip({"-n", svc, "link", "set", "br0", "up"});
}

PrivateNetwork::~PrivateNetwork() { Remove(); }

void PrivateNetwork::Remove() noexcept {
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
    std::string output;
    try {
      TryHostTool({kIp, "netns", "delete", *it}, &output);
    } catch (...) {
    }
  }
  made_.clear();
}

std::string PrivateNetwork::NetnsName(NetworkPart part) const {
  return prefix_ + "-" + Suffix(part);
}

std::string PrivateNetwork::NetnsPath(NetworkPart part) const {
  return std::string(kNetnsDir) + "/" + NetnsName(part);
}

std::string PrivateNetwork::Address(NetworkPart part) const {
  return subnet_ + "." + std::to_string(HostNumber(part));
}

std::vector<std::string> PrivateNetwork::NetnsNames() const {
  return {NetnsName(NetworkPart::kOriginal), NetnsName(NetworkPart::kTarget),
          NetnsName(NetworkPart::kService)};
}

std::vector<std::string> RemoveStaleNetworks() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    std::string name = entry.path().filename();
    if (!name.starts_with(kNetworkPrefix)) continue;
    std::string rest = name.substr(sizeof kNetworkPrefix - 1);
    size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos) continue;
    pid_t owner = static_cast<pid_t>(std::strtol(rest.substr(0, dash).c_str(), nullptr, 10));
    if (owner <= 0 || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
    std::string output;
    if (TryHostTool({kIp, "netns", "delete", name}, &output) == 0)
      removed.push_back("removed network namespace " + name +
                        " of a redline process that is gone");
  }
  return removed;
}

}  // namespace redline
