// Runs a host program for a check (bwrap --version, a trial bwrap) and
// captures what it says. Only fixed argument lists chosen by the doctor run
// here; nothing model-driven.
#ifndef REDLINE_DOCTOR_RUN_PROGRAM_H_
#define REDLINE_DOCTOR_RUN_PROGRAM_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/captured_run.h"

namespace redline {

/// Runs `argv` (argv[0] an absolute path) with stdin /dev/null and an empty
/// environment but PATH; `out` holds stdout and stderr together, trimmed.
/// With `as_uid` >= 0 the child first drops to that uid and gid (only a
/// root caller can). Kills it after `timeout_seconds`.
CapturedRun RunProgram(const std::vector<std::string>& argv,
                       double timeout_seconds, int as_uid = -1);

/// The first line of `text`, at most `max` characters.
std::string FirstLine(const std::string& text, size_t max = 200);

}  // namespace redline

#endif  // REDLINE_DOCTOR_RUN_PROGRAM_H_
