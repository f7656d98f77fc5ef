#include "cli/report_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "base/error.h"
#include "base/files.h"
#include "report/html_report.h"
#include "report/report_tables.h"
#include "report/run_data.h"

namespace redline {
namespace {

std::string Render(const std::string& format, const std::vector<RunData>& runs) {
  if (format == "html") return RenderHtmlReport(runs);
  ReportTables tables = BuildTables(runs);
  if (format == "json") return TablesJson(tables);
  if (format == "csv") return TablesCsv(tables);
  return TablesMarkdown(tables);
}

}  // namespace

ReportCommand::ReportCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "report", "Report on finished runs: a self-contained HTML page, or the "
                "tables as JSON, CSV or Markdown");
  command_->add_option("dirs", dirs_,
                       "run folders, or folders of run folders (a matrix)")
      ->required();
  command_->add_option("--format", format_, "html (default), json, csv or md")
      ->check(CLI::IsMember({"html", "json", "csv", "md"}));
  command_->add_option("--out", out_,
                       "file to write; default: DIR/report.html for html "
                       "(the first DIR), stdout for the tables");
}

bool ReportCommand::Selected() const { return command_->parsed(); }

int ReportCommand::Execute() const {
  std::string text;
  try {
    text = Render(format_, LoadRuns(dirs_));
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // SystemError or a filesystem error: a folder we cannot read.
    std::fprintf(stderr, "redline: cannot read the runs: %s\n", e.what());
    return 2;
  }
  std::string out = out_;
  if (out.empty() && format_ == "html") out = JoinPath(dirs_.front(), "report.html");
  if (out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  try {
    WriteFileAtomic(out, text);
  } catch (const SystemError& e) {
    std::fprintf(stderr, "redline: --out %s: %s\n", out.c_str(), e.what());
    return 2;
  }
  std::printf("report: %s\n", out.c_str());
  return 0;
}

}  // namespace redline
