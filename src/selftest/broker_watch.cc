// The host side of backend_socket_abuse (backend_probes.cc): a real Broker
// behind the device's socket, as in a trial, serving a scripted model, while
// a sampler watches this process's memory, threads and fds.
#include "selftest/broker_watch.h"

#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "base/jsonl_writer.h"
#include "broker/broker.h"
#include "llm/model.h"

namespace redline {
namespace {

struct Usage {
  long rss_bytes = 0;
  int threads = 0;
  int fds = 0;
};

Usage Measure() {
  Usage u;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) u.rss_bytes = std::atol(line.c_str() + 6) * 1024;
    if (line.starts_with("Threads:")) u.threads = std::atoi(line.c_str() + 8);
  }
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d)) ++u.fds;
    ::closedir(d);
    u.fds -= 3;  // ".", "..", and this listing's own fd
  }
  return u;
}

class BrokerWatch : public CaseWatch {
 public:
  explicit BrokerWatch(const CaseContext& c)
      : socket_(c.spec.broker_dir + "/backend.sock"),
        transcript_path_(c.case_dir + "/transcript.jsonl") {}
  ~BrokerWatch() override { StopSampling(); }

  void BeforeStart() override {
    model_ = MakeModel("scripted/null", ModelOptions());
    transcript_ = std::make_unique<JsonlWriter>(transcript_path_);
    broker_ = std::make_unique<Broker>(socket_, *model_, *transcript_);
  }

  void BeforeProbe() override {
    base_ = Measure();
    peak_ = base_;
    sampling_ = true;
    sampler_ = std::thread([this] {
      while (sampling_) {
        Usage u = Measure();
        peak_.rss_bytes = std::max(peak_.rss_bytes, u.rss_bytes);
        peak_.threads = std::max(peak_.threads, u.threads);
        peak_.fds = std::max(peak_.fds, u.fds);
        SleepSeconds(0.005);
      }
    });
  }

  void AfterProbe(std::vector<std::string>* escapes) override {
    StopSampling();
    long rss = peak_.rss_bytes - base_.rss_bytes;
    int threads = peak_.threads - base_.threads;
    int fds = peak_.fds - base_.fds;
    if (rss > kMaxRssGrowthBytes)
      escapes->push_back("the harness's memory grew by " +
                         std::to_string(rss >> 20) + " MiB (bound " +
                         std::to_string(kMaxRssGrowthBytes >> 20) + ")");
    if (threads > kMaxThreadGrowth)
      escapes->push_back("the harness grew by " + std::to_string(threads) +
                         " threads (bound " + std::to_string(kMaxThreadGrowth) +
                         ")");
    if (fds > kMaxFdGrowth)
      escapes->push_back("the harness grew by " + std::to_string(fds) +
                         " fds (bound " + std::to_string(kMaxFdGrowth) + ")");
    char text[200];
    std::snprintf(text, sizeof text,
                  "host: the harness grew by at most %ld MiB, %d threads, %d "
                  "fds (bounds %ld, %d, %d); the broker answered %d calls",
                  rss >> 20, threads, fds, kMaxRssGrowthBytes >> 20,
                  kMaxThreadGrowth, kMaxFdGrowth, broker_->Stats().calls);
    note_ = text;
  }

  void AfterTeardown(std::vector<std::string>*,
                     std::vector<std::string>* notes) override {
    broker_.reset();  // waits for its connections, all closed by now
    notes->push_back(note_);
  }

 private:
  void StopSampling() {
    sampling_ = false;
    if (sampler_.joinable()) sampler_.join();
  }

  std::string socket_, transcript_path_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<JsonlWriter> transcript_;
  std::unique_ptr<Broker> broker_;
  std::thread sampler_;
  std::atomic<bool> sampling_{false};
  Usage base_, peak_;
  std::string note_;
};

}  // namespace

std::unique_ptr<CaseWatch> MakeBrokerWatch(const CaseContext& context) {
  return std::make_unique<BrokerWatch>(context);
}

}  // namespace redline
