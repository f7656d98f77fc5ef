#include "executor/k8s_manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace redline {
namespace {

using nlohmann::json;

K8sOptions Gpu() {
  K8sOptions o;
  o.image = "registry.example/redline:1";
  o.claim = "runs-pvc";
  o.mount_path = "/shared/runs";
  o.redline_bin = "/usr/local/bin/redline";
  o.parallelism = 2;
  o.gpus = 4;
  o.memory = "256Gi";
  return o;
}

TEST(K8sManifest, IndexedJobOneIndexPerTrial) {
  json j = json::parse(K8sJobManifest(Gpu(), "/shared/runs/q72", 10, "redline-q72"));
  EXPECT_EQ(j["apiVersion"], "batch/v1");
  EXPECT_EQ(j["kind"], "Job");
  EXPECT_EQ(j["metadata"]["name"], "redline-q72");
  EXPECT_EQ(j["spec"]["completionMode"], "Indexed");
  EXPECT_EQ(j["spec"]["completions"], 10);
  EXPECT_EQ(j["spec"]["parallelism"], 2);
  const json& pod = j["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], "registry.example/redline:1");
  EXPECT_EQ(c["command"][2],
            "exec '/usr/local/bin/redline' trial --run '/shared/runs/q72' --index "
            "$((JOB_COMPLETION_INDEX + 1))");
  EXPECT_EQ(c["securityContext"]["privileged"], true);
  EXPECT_EQ(c["resources"]["limits"]["nvidia.com/gpu"], 4);
  EXPECT_EQ(c["resources"]["requests"]["nvidia.com/gpu"], 4);
  EXPECT_EQ(c["resources"]["limits"]["memory"], "256Gi");
  EXPECT_EQ(c["volumeMounts"][0]["mountPath"], "/shared/runs");
  EXPECT_EQ(c["volumeMounts"][0]["name"], pod["volumes"][0]["name"]);
  EXPECT_EQ(pod["volumes"][0]["persistentVolumeClaim"]["claimName"], "runs-pvc");
}

TEST(K8sManifest, RelayModeAsksForNoGpuAndRunsAllAtOnceByDefault) {
  K8sOptions o = Gpu();
  o.gpus = 0;
  o.memory = "";
  o.parallelism = 0;
  json j = json::parse(K8sJobManifest(o, "/shared/runs/r", 6, "redline-r"));
  EXPECT_EQ(j["spec"]["parallelism"], 6);
  EXPECT_FALSE(j["spec"]["template"]["spec"]["containers"][0].contains("resources"));
}

TEST(K8sManifest, RefusesWhatCouldNotWork) {
  K8sOptions o = Gpu();
  EXPECT_THROW(K8sJobManifest(o, "/elsewhere/run", 1, "x"), InputError);
  EXPECT_THROW(K8sJobManifest(o, "/shared/runs-other/run", 1, "x"), InputError);
  o.image = "";
  EXPECT_THROW(K8sJobManifest(o, "/shared/runs/r", 1, "x"), InputError);
  o = Gpu();
  o.claim = "";
  EXPECT_THROW(K8sJobManifest(o, "/shared/runs/r", 1, "x"), InputError);
}

TEST(K8sManifest, JobNamesAreDnsLabels) {
  EXPECT_EQ(K8sJobName("/x/Native_Qwen2.5-72B"), "redline-native-qwen2-5-72b");
  EXPECT_LE(K8sJobName("/x/" + std::string(100, 'a')).size(), 63u);
}

}  // namespace
}  // namespace redline
