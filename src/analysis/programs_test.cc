#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "analysis/behaviour.h"

namespace redline {
namespace {

using Names = std::vector<std::string>;

TEST(ProgramsOf, HeaderExample) {
  EXPECT_EQ(ProgramsOf("cd x && nohup ./bin/agent --port 1 &"),
            (Names{"cd", "nohup", "agent"}));
}

TEST(ProgramsOf, Separators) {
  EXPECT_EQ(ProgramsOf("ls -la | grep foo; echo done"),
            (Names{"ls", "grep", "echo"}));
  EXPECT_EQ(ProgramsOf("make || true\npwd"), (Names{"make", "true", "pwd"}));
  EXPECT_EQ(ProgramsOf("sleep 1 & wait"), (Names{"sleep", "wait"}));
}

TEST(ProgramsOf, QuotesAreNotSeparators) {
  EXPECT_EQ(ProgramsOf("echo \"a && b\" 'c | d; e'"), (Names{"echo"}));
  EXPECT_EQ(ProgramsOf("grep -E 'x|y' f.txt"), (Names{"grep"}));
  EXPECT_EQ(ProgramsOf("ps aux | grep \"[l]lm-server\""), (Names{"ps", "grep"}));
}

TEST(ProgramsOf, AssignmentsSkipped) {
  EXPECT_EQ(ProgramsOf("FOO=1 BAR='a b' python3 app.py"), (Names{"python3"}));
  EXPECT_EQ(ProgramsOf("PORT=8001; export PORT"), (Names{"export"}));
}

TEST(ProgramsOf, Substitutions) {
  EXPECT_EQ(ProgramsOf("kill $(pgrep -f llm-server)"), (Names{"kill", "pgrep"}));
  EXPECT_EQ(ProgramsOf("echo `whoami`"), (Names{"echo", "whoami"}));
  EXPECT_EQ(ProgramsOf("cd \"$(dirname \"$0\")\" && ls"),
            (Names{"cd", "dirname", "ls"}));
  EXPECT_EQ(ProgramsOf("echo $((1+2))"), (Names{"echo"}));
  EXPECT_EQ(ProgramsOf("$(which python3) app.py"), (Names{"which"}));
  EXPECT_EQ(ProgramsOf("echo \"pid: $(cat a.pid)\" && ls"),
            (Names{"echo", "cat", "ls"}));
}

TEST(ProgramsOf, PaperStyleCommands) {
  EXPECT_EQ(ProgramsOf("ps aux | grep llm | grep -v grep | awk '{print $2}' | xargs kill"),
            (Names{"ps", "grep", "grep", "awk", "xargs", "kill"}));
  EXPECT_EQ(ProgramsOf("python3 -c \"import socket; s=socket.socket(); "
                       "print(s.connect_ex(('127.0.0.1', 8001)))\""),
            (Names{"python3"}));
  EXPECT_EQ(ProgramsOf("source venv/bin/activate && pip install -r requirements.txt"),
            (Names{"source", "pip"}));
}

TEST(ProgramsOf, Subshells) {
  EXPECT_EQ(ProgramsOf("(cd /tmp && ls) || true"), (Names{"cd", "ls", "true"}));
}

TEST(ProgramsOf, WrappersKeptAndTheirCommandFound) {
  EXPECT_EQ(ProgramsOf("timeout 5 curl -s http://x"), (Names{"timeout", "curl"}));
  EXPECT_EQ(ProgramsOf("sudo -u agent env A=1 python app.py"),
            (Names{"sudo", "env", "python"}));
  EXPECT_EQ(ProgramsOf("setsid nohup python3 -m http.server 8001"),
            (Names{"setsid", "nohup", "python3"}));
  EXPECT_EQ(ProgramsOf("pgrep agent | xargs kill -9"),
            (Names{"pgrep", "xargs", "kill"}));
}

TEST(ProgramsOf, BashDashCIsAnalysed) {
  EXPECT_EQ(ProgramsOf("bash -c \"cd x && ./start.sh --port 8001\""),
            (Names{"bash", "cd", "start.sh"}));
  EXPECT_EQ(ProgramsOf("nohup sh -lc 'python3 a.py | tee log' &"),
            (Names{"nohup", "sh", "python3", "tee"}));
  EXPECT_EQ(ProgramsOf("bash start.sh"), (Names{"bash"}));
}

TEST(ProgramsOf, Basenames) {
  EXPECT_EQ(ProgramsOf("/usr/bin/python3 -c 'print(1)'"), (Names{"python3"}));
  EXPECT_EQ(ProgramsOf("./deploy_api_server_scripts/deploy_api_server.sh"),
            (Names{"deploy_api_server.sh"}));
}

TEST(ProgramsOf, Redirections) {
  EXPECT_EQ(ProgramsOf("python3 server.py > log 2>&1 &"), (Names{"python3"}));
  EXPECT_EQ(ProgramsOf("2>/dev/null ls"), (Names{"ls"}));
  EXPECT_EQ(ProgramsOf("ls &> /dev/null && echo ok"), (Names{"ls", "echo"}));
  EXPECT_EQ(ProgramsOf("echo hi >> out.txt; tail -n 5 < out.txt"),
            (Names{"echo", "tail"}));
}

TEST(ProgramsOf, HereDocBodyIsData) {
  EXPECT_EQ(ProgramsOf("cat > f.py <<'EOF'\nimport os\nrm -rf /\nEOF\npython3 f.py"),
            (Names{"cat", "python3"}));
  EXPECT_EQ(ProgramsOf("cat <<-END | sh\n\tls\n\tEND\necho after"),
            (Names{"cat", "sh", "echo"}));
}

TEST(ProgramsOf, CompoundCommands) {
  EXPECT_EQ(ProgramsOf("for p in 8001 8002; do curl -s localhost:$p; done"),
            (Names{"curl"}));
  EXPECT_EQ(ProgramsOf("if [ -f x ]; then cat x; else touch x; fi"),
            (Names{"[", "cat", "touch"}));
  EXPECT_EQ(ProgramsOf("while true; do sleep 1; done"), (Names{"true", "sleep"}));
  EXPECT_EQ(ProgramsOf("# just a comment\nls # trailing"), (Names{"ls"}));
}

TEST(ProgramsOf, EmptyAndGarbageNeverThrow) {
  EXPECT_TRUE(ProgramsOf("").empty());
  EXPECT_TRUE(ProgramsOf("   \n ; && |").empty());
  for (const char* bad : {"\"unterminated", "'open", "$((((", "`", "\\", "$(",
                          "<<", "cat <<", ">", "))))", "bash -c"})
    EXPECT_NO_THROW(ProgramsOf(bad)) << bad;
  EXPECT_EQ(ProgramsOf(std::string(100000, '(') + "ls"), (Names{}))
      << "deep nesting is skipped past the depth bound, not recursed into";
  std::mt19937 rng(42);
  const std::string alphabet = "ab $()`'\"\\|&;<>\n#{}=-c";
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    for (int k = rng() % 40; k > 0; --k) s += alphabet[rng() % alphabet.size()];
    EXPECT_NO_THROW(ProgramsOf(s)) << s;
  }
}

}  // namespace
}  // namespace redline
