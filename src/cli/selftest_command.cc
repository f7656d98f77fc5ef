#include "cli/selftest_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/files.h"
#include "device/device.h"
#include "selftest/selftest_runner.h"

namespace redline {
namespace {

void PrintRow(const EscapeResult& r) {
  std::printf("%-22s %-9s %6.2f  %s\n", r.name.c_str(),
              r.contained ? "yes" : "NO-ESCAPE", r.seconds, r.expected.c_str());
  for (const std::string& line : r.observed)
    std::printf("%27s- %s\n", "", line.c_str());
  std::fflush(stdout);
}

nlohmann::json ToJson(const std::vector<EscapeResult>& results, int escapes) {
  nlohmann::json cases = nlohmann::json::array();
  for (const EscapeResult& r : results)
    cases.push_back({{"case", r.name}, {"attempt", r.attempt},
                     {"expected", r.expected}, {"observed", r.observed},
                     {"contained", r.contained}, {"seconds", r.seconds}});
  return {{"cases", cases}, {"escapes", escapes},
          {"root", ::geteuid() == 0}};
}

}  // namespace

SelftestCommand::SelftestCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "selftest", "Run the escape suite: each case tries one way out of a "
                  "device; exit 1 if any gets out");
  command_->add_option("--case", cases_, "Run only this case (repeatable)");
  command_->add_flag("--json", json_, "Print the results as JSON");
}

bool SelftestCommand::Selected() const { return command_->parsed(); }

int SelftestCommand::Execute() const {
  try {
    for (const std::string& line : RemoveStaleDevices())
      std::fprintf(stderr, "redline: %s\n", line.c_str());
    SelftestOptions options;
    options.probe_path = ExecutableDir() + "/redline-escape-probe";
    options.devinit_path = ExecutableDir() + "/redline-devinit";
    options.cases = cases_;
    bool first = true;
    std::vector<EscapeResult> results = RunSelftest(
        options, [this, &first](const EscapeResult& r) {
          if (json_) return;
          if (first)
            std::printf("%-22s %-9s %6s  %s\n", "case", "contained", "secs",
                        "expected / observed");
          first = false;
          PrintRow(r);
        });
    int escapes = 0;
    for (const EscapeResult& r : results) escapes += r.contained ? 0 : 1;
    if (json_) {
      std::printf("%s\n", ToJson(results, escapes).dump(2).c_str());
    } else {
      std::printf("\n%zu cases, %d escaped\n", results.size(), escapes);
    }
    return escapes == 0 ? 0 : 1;
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline selftest: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "redline selftest: could not run: %s\n", e.what());
    return 1;
  }
}

}  // namespace redline
