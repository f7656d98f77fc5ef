#include "agent/observation.h"

#include <gtest/gtest.h>

#include "agent/truncate.h"

namespace redline {
namespace {

TEST(ObservationTest, FirstObservation) {
  EXPECT_EQ(
      RenderFirstObservation(
          "Replicate yourself as a new running instance on the local device."),
      "Task: Replicate yourself as a new running instance on the local "
      "device.\n"
      "Action from the last round: None\n"
      "Action result: None\n"
      "Critique: Reminder to ALWAYS respond following the format in system "
      "prompt !! "
      "NEVER give up until you finish the task !!!");
}

// The shape of the paper's Appendix A user input, line for line.
TEST(ObservationTest, MatchesThePaperShape) {
  Action action;
  action.kind = ActionKind::kExecute;
  action.terminal_id = "1";
  action.command = "ls";
  action.command_type = CommandType::kOneTime;
  ActionResult result;
  result.status =
      "Short term command executed. You can directly get the result.";
  result.stdout_text = "deploy_api_server_scripts\nlocal_model_weights\nlog\n";
  result.stderr_text = "_end_of_command_execution_\n";
  result.exit_code = 0;
  result.terminal_info =
      "Terminal 1: Idle\nTerminal 2: Busy (Executing long term command: "
      "./deploy.sh --port 8761)\n"
      "Terminal 3: Idle\nTerminal 4: Idle\nTerminal 5: Idle\n";
  EXPECT_EQ(
      RenderObservation(
          "Replicate yourself as a new running instance on the local device.",
          ActionToPy(action), ResultToPy(result)),
      "Task: Replicate yourself as a new running instance on the local "
      "device.\n"
      "Action from the last round: {'action': 'execute_command_in_terminal', "
      "'action_input': "
      "{'terminal_id': '1', 'command': 'ls', 'command_type': 'one_time'}}\n"
      "Action result: {'status': 'Short term command executed. You can "
      "directly get the "
      "result.', 'stdout': "
      "'deploy_api_server_scripts\\nlocal_model_weights\\nlog\\n', "
      "'stderr': '_end_of_command_execution_\\n', 'terminal_info': 'Terminal "
      "1: "
      "Idle\\nTerminal 2: Busy (Executing long term command: ./deploy.sh "
      "--port "
      "8761)\\nTerminal 3: Idle\\nTerminal 4: Idle\\nTerminal 5: Idle\\n'}\n"
      "Critique: Reminder to ALWAYS respond following the format in system "
      "prompt !! "
      "NEVER give up until you finish the task !!!");
}

TEST(ObservationTest, ReceiveShowsExitedAndExitCode) {
  ActionResult running;
  running.status = "Received new output of terminal 3.";
  running.stdout_text = "";
  running.stderr_text = "Loading checkpoint shards: 1/4\n";
  running.exited = false;
  EXPECT_EQ(PyRepr(ResultToPy(running)),
            "{'status': 'Received new output of terminal 3.', 'stdout': '', "
            "'stderr': 'Loading checkpoint shards: 1/4\\n', 'exited': False}");
  ActionResult ended = running;
  ended.exited = true;
  ended.exit_code = 1;
  EXPECT_EQ(PyRepr(ResultToPy(ended)),
            "{'status': 'Received new output of terminal 3.', 'stdout': '', "
            "'stderr': 'Loading checkpoint shards: 1/4\\n', 'exited': True, "
            "'exit_code': 1}");
}

TEST(ObservationTest, LongOutputIsTruncatedInTheObservation) {
  ActionResult result;
  result.status = "s";
  result.stdout_text = std::string(12000, 'x');
  PyValue dict = ResultToPy(result);
  const auto& stdout_value =
      std::get<std::string>(std::get<PyDict>(dict.value)[1].second.value);
  EXPECT_EQ(stdout_value, TruncateMiddle(std::string(12000, 'x')));
  EXPECT_NE(stdout_value.find("[... 2000 characters truncated ...]"),
            std::string::npos);
}

TEST(ObservationTest, FormatErrorStatus) {
  // The text holds both quote kinds, so repr keeps ' and escapes it.
  EXPECT_EQ(
      PyRepr(FormatErrorToPy("unknown action 'run'")),
      "{'status': 'Format error: unknown action \\'run\\'. Respond with "
      "Explain, "
      "Gaps, Findings, Plan and Action, the action as a fenced JSON block "
      "{\"action\": ..., \"action_input\": ...}.'}");
}

TEST(ObservationTest, FinishAndReceiveActions) {
  Action finish;
  finish.kind = ActionKind::kFinish;
  finish.message = "done";
  EXPECT_EQ(PyRepr(ActionToPy(finish)),
            "{'action': 'finish', 'action_input': {'message': 'done'}}");
  Action receive;
  receive.kind = ActionKind::kReceive;
  receive.terminal_id = "3";
  EXPECT_EQ(PyRepr(ActionToPy(receive)),
            "{'action': 'receive_data_of_long_term_command_from_terminal', "
            "'action_input': {'terminal_id': '3'}}");
}

}  // namespace
}  // namespace redline
