# Sourced by the tests that run a real local Slurm cluster
# (scripts/local-slurm.sh): exits 77 (skipped) where there can be none.
need_slurm() {
  if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root to run a Slurm cluster"; exit 77; fi
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    if ! (DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
          munge slurmctld slurmd slurm-client >/dev/null 2>&1); then
      echo "SKIP: Slurm (slurmctld, slurmd, munge) is not installed and cannot be installed"
      exit 77
    fi
  fi
}
