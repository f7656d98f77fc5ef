#include "llm/http_transport.h"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <memory>
#include <mutex>

#include "base/error.h"

namespace redline {
namespace {

// curl_global_init is not thread-safe on every build; the broker calls
// models from several threads, so initialise exactly once.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string Trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  // A new status line starts a new header block (after a 100 Continue or a
  // redirect): keep only the final response's headers.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = Trim(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  (*headers)[name] = Trim(line.substr(colon + 1));
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

HttpAttempt HttpPost(const std::string& url,
                     const std::vector<std::string>& headers,
                     const std::string& body, const HttpTimeouts& timeouts) {
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw SystemError("curl_easy_init", ENOMEM);
  std::unique_ptr<curl_slist, SlistDeleter> list;
  for (const std::string& header : headers) {
    curl_slist* grown = curl_slist_append(list.get(), header.c_str());
    if (!grown) throw SystemError("curl_slist_append", ENOMEM);
    list.release();
    list.reset(grown);
  }
  // Without this curl sends "Expect: 100-continue" for large bodies and
  // waits for a go-ahead some servers never send.
  curl_slist* grown = curl_slist_append(list.get(), "Expect:");
  if (!grown) throw SystemError("curl_slist_append", ENOMEM);
  list.release();
  list.reset(grown);

  HttpAttempt attempt;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  // Signals and threads do not mix: without NOSIGNAL, DNS timeouts use
  // SIGALRM, which is unsafe with the broker's threads.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(timeouts.connect_seconds * 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(timeouts.total_seconds * 1000));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &attempt.response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &attempt.response.headers);
  // Environment proxies (https_proxy) may be how a site reaches a hosted
  // API, but a local inference server must never be sent through one.
  curl_easy_setopt(h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");

  CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    attempt.error = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    attempt.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    return attempt;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  attempt.answered = true;
  attempt.response.status = static_cast<int>(status);
  return attempt;
}

}  // namespace redline
