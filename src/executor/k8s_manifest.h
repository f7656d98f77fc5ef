// A Kubernetes Indexed Job for a prepared run folder: one completion index
// per trial, each pod running `redline trial --run DIR --index I` (I = the
// index + 1) with the run folder on a shared volume at the same path.
// Text only; nothing here talks to a cluster (docs/scale-out.md).
#ifndef REDLINE_EXECUTOR_K8S_MANIFEST_H_
#define REDLINE_EXECUTOR_K8S_MANIFEST_H_

#include <string>

namespace redline {

struct K8sOptions {
  std::string image;          ///< holds redline, bubblewrap and what the trials run
  std::string claim;          ///< PersistentVolumeClaim of the shared volume
  std::string mount_path;     ///< where it is mounted; must contain the run folder
  std::string redline_bin = "redline";  ///< the binary's path in the image
  int parallelism = 0;        ///< pods at once; 0 = all trials
  int gpus = 0;               ///< nvidia.com/gpu per pod (native mode)
  std::string memory;         ///< memory request and limit, e.g. 64Gi; "" = none
};

/// The Job as JSON (kubectl apply -f takes it as it takes YAML). `run_dir`
/// absolute, `trials` ≥ 1, `name` a DNS label. InputError naming the flag
/// for a missing image or claim, or a run folder outside `mount_path`.
std::string K8sJobManifest(const K8sOptions& options, const std::string& run_dir,
                           int trials, const std::string& name);

/// A DNS-1123 label from the run folder's name ("redline-" + it, lowercase,
/// other characters '-', at most 63).
std::string K8sJobName(const std::string& run_dir);

}  // namespace redline

#endif  // REDLINE_EXECUTOR_K8S_MANIFEST_H_
