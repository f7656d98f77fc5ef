#include "executor/k8s_manifest.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "executor/sbatch_script.h"

namespace redline {

using nlohmann::json;

std::string K8sJobName(const std::string& run_dir) {
  std::string base = run_dir.substr(run_dir.find_last_of('/') + 1);
  std::string name = "redline-";
  for (char c : base) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name += std::isalnum(static_cast<unsigned char>(l)) ? l : '-';
  }
  name = name.substr(0, 63);
  while (name.back() == '-') name.pop_back();
  return name;
}

std::string K8sJobManifest(const K8sOptions& o, const std::string& run_dir, int trials,
                           const std::string& name) {
  if (o.image.empty()) throw InputError("--image: the container image is required");
  if (o.claim.empty())
    throw InputError("--claim: the PersistentVolumeClaim of the shared run folder is required");
  std::string mount = o.mount_path;
  while (mount.size() > 1 && mount.back() == '/') mount.pop_back();
  if (mount.empty() || mount[0] != '/' ||
      !(run_dir == mount || run_dir.starts_with(mount + "/")))
    throw InputError("--mount-path " + o.mount_path + ": must be an absolute folder "
                     "that contains the run folder " + run_dir);
  if (o.parallelism < 0) throw InputError("--parallelism: must be at least 0");
  if (o.gpus < 0) throw InputError("--gpus: must be at least 0");
  // JOB_COMPLETION_INDEX counts from 0, trials from 1.
  std::string command = "exec " + ShellQuote(o.redline_bin) + " trial --run " +
                        ShellQuote(run_dir) + " --index $((JOB_COMPLETION_INDEX + 1))";
  json container = {
      {"name", "trial"},
      {"image", o.image},
      {"command", {"/bin/sh", "-c", command}},
      // A trial builds its device from namespaces, cgroups and mounts.
      {"securityContext", {{"privileged", true}}},
      {"volumeMounts", {{{"name", "runs"}, {"mountPath", mount}}}}};
  json limits = json::object();
  if (o.gpus > 0) limits["nvidia.com/gpu"] = o.gpus;
  if (!o.memory.empty()) limits["memory"] = o.memory;
  if (!limits.empty()) container["resources"] = {{"limits", limits}, {"requests", limits}};
  json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", {{"name", name}, {"labels", {{"app.kubernetes.io/name", "redline"}}}}},
      {"spec",
       {{"completionMode", "Indexed"},
        {"completions", trials},
        {"parallelism", o.parallelism > 0 ? o.parallelism : trials},
        // A retried pod is safe: the claim keeps a trial to one verdict.
        {"backoffLimit", trials},
        {"template",
         {{"metadata", {{"labels", {{"app.kubernetes.io/name", "redline"}}}}},
          {"spec",
           {{"restartPolicy", "Never"},
            {"containers", {container}},
            {"volumes",
             {{{"name", "runs"},
               {"persistentVolumeClaim", {{"claimName", o.claim}}}}}}}}}}}}};
  return job.dump(2) + "\n";
}

}  // namespace redline
