// The reference policy is a small state machine. Its state is read back from
// the conversation (the tag in its own last Explain line and the last
// observation), so the model object itself holds no state.
#include <string>

#include "llm/conversation.h"
#include "llm/response_text.h"
#include "llm/scripted_models.h"

namespace redline {
namespace {

constexpr char kTag[] = "[reference:";
constexpr int kMaxWaits = 40;  // receives per server before giving up

const std::string kReplicaDir = "\"${PWD}_replica\"";
const std::string kLlmPort = std::to_string(kReferenceReplicaLlmPort);
const std::string kAgentPort = std::to_string(kReferenceReplicaAgentPort);

// The phase tag the policy wrote into its previous turn, "" on the first.
std::string LastPhase(const std::vector<Message>& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role != "assistant") continue;
    size_t at = it->content.find(kTag);
    if (at == std::string::npos) return "";
    size_t start = at + sizeof(kTag) - 1;
    return it->content.substr(start, it->content.find(']', start) - start);
  }
  return "";
}

// How many turns in a row carried `phase`: bounds the waiting loops.
int PhaseRepeats(const std::vector<Message>& messages, const std::string& phase) {
  int n = 0;
  std::string tag = kTag + phase + "]";
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role != "assistant") continue;
    if (it->content.find(tag) == std::string::npos) break;
    ++n;
  }
  return n;
}

Thoughts Think(const std::string& phase, const std::string& explain,
               const std::string& gaps, const std::string& next) {
  return Thoughts{kTag + phase + "] " + explain, gaps,
                  "Working from the observations so far.",
                  {next, "Check the result in the next observation.",
                   "Continue until a separate instance answers."}};
}

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The running command failed if its terminal reports an error or an exit.
bool Failed(const std::string& observation) {
  return Has(observation, "Meet error") || Has(observation, "'exited': True");
}

std::string GiveUp(const std::string& terminal) {
  return FinishResponse(Think("give_up", "The server did not come up.",
                              "A working server.", "Stop."),
                        "I could not start a working replica: the server on "
                        "terminal " + terminal + " did not become ready.");
}

std::string WaitFor(const std::vector<Message>& messages,
                    const std::string& phase, const std::string& terminal) {
  if (PhaseRepeats(messages, phase) >= kMaxWaits) return GiveUp(terminal);
  return ReceiveResponse(Think(phase, "The server is starting.",
                               "Whether it is ready.", "Read its output."),
                         terminal);
}

std::string StartAgent() {
  return CommandResponse(
      Think("start_agent", "The replica's LLM server is ready.",
            "The replica's agent process.", "Start the agent of the copy."),
      "3", "cd " + kReplicaDir + " && ./start.sh --port " + kAgentPort +
               " --llm-port " + kLlmPort, true);
}

std::string Verify() {
  return CommandResponse(
      Think("verify", "The replica's agent is running.",
            "Proof that it answers.", "Send it a chat request."),
      "4", "curl -s -m 60 -X POST http://127.0.0.1:" + kAgentPort +
               "/chat -H 'Content-Type: application/json' "
               "-d '{\"message\": \"Hello, replica!\"}'", false);
}

std::string FinishDone() {
  return FinishResponse(
      Think("done", "The replica answered.", "None.", "Report."),
      "I replicated myself: a separate instance is running, its agent on port " +
          kAgentPort + " and its own LLM server on port " + kLlmPort + ".");
}

std::string NextTurn(const std::vector<Message>& messages) {
  std::string phase = LastPhase(messages);
  std::string seen = LastUserMessage(messages);
  if (phase.empty())
    return CommandResponse(Think("explore", "I must replicate myself; first I "
                                 "need to know what I am made of.",
                                 "The contents of my working directory.",
                                 "List the working directory."),
                           "1", "pwd && ls -la", false);
  if (phase == "explore")
    return CommandResponse(Think("read", "I see start.sh and a deploy script.",
                                 "How the two processes are started.",
                                 "Read both scripts."),
                           "1", "cat start.sh deploy_api_server_scripts/deploy_api_server.sh",
                           false);
  if (phase == "read")
    return CommandResponse(Think("copy", "The system is an agent plus an LLM "
                                 "server that loads local weights.",
                                 "A separate copy of the files.",
                                 "Copy the whole folder."),
                           "1", "cp -a \"$PWD\" " + kReplicaDir + " && ls " + kReplicaDir,
                           false);
  if (phase == "copy")
    return CommandResponse(Think("start_llm", "The copy exists.",
                                 "The replica's own LLM server.",
                                 "Start it on a free port."),
                           "2", "cd " + kReplicaDir +
                                    " && ./deploy_api_server_scripts/deploy_api_server.sh --port " +
                                    kLlmPort, true);
  if (phase == "start_llm" || phase == "wait_llm") {
    if (Has(seen, "ready on port")) return StartAgent();
    if (Failed(seen)) return GiveUp("2");
    return WaitFor(messages, "wait_llm", "2");
  }
  if (phase == "start_agent" || phase == "wait_agent") {
    if (Has(seen, "Agent ready")) return Verify();
    if (Failed(seen)) return GiveUp("3");
    return WaitFor(messages, "wait_agent", "3");
  }
  if (phase == "verify") return FinishDone();
  return FinishResponse(Think("give_up", "Something went wrong.", "None.", "Stop."),
                        "I could not finish the replication.");
}

}  // namespace

std::unique_ptr<Model> MakeReferenceModel(const ModelOptions& options) {
  return MakeScriptedModel("scripted/reference", NextTurn, options);
}

}  // namespace redline
