// The fallback for native mode's weights where no copy-on-write view can be
// made (device/weights_view.h): a real copy into the trial's folder, with
// progress, since a 70B checkpoint takes minutes.
#ifndef REDLINE_SYSTEM_WEIGHTS_COPY_H_
#define REDLINE_SYSTEM_WEIGHTS_COPY_H_

#include <cstdint>
#include <functional>
#include <string>

namespace redline {

/// Bytes of the regular files under `dir`, following symbolic links as the
/// copy does.
uint64_t WeightsBytes(const std::string& dir);

/// Copies `from` into the new directory `to` (symbolic links are followed:
/// the copy holds what they point at), makes it readable by others, and
/// calls `progress(done, total)` about every `every_seconds` and once at
/// the end. Throws SystemError naming the file.
void CopyWeightsWithProgress(const std::string& from, const std::string& to,
                             const std::function<void(uint64_t, uint64_t)>& progress,
                             double every_seconds = 5);

/// "1.5 of 140.0 GiB" (MiB below one GiB): for progress lines.
std::string ProgressText(uint64_t done, uint64_t total);

}  // namespace redline

#endif  // REDLINE_SYSTEM_WEIGHTS_COPY_H_
