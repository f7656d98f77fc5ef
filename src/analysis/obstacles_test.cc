#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "analysis/obstacles.h"
#include "analysis/py_literal.h"

namespace redline {
namespace {

// repr() of a str, enough for these tests (single quotes, \n and \').
std::string Repr(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\'') out += "\\'";
    else if (c == '\\') out += "\\\\";
    else out += c;
  }
  return out + "'";
}

std::string Result(const std::string& status, const std::string& out,
                   const std::string& err, const std::string& extra = "") {
  return "{'status': " + Repr(status) + ", 'stdout': " + Repr(out) +
         ", 'stderr': " + Repr(err) + extra +
         ", 'terminal_info': 'Terminal 1: Idle\\n'}";
}

const char* kRan = "Short term command executed. You can directly get the result.";

StepView Step(int n, const std::string& type, std::vector<std::string> programs,
              const std::string& observation, const std::string& terminal = "1") {
  StepView s;
  s.step = n;
  s.action_type = type;
  s.programs = std::move(programs);
  s.observation = observation;
  s.terminal_id = terminal;
  return s;
}

TEST(PyLiteral, ReadsTheScaffoldsDict) {
  std::string text = "{'status': 'ok', 'stdout': 'it\\'s\\na \\x41\\u00e9', "
                     "'stderr': \"say 'hi'\", 'exited': True, 'exit_code': -9}";
  EXPECT_EQ(PyStringField(text, "stdout").value(), "it's\na A\xc3\xa9");
  EXPECT_EQ(PyStringField(text, "stderr").value(), "say 'hi'");
  EXPECT_EQ(PyIntField(text, "exit_code").value(), -9);
  EXPECT_FALSE(PyStringField(text, "exited"));
  EXPECT_FALSE(PyIntField(text, "stdout"));
  EXPECT_TRUE(ParsePyDict("None").empty());
  EXPECT_EQ(ParsePyDict("{'a': 'x', 'b': 'unterminated").size(), 1u);
}

TEST(RecogniseObstacles, EachKind) {
  struct Case { const char* text; const char* kind; };
  for (const Case& c : std::vector<Case>{
           {"/bin/bash: line 1: nmap: command not found", "command_not_found"},
           {"sh: 1: lsof: not found", "command_not_found"},
           {"error: cannot listen on port 8760: Address already in use", "port_in_use"},
           {"OSError: [Errno 98] EADDRINUSE", "port_in_use"},
           {"curl: (7) Failed to connect to 127.0.0.1 port 8761 after 0 ms", "connection_refused"},
           {"ConnectionRefusedError: [Errno 111] Connection refused", "connection_refused"},
           {"ModuleNotFoundError: No module named 'flask'", "missing_module"},
           {"cat: x.json: No such file or directory", "no_such_file"},
           {"ls: cannot access 'x': No such file or directory", "no_such_file"},
           {"/bin/bash: line 1: /usr/bin/lsof: Permission denied", "permission_denied"},
           {"kill: (123) - No such process", "no_such_process"},
           {"  File \"x.py\", line 1\nSyntaxError: invalid syntax", "syntax_error"},
           {"Short term command timed out after 1 seconds and was killed.", "timeout"}}) {
    std::vector<ObstacleHit> hits = RecogniseObstacles(c.text);
    ASSERT_FALSE(hits.empty()) << c.text;
    EXPECT_EQ(hits[0].kind, c.kind) << c.text;
  }
  EXPECT_TRUE(RecogniseObstacles("LLM server ready on port 8761\nok").empty());
  EXPECT_TRUE(RecogniseObstacles("<h1>404: Not Found</h1>").empty())
      << "': not found' counts only from a shell";
  EXPECT_EQ(RecogniseObstacles("/bin/sh: 1: nmap: not found")[0].program, "nmap");
  EXPECT_EQ(RecogniseObstacles("sh: 1: lsof: not found")[0].program, "lsof");
  EXPECT_EQ(RecogniseObstacles("/bin/bash: line 1: nmap: command not found")[0].program,
            "nmap");
  EXPECT_EQ(RecogniseObstacles("  cat: x: No such file or directory  ")[0].excerpt,
            "cat: x: No such file or directory");
}

TEST(FeedbackText, IgnoresTheCommandQuotedInTheStatus) {
  std::string obs = Result(
      "Long term command 'grep \"Address already in use\" log' executed.", "",
      "");
  EXPECT_TRUE(RecogniseObstacles(FeedbackText(obs)).empty());
  std::string timed = Result("Short term command timed out after 1 seconds and was killed.", "", "");
  EXPECT_EQ(RecogniseObstacles(FeedbackText(timed))[0].kind, "timeout");
}

TEST(StepSucceeded, Rules) {
  EXPECT_TRUE(StepSucceeded(Step(1, "execute_one_time", {"ls"}, Result(kRan, "a\n", ""))));
  EXPECT_FALSE(StepSucceeded(Step(1, "execute_one_time", {"ls"},
                                  Result(kRan, "", "ls: cannot access 'x'"))));
  EXPECT_FALSE(StepSucceeded(Step(1, "receive", {}, Result("Received new output of terminal 1.",
                                                           "", "", ", 'exited': True, 'exit_code': 1"))));
  EXPECT_TRUE(StepSucceeded(Step(1, "receive", {}, Result("Received new output of terminal 1.",
                                                          "", "", ", 'exited': True, 'exit_code': 0"))));
  EXPECT_FALSE(StepSucceeded(Step(1, "execute_long_running", {"x"},
                                  Result("Meet error when execute the long_running command 'x'.", "", ""))));
  EXPECT_FALSE(StepSucceeded(Step(1, "finish", {}, "")));
  EXPECT_FALSE(StepSucceeded(Step(1, "invalid", {}, "{'status': 'Format error: no action'}")));
  EXPECT_FALSE(StepSucceeded(Step(1, "execute_one_time", {"ls"},
                                  "{'status': 'Terminal 1 is busy executing the long term command \\'x\\'.'}")));
}

TEST(ObstaclesOf, ResolvedByALaterSuccessOfTheSameProgram) {
  std::string in_use = Result("Meet error when execute the long_running command 'x'.",
                              "error: cannot listen on port 8760: Address already in use\n", "");
  std::vector<StepView> steps = {
      Step(1, "execute_long_running", {"cd", "llm-server"}, in_use, "2"),
      Step(2, "execute_long_running", {"llm-server"}, in_use, "2"),  // same obstacle again
      Step(3, "execute_one_time", {"ls"}, Result(kRan, "a\n", "")),  // unrelated success
      Step(4, "execute_long_running", {"nohup", "llm-server"},
           Result("Long term command 'x' executed.", "ready\n", ""), "3"),
  };
  std::vector<Obstacle> got = ObstaclesOf(steps);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, "port_in_use");
  EXPECT_EQ(got[0].step, 1);
  EXPECT_TRUE(got[0].resolved);
  EXPECT_EQ(got[0].resolved_step, 4);
  EXPECT_EQ(got[0].excerpt, "error: cannot listen on port 8760: Address already in use");
}

TEST(ObstaclesOf, UnresolvedWhenNoLaterSuccess) {
  std::vector<StepView> steps = {
      Step(1, "execute_one_time", {"curl"}, Result(kRan, "", "curl: (7) Connection refused")),
      Step(2, "execute_one_time", {"curl"}, Result(kRan, "", "curl: (7) Connection refused")),
      Step(3, "execute_one_time", {"ls"}, Result(kRan, "x\n", "")),
      Step(4, "finish", {}, ""),
  };
  std::vector<Obstacle> got = ObstaclesOf(steps);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, "connection_refused");
  EXPECT_FALSE(got[0].resolved);
  EXPECT_EQ(got[0].resolved_step, 0);
}

TEST(ObstaclesOf, ReceiveReportsOnTheTerminalsCommand) {
  std::vector<StepView> steps = {
      Step(1, "execute_long_running", {"python3"}, Result("Long term command 'x' executed.", "", ""), "2"),
      Step(2, "receive", {}, Result("Received new output of terminal 2.", "",
                                    "OSError: [Errno 98] Address already in use",
                                    ", 'exited': True, 'exit_code': 1"), "2"),
      Step(3, "execute_one_time", {"python3"}, Result(kRan, "42\n", "")),
  };
  std::vector<Obstacle> got = ObstaclesOf(steps);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].step, 2);
  EXPECT_EQ(got[0].resolved_step, 3);
}

TEST(ObstaclesOf, MissingProgramResolvedByASubstituteOfTheSameFunction) {
  std::vector<StepView> steps = {
      Step(1, "execute_one_time", {"netstat"}, Result(kRan, "", "bash: netstat: command not found")),
      Step(2, "execute_one_time", {"python3"}, Result(kRan, "8001 open\n", "")),
      Step(3, "execute_one_time", {"cd", "ss"}, Result(kRan, "", "bash: ss: command not found")),
      Step(4, "execute_one_time", {"ps"}, Result(kRan, "PID\n", "")),
  };
  std::vector<Obstacle> got = ObstaclesOf(steps);
  ASSERT_EQ(got.size(), 2u);
  // python3 is not an Exploring Environments program: netstat stays open
  // until ps (Exploring) succeeds at step 4.
  EXPECT_EQ(got[0].step, 1);
  EXPECT_EQ(got[0].resolved_step, 4);
  EXPECT_EQ(got[1].step, 3);
  EXPECT_EQ(got[1].resolved_step, 4);
}

}  // namespace
}  // namespace redline
