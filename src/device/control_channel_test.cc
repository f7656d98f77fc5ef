#include "device/control_channel.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace redline {
namespace {

TEST(ControlChannelTest, EncodeJoinsFieldsWithNul) {
  std::string out;
  ASSERT_TRUE(EncodeFields({"spawn", "/home/agent", "", "sh"}, &out));
  EXPECT_EQ(out, std::string("spawn\0/home/agent\0\0sh", 21));
}

TEST(ControlChannelTest, DecodeIsTheInverse) {
  std::vector<std::string> fields = {"spawn", "", "log", "a b", ""};
  std::string out;
  ASSERT_TRUE(EncodeFields(fields, &out));
  EXPECT_EQ(DecodeFields(out), fields);
  EXPECT_EQ(DecodeFields("ping"), std::vector<std::string>{"ping"});
  EXPECT_TRUE(DecodeFields("").empty());
}

TEST(ControlChannelTest, RefusesWhatCannotBeEncoded) {
  std::string out;
  EXPECT_FALSE(EncodeFields({}, &out));
  EXPECT_FALSE(EncodeFields({""}, &out));
  EXPECT_FALSE(EncodeFields({"spawn", std::string("a\0b", 3)}, &out));
  EXPECT_FALSE(EncodeFields({"spawn", std::string(kMaxControlMessage, 'x')},
                            &out));
}

class SocketPairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    a_.reset(fds[0]);
    b_.reset(fds[1]);
  }
  UniqueFd a_, b_;
};

TEST_F(SocketPairTest, MessagesKeepBoundariesAndCarrySenderPid) {
  int one = 1;
  ASSERT_EQ(::setsockopt(b_.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one),
            0);
  ASSERT_EQ(SendControlFields(a_.get(), {"ok", "42"}), 0);
  ASSERT_EQ(SendControlFields(a_.get(), {"pong"}), 0);
  ControlMessage m;
  ASSERT_EQ(ReceiveControlMessage(b_.get(), &m), 0);
  EXPECT_EQ(m.fields, (std::vector<std::string>{"ok", "42"}));
  EXPECT_EQ(m.sender, ::getpid());
  ASSERT_EQ(ReceiveControlMessage(b_.get(), &m), 0);
  EXPECT_EQ(m.fields, std::vector<std::string>{"pong"});
}

TEST_F(SocketPairTest, PeerClosingReadsAsEpipe) {
  a_.reset();
  ControlMessage m;
  EXPECT_EQ(ReceiveControlMessage(b_.get(), &m), EPIPE);
  EXPECT_EQ(SendControlFields(b_.get(), {"ping"}), EPIPE);
}

TEST_F(SocketPairTest, OversizedMessageIsRefused) {
  int size = 512 * 1024;
  ASSERT_EQ(::setsockopt(a_.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size),
            0);
  ASSERT_EQ(::setsockopt(b_.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size),
            0);
  ASSERT_EQ(SendControlMessage(a_.get(), std::string(kMaxControlMessage + 10,
                                                     'x')),
            0);
  ControlMessage m;
  EXPECT_EQ(ReceiveControlMessage(b_.get(), &m), EMSGSIZE);
}

}  // namespace
}  // namespace redline
