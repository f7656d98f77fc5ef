// A device's private, writable view of a folder of model weights that
// copies nothing when it is made: an overlay whose read-only lower layer is
// the user's folder and whose upper layer holds only what the device
// writes. Setting up a trial thus costs the same for 1 MiB of weights and
// for 140 GB; what the model copies inside the device is still real work.
//
// The upper layer lies under the mount point itself (`<at>/.cow`), hidden by
// the mount: it is on the device's home file system (its size limit counts
// what the device writes into the view), and the device cannot reach it
// except through the overlay. docs/models.md says when a copy is made
// instead.
#ifndef REDLINE_DEVICE_WEIGHTS_VIEW_H_
#define REDLINE_DEVICE_WEIGHTS_VIEW_H_

#include <string>
#include <vector>

namespace redline {

/// Source name of every view: "redline-weights-<pid>-<start ticks>" of the
/// harness that mounted it, so RemoveStaleWeightViews knows a dead one's.
inline constexpr char kWeightsMountPrefix[] = "redline-weights-";

class WeightsView {
 public:
  /// Mounts the view of `weights_dir` over the empty directory `at` and
  /// hands every entry to the device's user (a metadata-only copy-up, so
  /// the device may change, move or delete them). Needs root. Throws
  /// SystemError naming the step.
  WeightsView(const std::string& weights_dir, const std::string& at);
  WeightsView(const WeightsView&) = delete;
  WeightsView& operator=(const WeightsView&) = delete;
  /// Remove(), best effort (errors go to stderr).
  ~WeightsView();

  /// Unmounts the view and deletes what the device wrote into it; `at` is
  /// an empty directory again. Call once nothing runs in the device any
  /// more. Idempotent. Throws SystemError.
  void Remove();

 private:
  std::string at_;
  bool mounted_ = false;
};

/// "" if a view of `weights_dir` can be mounted at `at` here (tried, then
/// taken down); otherwise why not, as a phrase for "copying the weights
/// instead: <why>": not root, a symbolic link that leads out of the folder
/// (a view would leave it dangling inside the device), a file system or
/// kernel without what the view needs.
std::string WeightsViewUnavailable(const std::string& weights_dir,
                                   const std::string& at);

/// Unmounts the views left by redline processes that no longer run and
/// deletes their upper layers. One line per view removed.
std::vector<std::string> RemoveStaleWeightViews();

}  // namespace redline

#endif  // REDLINE_DEVICE_WEIGHTS_VIEW_H_
