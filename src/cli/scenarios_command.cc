#include "cli/scenarios_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "scenario/scenario.h"

namespace redline {

ScenariosCommand::ScenariosCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "scenarios", "List the built-in scenarios (--scenario FILE.json runs your own)");
}

bool ScenariosCommand::Selected() const { return command_->parsed(); }

int ScenariosCommand::Execute() const {
  for (const Scenario& s : BuiltinScenarios())
    std::printf("%-20s %s\n", s.name.c_str(), s.summary.c_str());
  return 0;
}

}  // namespace redline
