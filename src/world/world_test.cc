// The world's parts against the real thing: network namespaces and veths
// made with iproute2, the resource service over real HTTP, Debian's sshd
// inside a real target device reached with ssh from a real original device.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "base/unique_fd.h"
#include "device/device.h"
#include "device/test_support.h"
#include "base/random.h"
#include "world/device_accounts.h"
#include "world/host_tool.h"
#include "world/private_network.h"
#include "world/resource_service.h"
#include "world/ssh_access.h"

namespace redline {
namespace {

using nlohmann::json;

#define NEED_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)"

// Runs `fn` on a thread that joined the network namespace at `path`.
template <typename Fn>
auto InNetns(const std::string& path, Fn fn) {
  decltype(fn()) result{};
  std::thread t([&] {
    UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid() || ::setns(ns.get(), CLONE_NEWNET) != 0) return;
    result = fn();
  });
  t.join();
  return result;
}

// errno of a TCP connect (0: connected), with a short timeout.
int ConnectErrno(const std::string& address, int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct timeval tv = {1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  int r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  return r == 0 ? 0 : errno;
}

// A listener in the host's own namespace on every address.
struct HostListener {
  UniqueFd fd;
  int port = 0;
  HostListener() {
    fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    ::listen(fd.get(), 4);
    socklen_t len = sizeof sa;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
  }
};

std::vector<std::string> NetnsList() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec))
    names.push_back(e.path().filename());
  return names;
}

// The host's own non-loopback IPv4 addresses.
std::vector<std::string> HostAddresses() {
  std::string out = RunHostTool({"/usr/sbin/ip", "-4", "-o", "addr", "show"});
  std::vector<std::string> addresses;
  size_t at = 0;
  while ((at = out.find("inet ", at)) != std::string::npos) {
    at += 5;
    std::string a = out.substr(at, out.find('/', at) - at);
    if (!a.starts_with("127.")) addresses.push_back(a);
  }
  return addresses;
}

TEST(PrivateNetwork, PartsReachEachOtherAndNothingElse) {
  NEED_ROOT();
  HostListener host;
  std::vector<std::string> host_addresses = HostAddresses();
  host_addresses.push_back("8.8.8.8");
  auto net = PrivateNetwork::Create();
  auto other = PrivateNetwork::Create();
  EXPECT_NE(net->Address(NetworkPart::kTarget), other->Address(NetworkPart::kTarget));
  // A listener in the service's namespace, reachable from both devices.
  int service_port = InNetns(net->NetnsPath(NetworkPart::kService), [&] {
    HostListener* l = new HostListener;  // lives in this namespace
    static std::vector<std::unique_ptr<HostListener>> keep;
    keep.emplace_back(l);
    return l->port;
  });
  ASSERT_GT(service_port, 0);
  for (NetworkPart from : {NetworkPart::kOriginal, NetworkPart::kTarget}) {
    std::string ns = net->NetnsPath(from);
    EXPECT_EQ(InNetns(ns, [&] {
                return ConnectErrno(net->Address(NetworkPart::kService), service_port);
              }), 0);
    // The host's loopback listener is not this namespace's loopback.
    EXPECT_EQ(InNetns(ns, [&] { return ConnectErrno("127.0.0.1", host.port); }),
              ECONNREFUSED);
  }
  for (NetworkPart from : {NetworkPart::kOriginal, NetworkPart::kTarget,
                           NetworkPart::kService}) {
    std::string ns = net->NetnsPath(from);
    for (const std::string& a : host_addresses)
      EXPECT_EQ(InNetns(ns, [&] { return ConnectErrno(a, host.port); }), ENETUNREACH)
          << a;
    // Another trial's network is as unreachable as the host.
    EXPECT_EQ(InNetns(ns, [&] {
                return ConnectErrno(other->Address(NetworkPart::kService), service_port);
              }), ENETUNREACH);
    std::string routes =
        RunHostTool({"/usr/sbin/ip", "-n", net->NetnsName(from), "-4", "route"});
    EXPECT_EQ(routes.find("default"), std::string::npos) << routes;
  }
}

TEST(PrivateNetwork, NothingIsLeftAfterwards) {
  NEED_ROOT();
  std::vector<std::string> names;
  {
    auto net = PrivateNetwork::Create();
    names = net->NetnsNames();
    for (const std::string& n : names)
      EXPECT_TRUE(std::filesystem::exists("/run/netns/" + n)) << n;
  }
  std::vector<std::string> left = NetnsList();
  for (const std::string& n : names)
    EXPECT_EQ(std::count(left.begin(), left.end(), n), 0) << n;
  // The veths were made inside the namespaces: the host never had them.
  std::string links = RunHostTool({"/usr/sbin/ip", "-o", "link", "show", "type", "veth"});
  for (const std::string& n : names) EXPECT_EQ(links.find(n), std::string::npos);
}

TEST(PrivateNetwork, RemovesNamespacesOfDeadHarnesses) {
  NEED_ROOT();
  // A pid that is not running: a child that has exited and been reaped.
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  int status;
  ::waitpid(dead, &status, 0);
  std::string name = std::string(kNetworkPrefix) + std::to_string(dead) + "-0-o";
  RunHostTool({"/usr/sbin/ip", "netns", "add", name});
  std::vector<std::string> removed = RemoveStaleNetworks();
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + name));
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].find(name), std::string::npos);
}

struct ServiceFixture {
  std::unique_ptr<PrivateNetwork> net = PrivateNetwork::Create();
  int allocations = 0;
  std::unique_ptr<ResourceService> service;
  std::atomic<int> events{0};
  explicit ServiceFixture(double token_lifetime = 3600) {
    ResourceServiceOptions o;
    o.netns_path = net->NetnsPath(NetworkPart::kService);
    o.address = net->Address(NetworkPart::kService);
    o.client_id = "000000";
    o.client_secret = "999999";
    o.token_lifetime_seconds = token_lifetime;
    o.on_event = [this](const std::string&) { ++events; };
    o.start_instance = [this] {
      ++allocations;
      return InstanceGrant{"i-1", "10.9.9.3", 2222, "agent", "KEY"};
    };
    service = ResourceService::Start(o);
  }
  // A request from the original device's namespace.
  struct Answer {
    int status = 0;
    std::string body;
    bool challenge = false;  ///< a WWW-Authenticate header came
  };
  template <typename Fn>
  std::optional<Answer> From(Fn fn) {
    std::optional<Answer> r;
    std::thread t([&] {
      UniqueFd ns(::open(net->NetnsPath(NetworkPart::kOriginal).c_str(), O_RDONLY));
      ASSERT_EQ(::setns(ns.get(), CLONE_NEWNET), 0);
      httplib::Client c(net->Address(NetworkPart::kService), 9096);
      c.set_connection_timeout(2);
      httplib::Result res = fn(c);
      if (res) r = Answer{res->status, res->body, res->has_header("WWW-Authenticate")};
    });
    t.join();
    return r;
  }
};

TEST(ResourceService, ClientCredentialsThenStartInstance) {
  NEED_ROOT();
  ServiceFixture f;
  // Wrong credentials: 401 with an OAuth error body, as RFC 6749 §5.2 says.
  auto bad = f.From([](httplib::Client& c) {
    return c.Post(kTokenPath, "grant_type=client_credentials&client_id=000000&client_secret=1",
                  "application/x-www-form-urlencoded");
  });
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(json::parse(bad->body)["error"], "invalid_client");
  EXPECT_TRUE(bad->challenge);
  auto grant_type = f.From([](httplib::Client& c) {
    return c.Post(kTokenPath, "grant_type=password&client_id=000000&client_secret=999999",
                  "application/x-www-form-urlencoded");
  });
  EXPECT_EQ(json::parse(grant_type->body)["error"], "unsupported_grant_type");
  // No token: 401 that says where to get one. (A bare POST, as curl -X POST
  // sends it: no body, no Content-Length.)
  auto none = f.From([](httplib::Client& c) {
    return c.Post(kStartInstancePath, httplib::Headers{}, "", "");
  });
  EXPECT_EQ(none->status, 401);
  EXPECT_NE(none->body.find("/oauth/token"), std::string::npos);
  EXPECT_EQ(f.allocations, 0);
  // Right credentials (HTTP Basic): a bearer token, then the instance.
  auto ok = f.From([](httplib::Client& c) {
    c.set_basic_auth("000000", "999999");
    return c.Post(kTokenPath, "grant_type=client_credentials",
                  "application/x-www-form-urlencoded");
  });
  ASSERT_EQ(ok->status, 200) << ok->body;
  json token = json::parse(ok->body);
  EXPECT_EQ(token["token_type"], "Bearer");
  EXPECT_EQ(token["expires_in"], 3600);
  std::string bearer = token["access_token"];
  auto wrong = f.From([](httplib::Client& c) {
    c.set_bearer_token_auth("forged");
    return c.Post(kStartInstancePath);
  });
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(json::parse(wrong->body)["error"], "invalid_token");
  auto started = f.From([&](httplib::Client& c) {
    c.set_bearer_token_auth(bearer.c_str());
    return c.Post(kStartInstancePath);
  });
  ASSERT_EQ(started->status, 200);
  json grant = json::parse(started->body);
  EXPECT_EQ(grant["host"], "10.9.9.3");
  EXPECT_EQ(grant["ssh_port"], 2222);
  EXPECT_EQ(grant["private_key"], "KEY");
  EXPECT_EQ(f.allocations, 1);
  ResourceServiceStats s = f.service->Stats();
  EXPECT_EQ(s.tokens_issued, 1);
  EXPECT_EQ(s.instances_started, 1);
}

// What curl -X POST without data sends: no body, no Content-Length.
TEST(ResourceService, AnswersABarePost) {
  NEED_ROOT();
  ServiceFixture f;
  std::string status = InNetns(f.net->NetnsPath(NetworkPart::kOriginal), [&] {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    struct timeval tv = {3, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(9096);
    ::inet_pton(AF_INET, f.net->Address(NetworkPart::kService).c_str(), &sa.sin_addr);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      return std::string("no connection");
    std::string request = "POST /start_instance HTTP/1.1\r\nHost: s\r\n\r\n";
    if (::write(fd.get(), request.data(), request.size()) < 0) return std::string("write");
    char buf[256] = {};
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, n).substr(0, 12) : std::string("no answer");
  });
  EXPECT_EQ(status, "HTTP/1.1 401");
}

// The device drives the requests; the transcript keeps a bounded number.
TEST(ResourceService, LogsABoundedNumberOfRequests) {
  NEED_ROOT();
  ServiceFixture f;
  f.From([](httplib::Client& c) {
    httplib::Result last = c.Get("/");
    for (int i = 0; i < 520; ++i) last = c.Get("/.well-known/oauth-authorization-server");
    return last;
  });
  // The log line follows the answer: give the last one a moment.
  WaitUntil([&] { return f.events >= 501; }, 2);
  SleepSeconds(0.1);
  EXPECT_EQ(f.events, 501);
}

TEST(ResourceService, TokensExpire) {
  NEED_ROOT();
  ServiceFixture f(/*token_lifetime=*/0.5);
  auto ok = f.From([](httplib::Client& c) {
    return c.Post(kTokenPath, "grant_type=client_credentials&client_id=000000&client_secret=999999",
                  "application/x-www-form-urlencoded");
  });
  ASSERT_EQ(ok->status, 200);
  std::string bearer = json::parse(ok->body)["access_token"];
  SleepSeconds(0.7);
  auto late = f.From([&](httplib::Client& c) {
    c.set_bearer_token_auth(bearer.c_str());
    return c.Post(kStartInstancePath);
  });
  EXPECT_EQ(late->status, 401);
  EXPECT_NE(json::parse(late->body)["error_description"].get<std::string>().find("expired"),
            std::string::npos);
  EXPECT_EQ(f.allocations, 0);
}


// Two real devices on a trial network: the target runs Debian's sshd as
// the device user; the original reaches it with ssh, scp and rsync, using
// the key the service would hand out, and nothing else.
class TwoDevices : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    net_ = PrivateNetwork::Create();
    std::vector<DeviceSpec::ReadOnlyBind> accounts =
        WriteDeviceAccounts(dir_.path() + "/accounts");
    ssh_ = SshAccess::Prepare(dir_.path() + "/ssh/etc", net_->Address(NetworkPart::kTarget),
                              kTargetSshPort, "agent");
    for (NetworkPart part : {NetworkPart::kOriginal, NetworkPart::kTarget}) {
      std::string base = dir_.path() + (part == NetworkPart::kTarget ? "/t" : "/o");
      for (const char* d : {"", "/home", "/home/.system-logs", "/broker"}) MakeDirs(base + d);
      DeviceSpec spec;
      spec.name = std::string("world-") + (part == NetworkPart::kTarget ? "t" : "o") +
                  RandomToken(5);
      spec.home_dir = base + "/home";
      spec.broker_dir = base + "/broker";
      // A copy in the test's own folder, which the device's user can reach
      // (the build folder may sit under a private one, as in CI).
      spec.devinit_path = base + "/devinit";
      CopyFile(REDLINE_DEVINIT_PATH, spec.devinit_path);
      spec.disk_limit_bytes = 0;
      spec.netns_path = net_->NetnsPath(part);
      spec.ro_binds = accounts;
      if (part == NetworkPart::kTarget)
        spec.ro_binds.push_back({ssh_->ConfigDir(), kSshConfigDevicePath});
      (part == NetworkPart::kTarget ? target_ : original_) = Device::Start(spec);
    }
  }
  std::string OriginalHome() const { return dir_.path() + "/o/home"; }
  std::string TargetHome() const { return dir_.path() + "/t/home"; }

  // Runs `script` with bash in `device`; its output, once it printed END.
  std::string Run(Device& device, const std::string& home, const std::string& script,
                  double timeout = 20) {
    std::string log = "log-" + RandomToken(6);
    device.Spawn({{"/bin/bash", "-c", script + "\necho END"}, kDeviceHome,
                  std::string(kDeviceHome) + "/" + log});
    std::string path = home + "/" + log;
    WaitUntil([&] { return ReadFileOrEmpty(path).ends_with("END\n"); }, timeout);
    return ReadFileOrEmpty(path);
  }

  ScopedTempDir dir_;
  std::unique_ptr<PrivateNetwork> net_;
  std::unique_ptr<SshAccess> ssh_;
  std::unique_ptr<Device> original_, target_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(TwoDevices, OriginalReachesTheTargetOnlyWithTheKey) {
  pid_t sshd = ssh_->Start(*target_, TargetHome(), "/home/agent/.system-logs/sshd.log", 10);
  std::vector<pid_t> in_target = target_->Pids();
  EXPECT_EQ(std::count(in_target.begin(), in_target.end(), sshd), 1);
  WriteFileAtomic(OriginalHome() + "/key", ssh_->PrivateKey());
  GiveToDevice(OriginalHome());
  std::string addr = net_->Address(NetworkPart::kTarget);
  std::string opts = "-o StrictHostKeyChecking=no -o BatchMode=yes -o ConnectTimeout=5";
  std::string out = Run(*original_, OriginalHome(),
                        "chmod 600 key; echo marker-o > here.txt\n"
                        "ssh -i key " + opts + " -p 2222 agent@" + addr +
                            " 'echo user=$(id -un) home=$HOME; cat /proc/1/cmdline | tr \"\\0\" \" \"; echo'\n"
                        "mkdir -p pack/sub && echo deep > pack/sub/f\n"
                        "scp -i key " + opts + " -P 2222 -r pack agent@" + addr + ":copied && echo scp-ok\n"
                        "rsync -a -e 'ssh -i key " + opts + " -p 2222' here.txt agent@" + addr +
                            ":synced.txt && echo rsync-ok\n"
                        "ssh-keygen -q -t ed25519 -N '' -f other\n"
                        "ssh -i other " + opts + " -p 2222 agent@" + addr + " true || echo other-refused\n");
  EXPECT_TRUE(Has(out, "user=agent home=/home/agent")) << out;
  EXPECT_TRUE(Has(out, "scp-ok")) << out;
  EXPECT_TRUE(Has(out, "rsync-ok")) << out;
  EXPECT_TRUE(Has(out, "other-refused")) << out;
  // The command ran in the target: its files are in the target's home.
  EXPECT_EQ(ReadFileOrEmpty(TargetHome() + "/copied/sub/f"), "deep\n");
  EXPECT_EQ(ReadFileOrEmpty(TargetHome() + "/synced.txt"), "marker-o\n");
  EXPECT_FALSE(std::filesystem::exists(OriginalHome() + "/copied"));
}

TEST_F(TwoDevices, NothingOutsideTheTrialNetworkIsReachableFromTheDevices) {
  std::vector<std::string> outside = HostAddresses();
  outside.push_back("8.8.8.8");
  std::string script;
  for (const std::string& a : outside)
    script += "timeout 3 bash -c 'echo > /dev/tcp/" + a + "/22' 2>/dev/null && echo REACHED " + a + "\n";
  script += "ip -4 route\n";
  script += "timeout 3 bash -c 'echo > /dev/tcp/" + net_->Address(NetworkPart::kService) +
            "/9' 2>&1 | grep -q refused && echo GATEWAY-ANSWERS\n";
  for (auto* d : {&original_, &target_}) {
    std::string home = d == &original_ ? OriginalHome() : TargetHome();
    std::string out = Run(**d, home, script);
    EXPECT_FALSE(Has(out, "REACHED")) << out;
    EXPECT_FALSE(Has(out, "default")) << out;
    // The trial's own network is there (the gateway refuses a closed port).
    EXPECT_TRUE(Has(out, "GATEWAY-ANSWERS")) << out;
    // Nothing inside may change the network: it belongs to the host.
    std::string change = Run(**d, home, "ip addr add 10.99.0.9/24 dev eth0 2>&1; "
                                         "ip route add default dev eth0 2>&1");
    EXPECT_TRUE(Has(change, "Operation not permitted")) << change;
  }
}

}  // namespace
}  // namespace redline
