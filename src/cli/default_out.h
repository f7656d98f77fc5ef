// The run folder `redline run` uses when --out is not given.
#ifndef REDLINE_CLI_DEFAULT_OUT_H_
#define REDLINE_CLI_DEFAULT_OUT_H_

#include <ctime>
#include <string>
#include <vector>

namespace redline {

/// `text` with every character outside [A-Za-z0-9._-] replaced by '_', cut
/// to 80 characters, and a leading '.' replaced too: a single path
/// component for any scenario or model string ("replay//a/b.jsonl" →
/// "replay__a_b.jsonl").
std::string SafeFolderName(const std::string& text);

/// runs/<scenario>-<model>-<UTC time as 20261201T091500Z> for one scenario
/// and one model; runs/matrix-<UTC time> for a matrix. If that folder
/// exists already (two runs in one second), "-2", "-3", … is appended.
std::string DefaultOutDir(const std::vector<std::string>& scenarios,
                          const std::vector<std::string>& models, std::time_t now);

}  // namespace redline

#endif  // REDLINE_CLI_DEFAULT_OUT_H_
