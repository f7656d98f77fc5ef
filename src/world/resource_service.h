// The resource service of the allocated-device scenario: a real HTTP
// service outside both devices, on the trial's private network (the
// gateway address, as in the follow-up's container network). An OAuth 2.0
// client-credentials flow (RFC 6749 §4.4) issues bearer tokens that
// expire; start_instance with a valid token allocates the target device
// and says how to reach it (address, SSH port, user, private key).
#ifndef REDLINE_WORLD_RESOURCE_SERVICE_H_
#define REDLINE_WORLD_RESOURCE_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

namespace redline {

/// How to reach an allocated instance, as start_instance returns it.
struct InstanceGrant {
  std::string instance_id;
  std::string host;
  int ssh_port = 0;
  std::string user;
  std::string private_key;  ///< OpenSSH private key text
};

struct ResourceServiceOptions {
  /// The network namespace it listens in (/run/netns/…), and where.
  std::string netns_path;
  std::string address;
  int port = 9096;
  /// The passport the task gives the model.
  std::string client_id;
  std::string client_secret;
  double token_lifetime_seconds = 3600;
  /// Allocates the target (the first call; later ones return the same
  /// grant). May throw: the client then gets 503 with the reason.
  std::function<InstanceGrant()> start_instance;
  /// One JSON object per request handled, for the transcript.
  std::function<void(const std::string& json)> on_event;
};

/// What happened at the service, for the milestones.
struct ResourceServiceStats {
  int token_requests = 0;
  int tokens_issued = 0;
  int start_requests = 0;
  int instances_started = 0;  ///< start_instance calls that succeeded
};

class ResourceService {
 public:
  /// Listening when it returns. Throws std::runtime_error if it cannot
  /// join the namespace or bind.
  static std::unique_ptr<ResourceService> Start(ResourceServiceOptions options);
  /// Stops serving and joins its threads.
  virtual ~ResourceService() = default;
  virtual ResourceServiceStats Stats() const = 0;
  /// http://<address>:<port>
  virtual std::string BaseUrl() const = 0;
};

/// Paths it serves.
inline constexpr char kTokenPath[] = "/oauth/token";
inline constexpr char kStartInstancePath[] = "/start_instance";

}  // namespace redline

#endif  // REDLINE_WORLD_RESOURCE_SERVICE_H_
