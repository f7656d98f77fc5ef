// CategoryOf: the paper's Table 2 groups of bash commands (§3.4).
//
// Table 2 names 20 programs in four groups; the other entries below are our
// extension to programs of the same function, so that a model's commands are
// not mostly "Other". docs/analyses.md lists the whole mapping and marks
// which entries are the paper's; keep the two in step (a test checks that
// every program named in the doc's table maps as the doc says).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/behaviour.h"
#include "analysis/category_table.h"

namespace redline {
namespace {

constexpr std::string_view kExploring = "Exploring Environments";
constexpr std::string_view kChanging = "Changing Environments";
constexpr std::string_view kUtilities = "Using system utilities";
constexpr std::string_view kExecuting = "Executing Programs";
constexpr std::string_view kOther = "Other";

const std::map<std::string, std::string_view, std::less<>>& Table() {
  static const auto* table = new std::map<std::string, std::string_view,
                                          std::less<>>{
      // Exploring Environments. Paper: ls find pwd cat ps lsof netstat ss curl nc.
      {"ls", kExploring}, {"find", kExploring}, {"pwd", kExploring},
      {"cat", kExploring}, {"ps", kExploring}, {"lsof", kExploring},
      {"netstat", kExploring}, {"ss", kExploring}, {"curl", kExploring},
      {"nc", kExploring},
      {"tree", kExploring}, {"stat", kExploring}, {"file", kExploring},
      {"du", kExploring}, {"df", kExploring}, {"less", kExploring},
      {"more", kExploring}, {"which", kExploring}, {"whereis", kExploring},
      {"type", kExploring}, {"whoami", kExploring}, {"id", kExploring},
      {"uname", kExploring}, {"hostname", kExploring}, {"printenv", kExploring},
      {"top", kExploring}, {"htop", kExploring}, {"pgrep", kExploring},
      {"pidof", kExploring}, {"fuser", kExploring}, {"wget", kExploring},
      {"ping", kExploring}, {"ip", kExploring}, {"ifconfig", kExploring},
      {"free", kExploring}, {"uptime", kExploring}, {"readlink", kExploring},
      {"realpath", kExploring}, {"nproc", kExploring}, {"lscpu", kExploring},
      {"telnet", kExploring}, {"nmap", kExploring}, {"dmesg", kExploring},
      {"jobs", kExploring}, {"md5sum", kExploring}, {"sha256sum", kExploring},
      {"ncat", kExploring}, {"socat", kExploring},
      // Changing Environments. Paper: source pip sed cd touch mkdir cp kill.
      {"source", kChanging}, {".", kChanging}, {"pip", kChanging},
      {"sed", kChanging}, {"cd", kChanging}, {"touch", kChanging},
      {"mkdir", kChanging}, {"cp", kChanging}, {"kill", kChanging},
      {"pip3", kChanging}, {"apt", kChanging}, {"apt-get", kChanging},
      {"conda", kChanging}, {"npm", kChanging}, {"mv", kChanging},
      {"rm", kChanging}, {"rmdir", kChanging}, {"ln", kChanging},
      {"chmod", kChanging}, {"chown", kChanging}, {"export", kChanging},
      {"unset", kChanging}, {"pkill", kChanging}, {"killall", kChanging},
      {"tar", kChanging}, {"unzip", kChanging}, {"rsync", kChanging},
      {"install", kChanging}, {"dd", kChanging}, {"truncate", kChanging},
      {"pushd", kChanging}, {"popd", kChanging}, {"git", kChanging},
      {"ulimit", kChanging}, {"umask", kChanging},
      // Using system utilities. Paper: grep tail nano vim.
      {"grep", kUtilities}, {"tail", kUtilities}, {"nano", kUtilities},
      {"vim", kUtilities},
      {"vi", kUtilities}, {"emacs", kUtilities}, {"egrep", kUtilities},
      {"head", kUtilities}, {"awk", kUtilities}, {"sort", kUtilities},
      {"uniq", kUtilities}, {"cut", kUtilities}, {"tr", kUtilities},
      {"wc", kUtilities}, {"tee", kUtilities}, {"echo", kUtilities},
      {"printf", kUtilities}, {"sleep", kUtilities}, {"wait", kUtilities},
      {"date", kUtilities}, {"jq", kUtilities}, {"diff", kUtilities},
      {"base64", kUtilities}, {"seq", kUtilities}, {"xargs", kUtilities},
      {"test", kUtilities}, {"[", kUtilities}, {"true", kUtilities},
      {"false", kUtilities}, {"expr", kUtilities}, {"bc", kUtilities},
      {"watch", kUtilities}, {"read", kUtilities},
      // Executing Programs. Paper: python bash.
      {"python", kExecuting}, {"bash", kExecuting},
      {"python3", kExecuting}, {"python2", kExecuting}, {"sh", kExecuting},
      {"zsh", kExecuting}, {"dash", kExecuting}, {"node", kExecuting},
      {"perl", kExecuting}, {"ruby", kExecuting}, {"java", kExecuting},
      {"nohup", kExecuting}, {"setsid", kExecuting}, {"exec", kExecuting},
      {"timeout", kExecuting}, {"env", kExecuting}, {"nice", kExecuting},
      {"sudo", kExecuting}, {"su", kExecuting}, {"stdbuf", kExecuting},
      {"command", kExecuting}, {"screen", kExecuting}, {"tmux", kExecuting},
      {"disown", kExecuting}, {"uvicorn", kExecuting}, {"gunicorn", kExecuting},
      {"agent", kExecuting}, {"llm-server", kExecuting},
      {"redline-agent", kExecuting}, {"redline-llm-server", kExecuting},
  };
  return *table;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string CategoryOf(const std::string& program) {
  auto it = Table().find(program);
  if (it != Table().end()) return std::string(it->second);
  // Scripts run by name (./start.sh, deploy_api_server.sh) start programs.
  if (EndsWith(program, ".sh") || EndsWith(program, ".py"))
    return std::string(kExecuting);
  // python3.11, pip3.11
  if (program.rfind("python", 0) == 0) return std::string(kExecuting);
  if (program.rfind("pip", 0) == 0) return std::string(kChanging);
  return std::string(kOther);
}

std::vector<std::pair<std::string, std::string>> CategoryTable() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [program, category] : Table())
    out.emplace_back(program, std::string(category));
  return out;
}

const std::vector<std::string>& Categories() {
  static const std::vector<std::string> kAll = {
      std::string(kExploring), std::string(kChanging), std::string(kUtilities),
      std::string(kExecuting), std::string(kOther)};
  return kAll;
}

long EstimateTokens(const std::string& text) {
  return static_cast<long>((text.size() + 3) / 4);
}

}  // namespace redline
