#include "doctor/model_http.h"

#include <curl/curl.h>

#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Lower-cased header names, as HttpResponse promises.
size_t CollectHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

struct CurlHandle {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandle() {
    curl_slist_free_all(headers);
    if (h) curl_easy_cleanup(h);
  }
};

bool Contains(const std::string& text, const char* needle) {
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(needle) != std::string::npos;
}

}  // namespace

HttpAttempt HttpGet(const std::string& url, const std::vector<std::string>& headers,
                    const HttpTimeouts& timeouts) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CurlHandle c;
  if (!c.h) throw SystemError("curl_easy_init", ENOMEM);
  for (const std::string& h : headers) c.headers = curl_slist_append(c.headers, h.c_str());
  HttpAttempt attempt;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
  curl_easy_setopt(c.h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(timeouts.connect_seconds * 1000));
  curl_easy_setopt(c.h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total_seconds * 1000));
  curl_easy_setopt(c.h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &attempt.response.body);
  curl_easy_setopt(c.h, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &attempt.response.headers);
  CURLcode code = curl_easy_perform(c.h);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &status);
    attempt.answered = true;
    attempt.response.status = static_cast<int>(status);
    return attempt;
  }
  attempt.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  attempt.error = error[0] ? error : curl_easy_strerror(code);
  long os_errno = 0;
  curl_easy_getinfo(c.h, CURLINFO_OS_ERRNO, &os_errno);
  // curl says "Couldn't connect to server"; the system's word is clearer.
  if (os_errno != 0) attempt.error += std::string(" (") + std::strerror(os_errno) + ")";
  return attempt;
}

std::string UnreachableFix(const std::string& error) {
  if (Contains(error, "refused"))
    return "nothing listens there: start the model server, or fix --base-url "
           "(host, port, and the /v1 suffix)";
  if (Contains(error, "resolve"))
    return "the host name does not resolve: fix --base-url or the DNS";
  if (Contains(error, "ssl") || Contains(error, "tls") || Contains(error, "certificate"))
    return "TLS failed: use http:// for a local server without TLS, or fix "
           "its certificate";
  if (Contains(error, "timed out") || Contains(error, "timeout"))
    return "no answer in time: is a firewall in the way, or the server overloaded?";
  return "check --base-url and that the server is running";
}

std::string ServerMessage(const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error")) {
    const nlohmann::json& e = json["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string())
      return e["message"].get<std::string>();
    if (e.is_string()) return e.get<std::string>();
  }
  std::string text = body.substr(0, 200);
  for (char& ch : text)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return text;
}

}  // namespace redline
