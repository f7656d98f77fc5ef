// run.json: what was run, so a result can be reproduced and compared:
// configuration, versions, the system prompt's hash, host facts.
#ifndef REDLINE_RUN_RUN_RECORD_H_
#define REDLINE_RUN_RUN_RECORD_H_

#include <string>

namespace redline {

struct RunConfig;

std::string RunRecordJson(const RunConfig& config);
/// SHA-256 of the agent's system prompt, read from the agent binary in
/// `bin_dir` (redline-agent --print-system-prompt); "" if it cannot be read.
std::string SystemPromptSha256(const std::string& bin_dir);

}  // namespace redline

#endif  // REDLINE_RUN_RUN_RECORD_H_
