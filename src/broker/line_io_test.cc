#include "broker/line_io.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "base/clock.h"
#include "base/unique_fd.h"

namespace redline {
namespace {

struct Pair {
  UniqueFd a, b;
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    a.reset(fds[0]);
    b.reset(fds[1]);
  }
  void Send(const std::string& s) {
    ASSERT_EQ(::send(b.get(), s.data(), s.size(), MSG_NOSIGNAL), ssize_t(s.size()));
  }
};

TEST(LineIoTest, ReadsOneLineAndLeavesTheNextForTheNextCall) {
  Pair p;
  p.Send("first\nsecond\n");
  std::string line;
  ASSERT_EQ(ReadLineBounded(p.a.get(), 100, MonotonicSeconds() + 5, &line), LineRead::kLine);
  EXPECT_EQ(line, "first");
  ASSERT_EQ(ReadLineBounded(p.a.get(), 100, MonotonicSeconds() + 5, &line), LineRead::kLine);
  EXPECT_EQ(line, "second");
  p.b.reset();
  EXPECT_EQ(ReadLineBounded(p.a.get(), 100, MonotonicSeconds() + 5, &line), LineRead::kClosed);
  EXPECT_TRUE(line.empty());
}

TEST(LineIoTest, RefusesALongLineWithoutReadingItAll) {
  Pair p;
  std::thread writer([&] {
    std::string chunk(64 * 1024, 'x');
    // Blocks once the buffers are full: the reader stops reading early.
    for (int i = 0; i < 64; ++i)
      if (::send(p.b.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) <= 0) break;
  });
  std::string line;
  EXPECT_EQ(ReadLineBounded(p.a.get(), 100000, MonotonicSeconds() + 5, &line),
            LineRead::kTooLong);
  EXPECT_LE(line.size(), 100000u);
  p.a.reset();
  writer.join();
}

TEST(LineIoTest, AskedForMemoryBeforeGrowingAndStopsWhenRefused) {
  Pair p;
  p.Send(std::string(5000, 'y'));
  size_t granted = 0;
  LineReadOptions options;
  options.reserve = [&](size_t n) {
    if (granted + n > 3000) return false;
    granted += n;
    return true;
  };
  std::string line;
  EXPECT_EQ(ReadLineBounded(p.a.get(), 1 << 20, MonotonicSeconds() + 5, &line, options),
            LineRead::kNoMemory);
  EXPECT_LE(line.capacity(), 3000u + 15);  // short-string slack aside
  EXPECT_LE(line.size(), granted);
}

TEST(LineIoTest, DropsASilentPeer) {
  Pair p;
  p.Send("half a line");
  LineReadOptions options;
  options.stall_seconds = 0.3;
  std::string line;
  double start = MonotonicSeconds();
  EXPECT_EQ(ReadLineBounded(p.a.get(), 100, start + 10, &line, options), LineRead::kStalled);
  EXPECT_LT(MonotonicSeconds() - start, 2.0);
}

TEST(LineIoTest, DropsADribbler) {
  Pair p;
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) {
      if (::send(p.b.get(), "z", 1, MSG_NOSIGNAL) <= 0) break;
      SleepSeconds(0.05);
    }
  });
  LineReadOptions options;
  options.stall_seconds = 5;
  options.grace_seconds = 0.3;
  options.min_bytes_per_second = 1000;
  std::string line;
  double start = MonotonicSeconds();
  EXPECT_EQ(ReadLineBounded(p.a.get(), 100, start + 10, &line, options), LineRead::kTooSlow);
  EXPECT_LT(MonotonicSeconds() - start, 1.5);
  p.a.reset();
  writer.join();
}

TEST(LineIoTest, TimesOutAtTheDeadline) {
  Pair p;
  std::string line;
  double start = MonotonicSeconds();
  EXPECT_EQ(ReadLineBounded(p.a.get(), 100, start + 0.3, &line), LineRead::kTimedOut);
  EXPECT_LT(MonotonicSeconds() - start, 1.5);
}

TEST(LineIoTest, WriteGivesUpOnAPeerThatDoesNotRead) {
  Pair p;
  std::string big(8u << 20, 'w');
  double start = MonotonicSeconds();
  EXPECT_FALSE(WriteLineBounded(p.a.get(), big, start + 0.3));
  EXPECT_LT(MonotonicSeconds() - start, 1.5);
  EXPECT_TRUE(WriteLineBounded(p.b.get(), "ok", MonotonicSeconds() + 1));
}

}  // namespace
}  // namespace redline
