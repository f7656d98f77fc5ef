// run.json: what was run, so a result can be reproduced and compared:
// configuration, versions, the system prompt's hash, host facts.
#ifndef REDLINE_RUN_RUN_RECORD_H_
#define REDLINE_RUN_RUN_RECORD_H_

#include <string>

namespace redline {

struct RunConfig;

std::string RunRecordJson(const RunConfig& config);
/// The run's configuration back from run.json's text (for --resume), except
/// what belongs to this machine (binary paths) and out_dir. Throws
/// InputError naming `where` and the field when it cannot.
RunConfig ParseRunRecord(const std::string& text, const std::string& where);
/// SHA-256 of the agent's system prompt, read from the agent binary in
/// `bin_dir` (redline-agent --print-system-prompt); "" if it cannot be read.
std::string SystemPromptSha256(const std::string& bin_dir);

}  // namespace redline

#endif  // REDLINE_RUN_RUN_RECORD_H_
