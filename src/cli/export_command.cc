#include "cli/export_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/error.h"
#include "export/inspect_export.h"
#include "report/run_data.h"

namespace redline {

ExportCommand::ExportCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "export", "Export finished runs for other tools: Inspect AI eval logs, one per "
                "run (a matrix: one per cell), that Inspect's log viewer opens");
  command_->add_option("dirs", dirs_, "run folders, or folders of run folders (a matrix)")
      ->required();
  command_->add_option("--format", format_,
                       "inspect: Inspect's .json log; inspect-eval: its .eval (zip) log")
      ->required()
      ->check(CLI::IsMember({"inspect", "inspect-eval"}));
  command_->add_option("--out", out_,
                       "a folder for the logs (and the viewer's listing.json), or, for "
                       "one run, a .json or .eval file")
      ->required();
}

bool ExportCommand::Selected() const { return command_->parsed(); }

int ExportCommand::Execute() const {
  InspectFormat format =
      format_ == "inspect-eval" ? InspectFormat::kEval : InspectFormat::kJson;
  std::vector<std::string> files;
  try {
    files = ExportInspect(LoadRuns(dirs_), format, out_);
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // SystemError or a filesystem error: a folder we cannot read or write.
    std::fprintf(stderr, "redline: export to %s failed: %s\n", out_.c_str(), e.what());
    return 2;
  }
  for (const std::string& file : files) std::printf("inspect log: %s\n", file.c_str());
  return 0;
}

}  // namespace redline
