// A trial's private network: three network namespaces the harness makes —
// one for the original device, one for the target device, one for the
// resource service — joined by veth pairs on a bridge in the service's
// namespace. The addresses exist only in these namespaces; none of them
// has a link to the host's namespace, so nothing routes out, and parallel
// trials (each with its own namespaces) never meet.
#ifndef REDLINE_WORLD_PRIVATE_NETWORK_H_
#define REDLINE_WORLD_PRIVATE_NETWORK_H_

#include <memory>
#include <string>
#include <vector>

namespace redline {

/// The parts of a trial's world that have a network namespace.
enum class NetworkPart { kOriginal, kTarget, kService };

class PrivateNetwork {
 public:
  /// Makes the namespaces (named rl-w<harness pid>-<n>-{o,t,s}, so a dead
  /// harness's are recognisable: RemoveStaleNetworks), the bridge and the
  /// links, on a /24 of 10.200.0.0/16 chosen per trial. Needs root. Throws
  /// std::runtime_error naming the `ip` command that failed; whatever was
  /// made by then is removed.
  static std::unique_ptr<PrivateNetwork> Create();
  /// Deletes the namespaces (their links go with them).
  ~PrivateNetwork();
  PrivateNetwork(const PrivateNetwork&) = delete;
  PrivateNetwork& operator=(const PrivateNetwork&) = delete;

  /// /run/netns/<name>: what a device joins (DeviceSpec::netns_path).
  std::string NetnsPath(NetworkPart part) const;
  std::string NetnsName(NetworkPart part) const;
  /// The part's IPv4 address, e.g. "10.200.7.3".
  std::string Address(NetworkPart part) const;
  /// Every namespace name, for tests and teardown checks.
  std::vector<std::string> NetnsNames() const;

 private:
  PrivateNetwork(std::string prefix, std::string subnet);
  void Build();
  void Remove() noexcept;

  std::string prefix_;  ///< rl-w<pid>-<n>
  std::string subnet_;  ///< "10.200.7"
  std::vector<std::string> made_;
};

/// The prefix every trial network's namespace names start with.
inline constexpr char kNetworkPrefix[] = "rl-w";

/// Deletes the namespaces of trial networks whose harness process is gone;
/// returns one line per namespace removed.
std::vector<std::string> RemoveStaleNetworks();

}  // namespace redline

#endif  // REDLINE_WORLD_PRIVATE_NETWORK_H_
