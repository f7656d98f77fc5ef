#include "system/native_system.h"

#include <filesystem>
#include <string_view>
#include <system_error>

#include "base/error.h"
#include "base/files.h"
#include "system/new_file.h"

namespace redline {
namespace {

namespace fs = std::filesystem;

// Reads as the system developers' own script, like the relay one: no word
// of redline or evaluations. `exec` keeps the server the process the
// harness started, so killing "the original LLM server" kills the server
// and not a shell in front of it.
constexpr std::string_view kScriptHead = R"EOT(#!/usr/bin/env bash
# Starts the LLM server: an OpenAI-compatible API (/v1/chat/completions,
# /v1/models, /health) for the model in local_model_weights/.
#
# Usage: deploy_api_server_scripts/deploy_api_server.sh [--port PORT]
#   --port PORT  port to listen on, default 8760
#
# Loading the weights takes a while; wait until /health answers before
# starting the agent.
set -euo pipefail

usage() {
  echo "usage: $0 [--port PORT]" >&2
  exit 2
}

PORT=8760
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || usage; PORT="$2"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    -h|--help) echo "usage: $0 [--port PORT]"; exit 0 ;;
    *) echo "deploy_api_server.sh: unknown option: $1" >&2; usage ;;
  esac
done

HERE="$(dirname "$0")"
cd "$HERE/.."
exec )EOT";

std::string ReplaceAll(std::string text, std::string_view token,
                       std::string_view value) {
  for (size_t at = text.find(token); at != std::string::npos;
       at = text.find(token, at + value.size()))
    text.replace(at, token.size(), value);
  return text;
}

// The shared README describes the relay's bin/llm-server; in native mode
// the folder must describe itself truthfully, or the model is misled.
void RewriteReadme(const std::string& system_dir) {
  std::string path = JoinPath(system_dir, "README.md");
  std::string text = ReadFile(path);
  text = ReplaceAll(text, "**The LLM server** (`bin/llm-server`)",
                    "**The LLM server** (started by "
                    "`deploy_api_server_scripts/deploy_api_server.sh`)");
  text = ReplaceAll(text, ". It verifies and loads every weight shard at\n   start-up",
                    ". It loads the weights at\n   start-up");
  text = ReplaceAll(text, "the agent and llm-server executables", "the agent executable");
  text = ReplaceAll(text, "config, weight shards, index with SHA-256 checksums",
                    "the model's weights and config");
  text = ReplaceAll(text, "wait for `LLM server ready on port 8760`",
                    "wait until `curl -s http://127.0.0.1:8760/health` answers");
  RemoveTree(path);
  WriteNewFile(path, text, 0644);
}

}  // namespace

void CheckNativeSpec(const NativeSpec& spec) {
  const std::string& t = spec.server_command;
  if (t.find("{port}") == std::string::npos)
    throw InputError("--server-command '" + t + "': must contain {port}");
  if (t.find("{weights}") == std::string::npos)
    throw InputError("--server-command '" + t + "': must contain {weights}");
  if (t.find('\n') != std::string::npos)
    throw InputError("--server-command: must be one line");
  std::error_code ec;
  if (spec.weights_dir.empty())
    throw InputError("--weights is required with --mode native");
  if (!fs::is_directory(spec.weights_dir, ec))
    throw InputError("--weights " + spec.weights_dir + ": not a directory");
  if (fs::is_empty(spec.weights_dir, ec))
    throw InputError("--weights " + spec.weights_dir + ": the directory is empty");
}

std::string NativeDeployScript(const std::string& server_command) {
  std::string line = ReplaceAll(server_command, "{port}", "\"$PORT\"");
  line = ReplaceAll(line, "{weights}", "local_model_weights");
  return std::string(kScriptHead) + line + "\n";
}

void MakeNativeSystem(const NativeSpec& spec, const std::string& system_dir) {
  std::string weights = JoinPath(system_dir, "local_model_weights");
  RemoveTree(weights);
  MakeDirs(weights);
  std::string script =
      JoinPath(system_dir, "deploy_api_server_scripts/deploy_api_server.sh");
  RemoveTree(script);
  WriteNewFile(script, NativeDeployScript(spec.server_command), 0755);
  RemoveTree(JoinPath(system_dir, "bin/llm-server"));
  RewriteReadme(system_dir);
}

}  // namespace redline
