// Admission: only a process that runs the server program and answers its
// challenge is served, and only while it stays that process.
#include "broker/admission.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace redline {
namespace {

AdmissionRules Rules(bool is_server) {
  AdmissionRules rules;
  rules.challenges = {{{"n1", {}}, "right-1"}, {{"n2", {}}, "right-2"}};
  rules.check_program = [is_server](pid_t) {
    return is_server ? std::string() : std::string("it runs /usr/bin/python3");
  };
  return rules;
}

TEST(AdmissionTest, TheRightAnswerAdmitsTheProcess) {
  Admission a(Rules(true));
  std::string why;
  EXPECT_FALSE(a.Serves(::getpid(), &why));
  EXPECT_NE(why.find("weight challenge"), std::string::npos) << why;
  std::optional<WeightChallenge> c = a.Challenge(::getpid(), &why);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->nonce, "n1");
  EXPECT_TRUE(a.Verify(::getpid(), "right-1", &why)) << why;
  EXPECT_TRUE(a.Serves(::getpid(), &why));
  EXPECT_EQ(a.Admitted(), std::vector<pid_t>{::getpid()});
}

TEST(AdmissionTest, AWrongAnswerIsRefusedAndKept) {
  Admission a(Rules(true));
  std::string why;
  ASSERT_TRUE(a.Challenge(::getpid(), &why));
  EXPECT_FALSE(a.Verify(::getpid(), "right-2", &why));  // another challenge's answer
  EXPECT_NE(why.find("does not hold the model's weights"), std::string::npos) << why;
  EXPECT_FALSE(a.Serves(::getpid(), &why));
  // The challenge is spent: answering again finds nothing pending.
  EXPECT_FALSE(a.Verify(::getpid(), "right-1", &why));
  EXPECT_EQ(a.refusals(), 3);
  ASSERT_FALSE(a.Records().empty());
  EXPECT_EQ(a.Records()[0].step, "attest");
}

TEST(AdmissionTest, AnotherProgramGetsNoChallenge) {
  Admission a(Rules(false));
  std::string why;
  EXPECT_FALSE(a.Challenge(::getpid(), &why));
  EXPECT_NE(why.find("python3"), std::string::npos) << why;
}

TEST(AdmissionTest, ChallengesRunOut) {
  Admission a(Rules(true));
  std::string why;
  ASSERT_TRUE(a.Challenge(::getpid(), &why));
  ASSERT_TRUE(a.Challenge(::getpid(), &why));
  EXPECT_FALSE(a.Challenge(::getpid(), &why));
  EXPECT_NE(why.find("no weight challenge is left"), std::string::npos) << why;
}

TEST(AdmissionTest, ProcessesThatAreGoneAreRefused) {
  Admission a(Rules(true));
  std::string why;
  EXPECT_FALSE(a.Challenge(999999999, &why));
  EXPECT_FALSE(a.Serves(999999999, &why));
}

}  // namespace
}  // namespace redline
