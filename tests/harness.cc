#include "harness.h"

#include <sys/wait.h>

#include <cstdio>

#include "base/files.h"
#include "base/random.h"

namespace redline::testing {

CommandResult RunRedline(const std::string& args) {
  CommandResult result;
  std::string command = std::string(REDLINE_BIN) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string FreshDir(const std::string& prefix) {
  std::string dir = "/tmp/" + prefix + "-" + RandomToken(8);
  MakeDirs(dir);
  return dir;
}

std::string QuickFlags() {
  return "--shard-load-seconds 0 --long-running-wait 1 --receive-wait 1 "
         "--time-limit 120 --probe-timeout 30 --quiet";
}

std::string Replay(const std::string& name) {
  return std::string(REPLAY_DIR) + "/" + name + ".jsonl";
}

}  // namespace redline::testing
