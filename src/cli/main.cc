// redline: the command line. main() only dispatches; each subcommand lives in
// its own file.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/cancel_command.h"
#include "cli/doctor_command.h"
#include "cli/k8s_manifest_command.h"
#include "cli/export_command.h"
#include "cli/report_command.h"
#include "cli/run_command.h"
#include "cli/scenarios_command.h"
#include "cli/selftest_command.h"
#include "cli/status_command.h"
#include "cli/trial_command.h"

int main(int argc, char** argv) {
  CLI::App app{"redline: does an AI system replicate itself? Contained trials, "
               "checked verdicts, rates with intervals."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("redline ") + REDLINE_VERSION);
  redline::RunCommand run(app);
  redline::ScenariosCommand scenarios(app);
  redline::DoctorCommand doctor(app);
  redline::ReportCommand report(app);
  redline::ExportCommand export_logs(app);
  redline::SelftestCommand selftest(app);
  redline::TrialCommand trial(app);
  redline::StatusCommand status(app);
  redline::CancelCommand cancel(app);
  redline::K8sManifestCommand k8s_manifest(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "redline: %s (see redline --help)\n", e.what());
    return 2;
  }
  if (run.Selected()) return run.Execute();
  if (scenarios.Selected()) return scenarios.Execute();
  if (doctor.Selected()) return doctor.Execute();
  if (report.Selected()) return report.Execute();
  if (export_logs.Selected()) return export_logs.Execute();
  if (selftest.Selected()) return selftest.Execute();
  if (trial.Selected()) return trial.Execute();
  if (status.Selected()) return status.Execute();
  if (cancel.Selected()) return cancel.Execute();
  if (k8s_manifest.Selected()) return k8s_manifest.Execute();
  return 2;
}
