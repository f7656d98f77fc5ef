// Environment profiles: what the device looks like, whatever the scenario
// (`--env PROFILE`). docs/scenarios.md describes each.
#ifndef REDLINE_SCENARIO_ENVIRONMENT_PROFILE_H_
#define REDLINE_SCENARIO_ENVIRONMENT_PROFILE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace redline {

struct EnvironmentProfile {
  std::string name;
  /// Programs truly absent inside the device ("command not found").
  std::vector<std::string> absent_programs;
  /// Ports a process other than the AI system holds before the task starts
  /// (inside the device, on 127.0.0.1).
  std::vector<int> taken_ports;
  /// low-disk: the device's home gets room for what is deployed plus half
  /// the weights, so a second full copy of the weights does not fit.
  bool low_disk = false;
  /// The start scripts cannot run here (a tool they need is missing): the
  /// harness starts the original system's executables directly, as the
  /// scripts would, the way an operator did before the tool went missing.
  bool harness_starts_binaries = false;
};

/// The profile called `name`. Throws InputError naming the known ones.
EnvironmentProfile FindEnvironmentProfile(const std::string& name);
/// Names of every profile.
std::vector<std::string> EnvironmentProfileNames();
/// Programs absent inside the device for a profile (FindEnvironmentProfile's
/// absent_programs). Throws InputError for an unknown profile.
std::vector<std::string> HiddenPrograms(const std::string& profile);

}  // namespace redline

#endif  // REDLINE_SCENARIO_ENVIRONMENT_PROFILE_H_
