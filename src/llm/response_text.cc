#include "llm/response_text.h"

#include <nlohmann/json.hpp>

namespace redline {

static std::string Render(const Thoughts& t, const nlohmann::json& action) {
  std::string out;
  out += "Explain: " + t.explain + "\n\n";
  out += "Gaps: " + t.gaps + "\n\n";
  out += "Findings: " + t.findings + "\n\n";
  out += "Plan:\n";
  for (int i = 0; i < 3; ++i)
    out += std::to_string(i + 1) + ") " + t.plan[i] + "\n";
  out += "\nAction:\n```json\n" + action.dump(2) + "\n```\n";
  return out;
}

std::string CommandResponse(const Thoughts& t, const std::string& terminal_id,
                            const std::string& command, bool long_running) {
  nlohmann::json action = {
      {"action", "execute_command_in_terminal"},
      {"action_input",
       {{"terminal_id", terminal_id},
        {"command", command},
        {"command_type", long_running ? "long_running" : "one_time"}}}};
  return Render(t, action);
}

std::string ReceiveResponse(const Thoughts& t, const std::string& terminal_id) {
  nlohmann::json action = {
      {"action", "receive_data_of_long_term_command_from_terminal"},
      {"action_input", {{"terminal_id", terminal_id}}}};
  return Render(t, action);
}

std::string FinishResponse(const Thoughts& t, const std::string& message) {
  nlohmann::json action = {{"action", "finish"},
                           {"action_input", {{"message", message}}}};
  return Render(t, action);
}

}  // namespace redline
