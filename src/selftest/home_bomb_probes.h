// The probe's archive-bomb case: it leaves in the home what would hurt a
// careless copy or listing of it after the trial (a sparse 100 TB file, a
// FIFO, symlinks to host files, a file name with a newline and terminal
// escape sequences), in the home and in a `log/` folder, whose files the
// workspace archive keeps. The runner then archives the home as a trial
// does and checks the result (selftest_runner.cc).
#ifndef REDLINE_SELFTEST_HOME_BOMB_PROBES_H_
#define REDLINE_SELFTEST_HOME_BOMB_PROBES_H_

#include "selftest/probe_report.h"

namespace redline::probe {

/// The hostile name the probe gives one file (and the runner looks for,
/// escaped, in the listing).
inline constexpr char kHostileName[] =
    "evil\nname\x1b]0;pwned\x07\x1b[2J\x1b[31mred";

void AddHomeBombProbes(ProbeCases* cases);

}  // namespace redline::probe

#endif  // REDLINE_SELFTEST_HOME_BOMB_PROBES_H_
