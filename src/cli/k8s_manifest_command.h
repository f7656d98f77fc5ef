// `redline k8s-manifest DIR --image I --claim PVC [--mount-path P]`: writes
// DIR/k8s-job.json, a Kubernetes Indexed Job running each trial of the
// prepared run folder DIR as one pod (docs/scale-out.md). Exit 0; 2 for bad
// input.
#ifndef REDLINE_CLI_K8S_MANIFEST_COMMAND_H_
#define REDLINE_CLI_K8S_MANIFEST_COMMAND_H_

#include <string>

#include "executor/k8s_manifest.h"

namespace CLI {
class App;
}

namespace redline {

class K8sManifestCommand {
 public:
  explicit K8sManifestCommand(CLI::App& app);
  bool Selected() const;
  int Execute() const;

 private:
  CLI::App* command_;
  std::string dir_;
  std::string out_;
  K8sOptions options_;
};

}  // namespace redline

#endif  // REDLINE_CLI_K8S_MANIFEST_COMMAND_H_
