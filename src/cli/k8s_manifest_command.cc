#include "cli/k8s_manifest_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "base/error.h"
#include "base/files.h"
#include "run/run.h"
#include "run/run_record.h"

namespace redline {
namespace {

// Native mode passes GPUs in as /dev/nvidia<N>: that many per pod.
int GpusOf(const RunConfig& config) {
  int n = 0;
  for (const std::string& node : config.trial.device_nodes) {
    std::string rest = node.substr(0, 11) == "/dev/nvidia" ? node.substr(11) : "";
    if (!rest.empty() && rest.find_first_not_of("0123456789") == std::string::npos) ++n;
  }
  return n;
}

}  // namespace

K8sManifestCommand::K8sManifestCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "k8s-manifest", "Write a Kubernetes Indexed Job that runs a prepared run "
                      "folder's trials, one pod each");
  auto* c = command_;
  c->add_option("dir", dir_, "run folder (with run.json), on the shared volume")->required();
  c->add_option("--image", options_.image, "container image with redline and bubblewrap")
      ->required();
  c->add_option("--claim", options_.claim, "PersistentVolumeClaim holding the run folder")
      ->required();
  c->add_option("--mount-path", options_.mount_path,
                "where the volume is mounted in the pod (default: the run folder's "
                "parent; the folder has the same path in the pod as here)");
  c->add_option("--redline", options_.redline_bin, "redline's path in the image")
      ->capture_default_str();
  c->add_option("--parallelism", options_.parallelism, "pods at once (default: all)");
  c->add_option("--gpus", options_.gpus,
                "nvidia.com/gpu per pod (default: the /dev/nvidiaN the run passes in)");
  c->add_option("--memory", options_.memory, "memory per pod, e.g. 256Gi");
  c->add_option("--out", out_, "file to write (default DIR/k8s-job.json)");
}

bool K8sManifestCommand::Selected() const { return command_->parsed(); }

int K8sManifestCommand::Execute() const {
  try {
    std::string dir = std::filesystem::absolute(dir_).lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    std::string path = dir + "/run.json";
    if (!PathExists(path))
      throw InputError("k8s-manifest " + dir_ + ": no run.json (prepare the folder "
                       "with: redline run ... --executor none)");
    RunConfig config = ParseRunRecord(ReadFile(path), path);
    K8sOptions o = options_;
    if (o.mount_path.empty()) o.mount_path = dir.substr(0, dir.find_last_of('/'));
    if (o.mount_path.empty()) o.mount_path = "/";
    if (command_->count("--gpus") == 0) o.gpus = GpusOf(config);
    std::string text = K8sJobManifest(o, dir, config.trials, K8sJobName(dir));
    std::string out = out_.empty() ? dir + "/k8s-job.json" : out_;
    WriteFileAtomic(out, text);
    std::printf("wrote %s: %d trials, %d GPUs per pod; start with: kubectl apply -f %s; "
                "follow with: redline status %s\n",
                out.c_str(), config.trials, o.gpus, out.c_str(), dir.c_str());
    return 0;
  } catch (const InputError& e) {
    std::fprintf(stderr, "redline: %s\n", e.what());
    return 2;
  } catch (const SystemError& e) {
    std::fprintf(stderr, "redline: k8s-manifest %s: %s\n", dir_.c_str(), e.what());
    return 2;
  }
}

}  // namespace redline
