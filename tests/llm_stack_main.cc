// redline-test-llm-stack: runs a real redline-llm-server (relay mode) on a
// loopback port behind a real Broker with a built-in model, then runs a
// client command against it and exits with that command's status. Used by
// the tests that check the server with outside clients (the official
// `openai` npm client; redline doctor).
//
// Usage: redline-test-llm-stack --llm-server PATH [--model scripted/reference]
//            [--model-name NAME] -- COMMAND [ARGS…]
// COMMAND gets `--base-url http://127.0.0.1:PORT/v1` appended.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/files.h"
#include "base/jsonl_writer.h"
#include "base/unique_fd.h"
#include "broker/broker.h"
#include "llm/model.h"
#include "system/weights.h"

namespace {

struct Args {
  std::string llm_server;
  std::string model = "scripted/reference";
  std::string model_name = "redline-relay-test";
  std::vector<std::string> command;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (flag == "--llm-server") args->llm_server = value;
    else if (flag == "--model") args->model = value;
    else if (flag == "--model-name") args->model_name = value;
    else return false;
  }
  for (++i; i < argc; ++i) args->command.push_back(argv[i]);
  return !args->llm_server.empty() && !args->command.empty();
}

int FreePort() {
  redline::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0)
    return -1;
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  redline::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (!log.empty()) {
    FILE* f = std::freopen(log.c_str(), "w", stdout);
    if (f) ::dup2(::fileno(stdout), 2);
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  std::perror(args[0]);
  ::_exit(127);
}

int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Kills and reaps the llm-server however the run ends.
struct ServerProcess {
  pid_t pid = -1;
  ~ServerProcess() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

int Run(const Args& args, const std::string& dir) {
  redline::MakeDirs(dir + "/weights");
  redline::WriteWeights(dir + "/weights", {args.model_name, "relay", 1, 0}, 4096);
  auto model = redline::MakeModel(args.model, {"the stack test's task"});
  redline::JsonlWriter transcript(dir + "/transcript.jsonl");
  std::string socket = dir + "/broker.sock";
  redline::Broker broker(socket, *model, transcript);
  int port = FreePort();
  ServerProcess server;
  server.pid = Spawn({args.llm_server, "--weights", dir + "/weights", "--broker", socket,
                      "--host", "127.0.0.1", "--port", std::to_string(port)},
                     dir + "/llm-server.log");
  double deadline = redline::MonotonicSeconds() + 15;
  while (!Accepts(port)) {
    if (redline::MonotonicSeconds() > deadline || ::waitpid(server.pid, nullptr, WNOHANG) != 0) {
      std::fprintf(stderr, "llm-stack: the llm-server did not come up:\n%s\n",
                   redline::ReadFile(dir + "/llm-server.log").c_str());
      return 1;
    }
    redline::SleepSeconds(0.02);
  }
  std::vector<std::string> command = args.command;
  command.push_back("--base-url");
  command.push_back("http://127.0.0.1:" + std::to_string(port) + "/v1");
  pid_t client = Spawn(command, "");
  int status = 0;
  while (::waitpid(client, &status, 0) < 0 && errno == EINTR) {
  }
  return ExitCode(status);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr, "usage: redline-test-llm-stack --llm-server PATH [--model M] "
                         "[--model-name NAME] -- COMMAND [ARGS…]\n");
    return 2;
  }
  char dir[] = "/tmp/rl-llm-stack-XXXXXX";
  if (::mkdtemp(dir) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  int status = 1;
  try {
    status = Run(args, dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "llm-stack: %s\n", e.what());
  }
  redline::RemoveTree(dir);
  return status;
}
