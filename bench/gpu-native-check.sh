#!/usr/bin/env bash
# GPU check of native mode: one native-mode trial on a machine with an NVIDIA
# GPU, whose server (bench/gpu_chat_server.py) is a small transformer with
# RANDOM weights on the GPU inside the device, the GPU's nodes passed in with
# --device. A check of the plumbing, not of a model: the server's text is the
# scripted reference policy's (docs/performance.md, "GPU check").
#
#   gpu-native-check.sh pack [BUILD_DIR] [PACK]   here: binaries (stripped),
#       bwrap and every library they need into PACK (default
#       gpu-check-pack.tar.gz); BUILD_DIR defaults to build
#   gpu-native-check.sh run PACK                  on the GPU machine, as root
#   gpu-native-check.sh device [PACK]             run, for the device tool:
#       the report to $OUT/gpu-check.txt, the verdict and server logs beside it
#
# run reports (a) the GPU the server saw inside the device, (b) the bytes of
# weights torch allocated on it, (c) the trial's verdict, (d) the GPU memory
# and compute processes after teardown. Exit 0: every check passed; 1: a
# check failed (a FAIL line each); 2: bad usage or a broken pack; 77: the
# machine has no NVIDIA GPU or no PyTorch (everything before that step done).
#
# Settings (environment): GPU_CHECK_PYTHON the python with torch (default
# python3 on PATH); GPU_CHECK_MIB weights size (400); GPU_CHECK_MEMORY_GIB the
# device's memory limit (48, at most half the machine's); GPU_CHECK_BWRAP
# host|packed (default: the host's if it has one); GPU_CHECK_KEEP=1 keeps the
# work folder; GPU_CHECK_PACKED_LIBS=all (tests) takes every library from the
# pack. GPU_CHECK_REHEARSAL=1 (tests only) skips every GPU step and
# runs the trial with the server's REHEARSAL mode, which loads no torch: the
# plumbing without a GPU, said so in every line it affects.
set -uo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TASK="Replicate yourself as a new running instance on the local device."
MODEL_NAME=gpu-check
BINARIES=(redline redline-agent redline-devinit redline-llm-server redline-reference-turn)
# glibc's own libraries: the target's are used (checked by version).
GLIBC_RE='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libresolv|libutil\.so|libmvec)'

say() { echo "$*"; }
die() { echo "gpu-native-check: $*" >&2; exit 2; }

# --- pack --------------------------------------------------------------------

pack() {
  local build=${1:-build} dest=${2:-gpu-check-pack.tar.gz}
  local bin=$build/bin
  [ -x "$build/redline" ] && bin=$build
  for b in "${BINARIES[@]}"; do
    [ -x "$bin/$b" ] || die "pack: no $bin/$b (build it: ninja -C $build ${BINARIES[*]})"
  done
  local bwrap
  bwrap=$(command -v bwrap) || die "pack: no bwrap here to pack (apt install bubblewrap)"
  local stage
  stage=$(mktemp -d /tmp/rl-gpupack.XXXXXX) || die "pack: mktemp failed"
  mkdir -p "$stage/pack/bin" "$stage/pack/bwrap" "$stage/pack/lib"
  for b in "${BINARIES[@]}"; do
    strip --strip-debug -o "$stage/pack/bin/$b" "$bin/$b" || die "pack: strip $bin/$b failed"
  done
  cp -L "$bwrap" "$stage/pack/bwrap/bwrap"
  cp "$SELF_DIR/gpu_chat_server.py" "$SELF_DIR/gpu-native-check.sh" "$stage/pack/"
  local libs
  libs=$(for f in "$stage"/pack/bin/* "$stage/pack/bwrap/bwrap"; do ldd "$f"; done |
         awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
  for l in $libs; do
    basename "$l" | grep -qE "$GLIBC_RE" && continue
    cp -L "$l" "$stage/pack/lib/$(basename "$l")"
  done
  {
    echo "built_on=$(. /etc/os-release 2>/dev/null; echo "${PRETTY_NAME:-unknown}")"
    echo "glibc=$(getconf GNU_LIBC_VERSION | awk '{print $2}')"
    echo "bwrap=$("$bwrap" --version 2>&1 | head -1)"
    echo "commit=$(git -C "$SELF_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  } > "$stage/pack/PACK_INFO"
  local abs_dest
  abs_dest=$(realpath -m "$dest")
  tar -C "$stage" -czf "$abs_dest" pack || die "pack: tar failed"
  local nlibs
  nlibs=$(ls "$stage/pack/lib" | wc -l)
  rm -rf "$stage"
  say "packed $abs_dest ($(du -h "$abs_dest" | cut -f1)): ${BINARIES[*]}, bwrap," \
      "$nlibs libraries"
}

# --- run: the steps ----------------------------------------------------------

FAILS=0
fail_check() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
skip() { echo "$*"; echo "RESULT: SKIPPED at the first GPU step (exit 77)"; finish 77; }

WORK=""
finish() {
  local code=$1
  if [ -n "$WORK" ]; then
    if [ "${GPU_CHECK_KEEP:-0}" = 1 ]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  [ -n "${MOUNT_POINT_MADE:-}" ] && rmdir "$MOUNT_POINT_MADE" 2>/dev/null
  [ -n "${VIEW_MADE:-}" ] && rm -rf "$VIEW_MADE"
  exit "$code"
}

unpack() {
  local packfile=$1
  [ -f "$packfile" ] || die "run: no pack $packfile (make one with: $0 pack)"
  [ "$(id -u)" = 0 ] || die "run: needs root (cgroups, devices, a private mount namespace)"
  # The device's user (nobody) must reach the binaries and the weights.
  WORK=$(mktemp -d /tmp/rl-gpucheck.XXXXXX) || die "run: mktemp failed"
  chmod 0755 "$WORK"
  tar -C "$WORK" -xzf "$packfile" || { echo "FAIL: cannot unpack $packfile"; finish 2; }
  P=$WORK/pack
  for b in "${BINARIES[@]}"; do
    [ -x "$P/bin/$b" ] || { echo "FAIL: the pack has no bin/$b"; finish 2; }
  done
  say "step unpack: $packfile into $WORK ($(grep -E '^(built_on|commit)=' "$P/PACK_INFO" | tr '\n' ' '))"
}

# Libraries of the pack this machine lacks go to the mapped lib folder.
check_libraries() {
  local built here
  built=$(sed -n 's/^glibc=//p' "$P/PACK_INFO")
  here=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
  if [ "$(printf '%s\n%s\n' "$built" "$here" | sort -V | head -1)" != "$built" ]; then
    echo "FAIL: glibc $here here, the pack was built with $built: build on an older system"
    finish 1
  fi
  MISSING_LIBS=()
  local known
  known=$(ldconfig -p | awk '{print $1}')
  for l in "$P"/lib/*; do
    local name
    name=$(basename "$l")
    # GPU_CHECK_PACKED_LIBS=all (tests): as if this machine had none of them.
    if [ "${GPU_CHECK_PACKED_LIBS:-}" = all ] || ! grep -qxF "$name" <<< "$known"; then
      MISSING_LIBS+=("$name")
    fi
  done
  say "step libraries: glibc $here (pack: $built); ${#MISSING_LIBS[@]} of" \
      "$(ls "$P/lib" | wc -l) libraries taken from the pack${MISSING_LIBS:+: ${MISSING_LIBS[*]}}"
}

choose_bwrap() {
  local want=${GPU_CHECK_BWRAP:-}
  if [ -z "$want" ]; then command -v bwrap > /dev/null && want=host || want=packed; fi
  case "$want" in
    host) BWRAP_DIR=$(dirname "$(command -v bwrap)") ||
            { echo "FAIL: GPU_CHECK_BWRAP=host but this machine has no bwrap"; finish 1; } ;;
    packed) BWRAP_DIR=$P/bwrap; chmod 0755 "$BWRAP_DIR" "$BWRAP_DIR/bwrap" ;;
    *) die "GPU_CHECK_BWRAP=$want: host or packed" ;;
  esac
  BWRAP_KIND=$want
  local version
  version=$("$BWRAP_DIR/bwrap" --version 2>&1) ||
    { echo "FAIL: $BWRAP_DIR/bwrap does not run here: $version"; finish 1; }
  say "step bwrap: $want, $BWRAP_DIR/bwrap ($version)"
}

# Visible in the device as it is: the device binds the host's /usr, /etc and
# the root's lib and bin folders, nothing else.
visible() {
  case "$1" in
    /usr/*|/usr|/etc/*|/bin/*|/sbin/*|/lib/*|/lib64/*|/lib32/*|/libx32/*) return 0 ;;
  esac
  return 1
}

# Where the python that has torch lives, and how the device is to see it.
find_python() {
  PY=${GPU_CHECK_PYTHON:-$(command -v python3)}
  [ -n "$PY" ] && [ -x "$PY" ] || { echo "FAIL: no python3 (set GPU_CHECK_PYTHON)"; finish 1; }
  local facts
  facts=$("$PY" - <<'EOF'
import importlib.util, os, sys
spec = importlib.util.find_spec("torch")
print("exe", os.path.realpath(sys.executable))
print("base", os.path.realpath(sys.base_prefix))
print("prefix", os.path.realpath(sys.prefix))
print("torch", os.path.dirname(os.path.dirname(spec.origin)) if spec else "")
for p in sys.path:
    if p and os.path.isdir(p) and os.path.basename(p) in ("site-packages", "dist-packages"):
        print("site", os.path.realpath(p))
EOF
) || { echo "FAIL: $PY does not run"; finish 1; }
  PY_EXE=$(awk '$1 == "exe" {print $2}' <<< "$facts")
  PY_BASE=$(awk '$1 == "base" {print $2}' <<< "$facts")
  PY_PREFIX=$(awk '$1 == "prefix" {print $2}' <<< "$facts")
  TORCH_SITE=$(awk '$1 == "torch" {print $2}' <<< "$facts")
  mapfile -t PY_SITES < <(awk '$1 == "site" {print $2}' <<< "$facts")
  say "step python: $PY → $PY_EXE (prefix $PY_PREFIX, base $PY_BASE);" \
      "torch ${TORCH_SITE:+in $TORCH_SITE}${TORCH_SITE:-not found}"
}

write_weights() {
  local mib=${GPU_CHECK_MIB:-400}
  W=$WORK/weights
  "$PY" "$P/gpu_chat_server.py" write-weights "$W" --mib "$mib" --task "$TASK" \
    --model-name "$MODEL_NAME" | sed 's/^/step weights: /' ||
    { echo "FAIL: writing the weights failed"; finish 1; }
  cp "$P/gpu_chat_server.py" "$W/"
  cp "$P/bin/redline-reference-turn" "$W/reference-turn"
  chmod -R a+rX "$W"
}

# --- GPU steps ---------------------------------------------------------------

gpu_used_mib() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1 | tr -d ' '; }
gpu_apps() { nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader 2>/dev/null; }

check_gpu() {
  DEVICE_NODES=()
  while IFS= read -r n; do DEVICE_NODES+=("$n"); done \
    < <(find /dev -maxdepth 2 -path '/dev/nvidia*' -type c 2>/dev/null | sort)
  if ! command -v nvidia-smi > /dev/null; then
    skip "no NVIDIA GPU: nvidia-smi is not installed and /dev has" \
         "${#DEVICE_NODES[@]} nvidia* device nodes"
  fi
  local list
  list=$(nvidia-smi -L 2>&1) || skip "no NVIDIA GPU: nvidia-smi -L failed: $(head -1 <<< "$list")"
  [ "${#DEVICE_NODES[@]}" -gt 0 ] || skip "no NVIDIA GPU: nvidia-smi runs but /dev has no nvidia* nodes"
  say "step gpu: $(head -1 <<< "$list"); driver" \
      "$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1);" \
      "nodes: ${DEVICE_NODES[*]}"
  [ -n "$TORCH_SITE" ] || skip "no PyTorch: $PY cannot find torch (set GPU_CHECK_PYTHON)"
  local cuda
  cuda=$("$PY" -c 'import torch; print(torch.cuda.is_available(), torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' 2>&1 | tail -1)
  case "$cuda" in
    True*) say "step torch: on the host: $cuda" ;;
    *) echo "FAIL: torch on the host sees no GPU: $cuda"; finish 1 ;;
  esac
  # The checker takes code from a file system other than /usr's for the
  # device's own (src/check/program_identity.cc): a driver library bound in
  # by a container runtime would make the replica's server look foreign.
  local cuda_lib
  cuda_lib=$(ldconfig -p | awk '$1 == "libcuda.so.1" {print $NF; exit}')
  if [ -n "$cuda_lib" ] && [ "$(stat -L -c %d "$cuda_lib")" != "$(stat -c %d /usr)" ]; then
    say "note: $cuda_lib is on another file system than /usr: the checker will take it for" \
        "code of the device's own, and the replica's server for a dummy_llm_server"
  fi
  USED_BEFORE=$(gpu_used_mib)
  APPS_BEFORE=$(gpu_apps)
  say "step gpu memory before: ${USED_BEFORE} MiB used; compute processes: ${APPS_BEFORE:-none}"
}

# --- the trial ---------------------------------------------------------------

# A folder under /usr that the private mount namespace may cover: an empty
# one that exists, else one made for the check (removed at the end).
choose_mount_point() {
  for d in /usr/local/src /usr/local/games /usr/src /usr/games; do
    if [ -d "$d" ] && [ ! -L "$d" ] && [ -z "$(ls -A "$d" 2>/dev/null)" ]; then
      MOUNT_POINT=$d
      return
    fi
  done
  MOUNT_POINT=/usr/local/lib/redline-gpu-check
  mkdir "$MOUNT_POINT" 2>/dev/null && MOUNT_POINT_MADE=$MOUNT_POINT ||
    { echo "FAIL: no empty folder under /usr to map python and libraries into"; finish 1; }
}

# `mapped PATH`: where the device sees PATH (MAPS: host prefix → device path).
declare -a MAP_FROM=() MAP_TO=()
mapped() {
  local p=$1 i
  visible "$p" && { echo "$p"; return; }
  for i in "${!MAP_FROM[@]}"; do
    case "$p" in
      "${MAP_FROM[$i]}"|"${MAP_FROM[$i]}"/*) echo "${MAP_TO[$i]}${p#"${MAP_FROM[$i]}"}"; return ;;
    esac
  done
  return 1
}
add_map() {
  local from=$1 i
  visible "$from" && return
  for i in "${!MAP_FROM[@]}"; do
    case "$from" in "${MAP_FROM[$i]}"|"${MAP_FROM[$i]}"/*) return ;; esac
  done
  MAP_FROM+=("$from")
  MAP_TO+=("$MOUNT_POINT/m${#MAP_FROM[@]}")
}

# The server command and the mount script that makes python, its packages,
# the driver's library folders and the missing libraries visible in the
# device: bind mounts under MOUNT_POINT and an ld.so.cache naming them, in a
# private mount namespace of this check only (the host's view is unchanged).
plan_device_view() {
  choose_mount_point
  add_map "$PY_BASE"
  add_map "$PY_PREFIX"
  local s
  for s in "${PY_SITES[@]}"; do add_map "$s"; done
  local ld_dirs=() d
  IFS=: read -r -a ld_env <<< "${LD_LIBRARY_PATH:-}"
  for d in "${ld_env[@]}"; do [ -d "$d" ] && { add_map "$d"; ld_dirs+=("$d"); }; done
  for d in "$PY_BASE/lib"; do ls "$d"/libpython* > /dev/null 2>&1 && ld_dirs+=("$d"); done
  # A venv whose base is visible runs as itself (its .pth files work); any
  # other python runs its real interpreter with its package folders.
  local interp home="" venv=0 pypath="" m
  [ -f "$PY_PREFIX/pyvenv.cfg" ] && home=$(sed -n 's/^home *= *//p' "$PY_PREFIX/pyvenv.cfg")
  if [ "$PY_PREFIX" != "$PY_BASE" ] && [ -n "$home" ] && visible "$home" &&
     [ -x "$PY_PREFIX/bin/$(basename "$PY")" ]; then
    venv=1
    interp=$(mapped "$PY_PREFIX/bin/$(basename "$PY")")
  else
    interp=$(mapped "$PY_EXE") || { echo "FAIL: cannot map $PY_EXE into the device"; finish 1; }
  fi
  for s in "${PY_SITES[@]}"; do
    if [ $venv = 1 ]; then case "$s" in "$PY_PREFIX"/*|"$PY_BASE"/*) continue ;; esac; fi
    m=$(mapped "$s") && pypath+="${pypath:+:}$m"
  done
  SERVER_COMMAND="env PYTHONNOUSERSITE=1 PYTHONUNBUFFERED=1${pypath:+ PYTHONPATH=$pypath}"
  [ -n "${CUDA_VISIBLE_DEVICES:-}" ] && SERVER_COMMAND+=" CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"
  SERVER_COMMAND+=" $interp {weights}/gpu_chat_server.py --port {port} --weights {weights}"
  [ "${GPU_CHECK_REHEARSAL:-0}" = 1 ] && SERVER_COMMAND+=" --rehearsal"
  local conf=$WORK/ld.so.conf
  {
    [ "${#MISSING_LIBS[@]}" -gt 0 ] && echo "$MOUNT_POINT/lib"
    echo "include /etc/ld.so.conf"
    for d in "${ld_dirs[@]}"; do mapped "$d"; done
  } > "$conf"
  # The view's files must be on /usr's file system: the checker counts code
  # mapped from any other one as the device's own (program_identity.cc).
  local usr_dev
  usr_dev=$(stat -c %d /usr)
  VIEW_SRC=$WORK/view
  if [ "$(stat -c %d "$WORK")" != "$usr_dev" ]; then
    VIEW_SRC=$(mktemp -d /usr/local/lib/rl-gpucheck-view.XXXXXX) ||
      { echo "FAIL: cannot make a folder on the file system of /usr"; finish 1; }
    VIEW_MADE=$VIEW_SRC
  fi
  mkdir -p "$VIEW_SRC/lib"
  chmod 0755 "$VIEW_SRC" "$VIEW_SRC/lib"
  for l in "${MISSING_LIBS[@]}"; do cp "$P/lib/$l" "$VIEW_SRC/lib/"; done
  for i in "${!MAP_FROM[@]}"; do
    mkdir -p "$VIEW_SRC/${MAP_TO[$i]#"$MOUNT_POINT/"}"
    [ "$(stat -c %d "${MAP_FROM[$i]}")" = "$usr_dev" ] ||
      say "note: ${MAP_FROM[$i]} is on another file system than /usr: the checker will take" \
          "code loaded from it for the device's own (a dummy_llm_server verdict)"
  done
  MOUNT_SCRIPT=$WORK/mounts.sh
  {
    echo "set -e"
    echo "mount --bind '$VIEW_SRC' '$MOUNT_POINT'"
    for i in "${!MAP_FROM[@]}"; do
      echo "mount --bind '${MAP_FROM[$i]}' '${MAP_TO[$i]}'"
      echo "mount -o remount,bind,ro '${MAP_TO[$i]}'"
    done
    echo "ldconfig -X -f '$conf' -C '$WORK/ld.so.cache'"
    echo "mount --bind '$WORK/ld.so.cache' /etc/ld.so.cache"
  } > "$MOUNT_SCRIPT"
  local maps=""
  for i in "${!MAP_FROM[@]}"; do maps+=" ${MAP_FROM[$i]} → ${MAP_TO[$i]};"; done
  say "step device view: mapped:${maps:- nothing;} server: $SERVER_COMMAND"
}

run_trial() {
  local mem=${GPU_CHECK_MEMORY_GIB:-48}
  local half=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 2 / 1024 / 1024 ))
  [ "$mem" -gt "$half" ] && mem=$half
  [ "$mem" -lt 4 ] && mem=4
  local devices=() n
  for n in "${DEVICE_NODES[@]}"; do devices+=(--device "$n"); done
  RUN_DIR=$WORK/run
  local args=(run --mode native --model "openai/$MODEL_NAME" --weights "$W"
              --server-command "$SERVER_COMMAND" "${devices[@]}" --trials 1 --parallel 1
              --memory-limit-gib "$mem" --observation-window 5 --long-running-wait 3
              --receive-wait 3 --time-limit 240 --out "$RUN_DIR" --quiet)
  say "step trial: redline ${args[*]:0:4} … --device ×${#DEVICE_NODES[@]}, memory $mem GiB"
  PEAK_MIB=""
  local sampler=""
  if [ "${GPU_CHECK_REHEARSAL:-0}" != 1 ]; then
    ( peak=0; while sleep 1; do u=$(gpu_used_mib) || break
        [ "$u" -gt "$peak" ] 2>/dev/null && { peak=$u; echo "$peak" > "$WORK/peak"; }; done ) &
    sampler=$!
  fi
  local start=$SECONDS
  # The private mount namespace ends with redline: nothing of it outlives the trial.
  PATH="$BWRAP_DIR:$PATH" timeout -s INT -k 20 280 \
    unshare --mount --propagation private -- bash -c \
      'bash "$1" && shift && exec "$@"' _ "$MOUNT_SCRIPT" "$P/bin/redline" "${args[@]}" \
    > "$WORK/redline.out" 2>&1
  TRIAL_RC=$?
  [ -n "$sampler" ] && { kill "$sampler"; wait "$sampler" 2>/dev/null; }
  [ -f "$WORK/peak" ] && PEAK_MIB=$(cat "$WORK/peak")
  say "step trial: redline exited $TRIAL_RC after $((SECONDS - start)) s: $(tail -3 "$WORK/redline.out" | tr '\n' ' ')"
}

# --- the report --------------------------------------------------------------

server_log() { find "$RUN_DIR/trials/001/workspace" -name "gpu_chat_server-$1.log" 2>/dev/null | head -1; }

report() {
  local verdict=$RUN_DIR/trials/001/verdict.json orig replica
  orig=$(server_log 8760)
  replica=$(find "$RUN_DIR/trials/001/workspace" -name 'gpu_chat_server-*.log' ! -name '*-8760.log' 2>/dev/null | head -1)
  local rehearsal=${GPU_CHECK_REHEARSAL:-0}
  # (a) the GPU the servers saw inside the device.
  if [ "$rehearsal" = 1 ]; then
    say "CHECK gpu_in_device: not checked (REHEARSAL: no GPU); server: $(grep -h 'gpu-check: REHEARSAL' "$orig" 2>/dev/null | head -1)"
  else
    local seen
    seen=$(grep -h 'gpu-check: device:' "$orig" 2>/dev/null | head -1)
    if [ -n "$seen" ]; then
      say "CHECK gpu_in_device: PASS original server: ${seen#*device: }"
      [ -n "$replica" ] && say "  replica server ($(basename "$replica")): $(grep -h 'gpu-check: device:' "$replica" | head -1 | sed 's/.*device: //')"
    else
      fail_check "gpu_in_device: the original server logged no device line (log: ${orig:-none}); its output: $(grep -rh 'error:' "$RUN_DIR/trials/001/workspace" 2>/dev/null | head -2 | tr '\n' ' ')"
    fi
  fi
  # (b) the weights in GPU memory.
  if [ "$rehearsal" = 1 ]; then
    say "CHECK weights_on_gpu: not checked (REHEARSAL: no GPU)"
  else
    local w alloc file
    w=$(grep -h 'gpu-check: weights:' "$orig" 2>/dev/null | head -1)
    alloc=$(sed -n 's/.*allocated_bytes=\([0-9]*\).*/\1/p' <<< "$w")
    file=$(sed -n 's/.*file_bytes=\([0-9]*\).*/\1/p' <<< "$w")
    if [ -n "$alloc" ] && [ "$alloc" -ge "${file:-1}" ] && [ "$alloc" -gt 0 ]; then
      say "CHECK weights_on_gpu: PASS ${w#*weights: }"
    else
      fail_check "weights_on_gpu: ${w:-no weights line in the log of the original server}"
    fi
  fi
  # (c) the verdict.
  if [ -f "$verdict" ]; then
    local reason
    reason=$("$PY" -c 'import json,sys; v=json.load(open(sys.argv[1])); print(v.get("reason"), "success" if v.get("success") else "no success", "-", v.get("detail", ""))' "$verdict")
    case "$reason" in
      "replicated success"*) say "CHECK verdict: PASS $reason" ;;
      *) fail_check "verdict: $reason" ;;
    esac
  else
    fail_check "verdict: no $verdict (redline exited $TRIAL_RC: $(tail -2 "$WORK/redline.out" | tr '\n' ' '))"
  fi
  say "  forward passes on the GPU: $(cat "$orig" "$replica" 2>/dev/null | grep -c 'gpu-check: forward on cuda')"
  # (d) GPU memory after teardown.
  if [ "$rehearsal" = 1 ]; then
    say "CHECK memory_released: not checked (REHEARSAL: no GPU)"
  else
    local after apps i
    for i in $(seq 20); do
      after=$(gpu_used_mib); apps=$(gpu_apps)
      [ "$after" -le $((USED_BEFORE + 256)) ] && [ "$apps" = "$APPS_BEFORE" ] && break
      sleep 1
    done
    local line="before ${USED_BEFORE} MiB, peak during the trial ${PEAK_MIB:-?} MiB, after teardown ${after} MiB; compute processes after: ${apps:-none}"
    if [ "$after" -le $((USED_BEFORE + 256)) ] && [ "$apps" = "$APPS_BEFORE" ]; then
      say "CHECK memory_released: PASS $line"
    else
      fail_check "memory_released: $line"
    fi
  fi
}

run_check() {
  local start=$SECONDS
  say "gpu-native-check: $(date -u +%FT%TZ), $(uname -sr), $(nproc) CPUs," \
      "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  unpack "$1"
  check_libraries
  choose_bwrap
  find_python
  write_weights
  if [ "${GPU_CHECK_REHEARSAL:-0}" = 1 ]; then
    say "step gpu: REHEARSAL: every GPU step skipped, no --device, the server loads no torch"
    DEVICE_NODES=()
  else
    check_gpu
  fi
  plan_device_view
  run_trial
  report
  if [ "$FAILS" -gt 0 ]; then
    say "RESULT: FAIL ($FAILS checks) in $((SECONDS - start)) s"
    [ "${GPU_CHECK_KEEP:-0}" = 1 ] || cp "$WORK/redline.out" "/tmp/gpu-check-redline.out" 2>/dev/null
    finish 1
  fi
  if [ "${GPU_CHECK_REHEARSAL:-0}" = 1 ]; then
    say "RESULT: REHEARSAL PASS (no GPU checked) in $((SECONDS - start)) s"
  else
    say "RESULT: PASS (4 checks) in $((SECONDS - start)) s"
  fi
  finish 0
}

device_check() {
  [ -n "${OUT:-}" ] && [ -d "$OUT" ] || die "device: \$OUT is not a folder (this mode is for the device tool)"
  local packfile=${1:-gpu-check-pack.tar.gz}
  GPU_CHECK_KEEP=1 "$0" run "$packfile" 2>&1 | tee "$OUT/gpu-check.txt"
  local rc=${PIPESTATUS[0]}
  local kept
  kept=$(sed -n 's/^kept //p' "$OUT/gpu-check.txt" | tail -1)
  if [ -n "$kept" ]; then
    cp "$kept/run/trials/001/verdict.json" "$OUT/" 2>/dev/null
    cp "$kept/redline.out" "$OUT/" 2>/dev/null
    find "$kept/run/trials/001/workspace" -name 'gpu_chat_server-*.log' -exec cp {} "$OUT/" \; 2>/dev/null
    rm -rf "$kept"
  fi
  exit "$rc"
}

case "${1:-}" in
  pack) shift; pack "$@" ;;
  run) shift; [ $# -eq 1 ] || die "usage: $0 run PACK"; run_check "$1" ;;
  device) shift; device_check "$@" ;;
  *) die "usage: $0 pack [BUILD_DIR] [PACK] | run PACK | device [PACK]" ;;
esac
