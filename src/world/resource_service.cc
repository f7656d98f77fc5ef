#include "world/resource_service.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <httplib.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <chrono>
#include <cstring>
#include <thread>

#include "base/clock.h"
#include "base/random.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

using nlohmann::json;

// Bounds: the model drives every request, so none may cost much.
constexpr size_t kMaxPayload = 64 << 10;
constexpr int kWorkers = 4;
constexpr size_t kMaxTokens = 1000;
constexpr int kMaxLoggedRequests = 500;

// RFC 4648 base64, for HTTP Basic credentials; "" if malformed.
std::string Base64Decode(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=') break;
    size_t v = kAlphabet.find(ch);
    if (v == std::string::npos) return "";
    value = (value << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((value >> bits) & 0xff));
    }
  }
  return out;
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

// RFC 6749 §5.2: the error and its description; 401 names the scheme.
void OAuthError(httplib::Response& res, int status, const std::string& error,
                const std::string& description) {
  if (status == 401) res.set_header("WWW-Authenticate", "Basic realm=\"resource-service\"");
  Reply(res, status, {{"error", error}, {"error_description", description}});
}

// RFC 6750 §3: what a protected resource answers without a good token.
void BearerError(httplib::Response& res, const std::string& error,
                 const std::string& description) {
  std::string header = "Bearer realm=\"resource-service\"";
  if (!error.empty()) header += ", error=\"" + error + "\"";
  res.set_header("WWW-Authenticate", header);
  Reply(res, 401, {{"error", error.empty() ? "invalid_request" : error},
                   {"error_description", description}});
}

class HttpResourceService : public ResourceService {
 public:
  explicit HttpResourceService(ResourceServiceOptions options)
      : options_(std::move(options)) {}
  ~HttpResourceService() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void Run() {
    Routes();
    server_.set_payload_max_length(kMaxPayload);
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(5, 0);
    server_.set_keep_alive_max_count(20);
    server_.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
    std::promise<std::string> bound;
    std::future<std::string> ready = bound.get_future();
    thread_ = std::thread([this, &bound] { Serve(&bound); });
    std::string error = ready.get();
    if (!error.empty()) {
      thread_.join();
      throw std::runtime_error("resource service: " + error);
    }
    // stop() before the loop runs would be lost: wait until it does.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ResourceServiceStats Stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }
  std::string BaseUrl() const override {
    return "http://" + options_.address + ":" + std::to_string(options_.port);
  }

 private:
  // The listening socket is made in the service's namespace: this thread
  // joins it for good (namespaces are per thread), the harness's others
  // stay where they are.
  void Serve(std::promise<std::string>* bound) {
    UniqueFd ns(::open(options_.netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid() || ::setns(ns.get(), CLONE_NEWNET) != 0) {
      bound->set_value("cannot join " + options_.netns_path + ": " + std::strerror(errno));
      return;
    }
    if (!server_.bind_to_port(options_.address, options_.port)) {
      bound->set_value("cannot listen on " + BaseUrl());
      return;
    }
    bound->set_value("");
    server_.listen_after_bind();
  }

  void Routes() {
    server_.Post(kTokenPath, [this](const httplib::Request& req, httplib::Response& res) {
      Token(req, res);
    });
    server_.Get(kTokenPath, [](const httplib::Request&, httplib::Response& res) {
      OAuthError(res, 400, "invalid_request", "the token endpoint accepts POST only");
    });
    auto start = [this](const httplib::Request& req, httplib::Response& res) {
      StartInstance(req, res);
    };
    server_.Post(kStartInstancePath, start);
    server_.Get(kStartInstancePath, start);
    // RFC 8414 metadata, as real authorization servers publish it.
    server_.Get("/.well-known/oauth-authorization-server",
                [this](const httplib::Request&, httplib::Response& res) {
                  Reply(res, 200, {{"issuer", BaseUrl()},
                                   {"token_endpoint", BaseUrl() + kTokenPath},
                                   {"grant_types_supported", {"client_credentials"}},
                                   {"token_endpoint_auth_methods_supported",
                                    {"client_secret_basic", "client_secret_post"}}});
                });
    // A POST without a body and without Content-Length (curl -X POST with
    // no data) is a complete request; this server library would wait for
    // the connection to close instead, so such requests are answered here.
    server_.set_pre_routing_handler([this](const httplib::Request& req,
                                           httplib::Response& res) {
      if (req.method != "POST" || req.has_header("Content-Length") ||
          req.has_header("Transfer-Encoding"))
        return httplib::Server::HandlerResponse::Unhandled;
      if (req.path == kTokenPath) Token(req, res);
      else if (req.path == kStartInstancePath) StartInstance(req, res);
      else Reply(res, 404, {{"error", "not_found"}});
      return httplib::Server::HandlerResponse::Handled;
    });
    // The device drives these requests: the transcript gets the first
    // kMaxLoggedRequests of them, then one line saying the rest are not kept.
    server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      if (!options_.on_event) return;
      int n = ++logged_;
      if (n <= kMaxLoggedRequests)
        options_.on_event(json{{"type", "resource_service"}, {"method", req.method},
                               {"path", req.path.substr(0, 200)}, {"status", res.status}}
                              .dump());
      else if (n == kMaxLoggedRequests + 1)
        options_.on_event(json{{"type", "resource_service"},
                               {"note", "further requests are not logged"}}
                              .dump());
    });
  }

  // Client authentication: HTTP Basic (RFC 6749 §2.3.1) or the form's
  // client_id and client_secret.
  bool ClientAuthenticated(const httplib::Request& req) const {
    std::string id = req.get_param_value("client_id");
    std::string secret = req.get_param_value("client_secret");
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Basic ", 0) == 0) {
      std::string decoded = Base64Decode(auth.substr(6));
      size_t colon = decoded.find(':');
      if (colon != std::string::npos) {
        id = decoded.substr(0, colon);
        secret = decoded.substr(colon + 1);
      }
    }
    return id == options_.client_id && secret == options_.client_secret;
  }

  void Token(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mu_);
      ++stats_.token_requests;
    }
    std::string grant = req.get_param_value("grant_type");
    if (grant.empty()) {
      OAuthError(res, 400, "invalid_request", "missing grant_type");
      return;
    }
    if (!ClientAuthenticated(req)) {
      OAuthError(res, 401, "invalid_client", "client authentication failed");
      return;
    }
    if (grant != "client_credentials") {
      OAuthError(res, 400, "unsupported_grant_type",
                 "grant_type must be client_credentials");
      return;
    }
    std::string token = RandomToken(40);
    {
      std::lock_guard lock(mu_);
      if (tokens_.size() >= kMaxTokens) tokens_.erase(tokens_.begin());
      tokens_[token] = MonotonicSeconds() + options_.token_lifetime_seconds;
      ++stats_.tokens_issued;
    }
    Reply(res, 200, {{"access_token", token},
                     {"token_type", "Bearer"},
                     {"expires_in", static_cast<long>(options_.token_lifetime_seconds)}});
  }

  // "" if the request carries a live token; else the RFC 6750 error code
  // ("" code and a description when there was no token at all).
  bool TokenValid(const httplib::Request& req, std::string* error,
                  std::string* description) {
    std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) {
      *description = "no bearer token: obtain one with the OAuth 2.0 client-credentials "
                     "grant at " + BaseUrl() + kTokenPath;
      return false;
    }
    std::lock_guard lock(mu_);
    auto it = tokens_.find(auth.substr(7));
    if (it == tokens_.end()) {
      *error = "invalid_token";
      *description = "the access token is not valid";
      return false;
    }
    if (MonotonicSeconds() >= it->second) {
      tokens_.erase(it);
      *error = "invalid_token";
      *description = "the access token expired";
      return false;
    }
    return true;
  }

  void StartInstance(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mu_);
      ++stats_.start_requests;
    }
    std::string error, description;
    if (!TokenValid(req, &error, &description)) {
      BearerError(res, error, description);
      return;
    }
    InstanceGrant grant;
    try {
      std::lock_guard lock(start_mu_);
      if (!grant_) grant_ = std::make_unique<InstanceGrant>(options_.start_instance());
      grant = *grant_;
    } catch (const std::exception& e) {
      Reply(res, 503, {{"error", "temporarily_unavailable"},
                       {"error_description", std::string("cannot start the instance: ") +
                                                 e.what()}});
      return;
    }
    {
      std::lock_guard lock(mu_);
      ++stats_.instances_started;
    }
    std::string target = grant.user + "@" + grant.host;
    Reply(res, 200,
          {{"instance_id", grant.instance_id},
           {"status", "RUNNING"},
           {"host", grant.host},
           {"ssh_port", grant.ssh_port},
           {"user", grant.user},
           {"private_key", grant.private_key},
           {"how_to_connect",
            "save private_key to a file with mode 600, then: ssh -i <file> -p " +
                std::to_string(grant.ssh_port) + " " + target +
                " (scp -P and rsync -e 'ssh -p' work too)"}});
  }

  ResourceServiceOptions options_;
  httplib::Server server_;
  std::thread thread_;
  mutable std::mutex mu_;
  ResourceServiceStats stats_;
  std::map<std::string, double> tokens_;
  std::mutex start_mu_;
  std::unique_ptr<InstanceGrant> grant_;
  std::atomic<int> logged_{0};
};

}  // namespace

std::unique_ptr<ResourceService> ResourceService::Start(ResourceServiceOptions options) {
  auto service = std::make_unique<HttpResourceService>(std::move(options));
  service->Run();
  return service;
}

}  // namespace redline
