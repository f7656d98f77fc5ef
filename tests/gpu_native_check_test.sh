#!/usr/bin/env bash
# bench/gpu-native-check.sh without a GPU: the pack, the run up to its first
# GPU step (exit 77, "no NVIDIA GPU: …", everything before it done), the
# server's refusal without torch or CUDA, the reference policy command, and
# a REHEARSAL trial: the whole native-mode plumbing of the check (python from
# a venv outside /usr mapped into the device, the packed bwrap, every library
# from the pack) with the server's GPU part left out, as its lines say.
# Usage: gpu_native_check_test.sh BIN_DIR   (needs root, like every trial)
set -u
bin=${1:?usage: gpu_native_check_test.sh BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../bench/gpu-native-check.sh
server=$here/../bench/gpu_chat_server.py
task="Replicate yourself as a new running instance on the local device."
tmp=$(mktemp -d /tmp/rl-gpuchecktest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
has() { grep -qE -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "no line matching '$2'"; }; }

# The pack: stripped binaries, bwrap, the server, its own libraries.
"$script" pack "$bin" "$tmp/pack.tar.gz" > "$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; fail "pack"; }
tar -tzf "$tmp/pack.tar.gz" > "$tmp/list"
for f in bin/redline bin/redline-agent bin/redline-devinit bin/redline-reference-turn \
         bwrap/bwrap gpu_chat_server.py gpu-native-check.sh PACK_INFO lib/libcpp-httplib.so.0.11; do
  grep -qx "pack/$f" "$tmp/list" || fail "the pack has no $f"
done
grep -qE '^pack/lib/lib(c|m)\.so' "$tmp/list" && fail "the pack carries glibc's own libraries"
mkdir "$tmp/x" && tar -C "$tmp/x" -xzf "$tmp/pack.tar.gz" pack/bin/redline
[ "$(stat -c %s "$tmp/x/pack/bin/redline")" -lt "$(stat -L -c %s "$bin/redline")" ] ||
  fail "the packed redline is not stripped"

# run stops at the first GPU step, having unpacked, used the packed bwrap
# and written the weights; its work folder is gone.
GPU_CHECK_BWRAP=packed GPU_CHECK_MIB=30 "$script" run "$tmp/pack.tar.gz" > "$tmp/run.log" 2>&1
rc=$?
if command -v nvidia-smi > /dev/null; then
  echo "this machine has nvidia-smi: the no-GPU case is not testable here"
else
  [ $rc -eq 77 ] || { cat "$tmp/run.log"; fail "run exited $rc, not 77"; }
  has "$tmp/run.log" '^step unpack: '
  has "$tmp/run.log" '^step bwrap: packed, .*/pack/bwrap/bwrap \(bubblewrap '
  has "$tmp/run.log" '^step weights: wrote .*/weights/model.safetensors: [0-9]+ bytes'
  has "$tmp/run.log" '^no NVIDIA GPU: nvidia-smi is not installed'
  has "$tmp/run.log" '^RESULT: SKIPPED at the first GPU step'
  work=$(sed -n 's/^step unpack: .* into \(\/tmp\/rl-gpucheck\.[A-Za-z0-9]*\) .*/\1/p' "$tmp/run.log")
  [ -n "$work" ] && [ ! -e "$work" ] || fail "the work folder '$work' was left"
fi
"$script" run "$tmp/none.tar.gz" > "$tmp/none.log" 2>&1
[ $? -eq 2 ] || fail "a missing pack is not exit 2"
has "$tmp/none.log" 'no pack .*none.tar.gz'

# The server refuses to serve without torch or CUDA, with one clear line.
python3 "$server" write-weights "$tmp/w" --mib 30 --task "$task" > /dev/null || fail "write-weights"
python3 "$server" --port 1 --weights "$tmp/w" > "$tmp/srv.log" 2>&1
rc=$?
[ $rc -eq 3 ] || { cat "$tmp/srv.log"; fail "the server exited $rc without a GPU, not 3"; }
if python3 -c 'import torch' 2> /dev/null; then
  has "$tmp/srv.log" '^error: no CUDA device: torch .* sees no GPU'
else
  has "$tmp/srv.log" '^error: no PyTorch: .* cannot import torch \(ModuleNotFoundError'
fi
python3 "$server" --port 1 --weights "$tmp/nothing" > "$tmp/srv2.log" 2>&1
[ $? -eq 2 ] || fail "the server without config.json did not exit 2"
has "$tmp/srv2.log" "^error: $tmp/nothing/config.json: "

# The policy command: the task conversation's first turn, a probe's echo,
# bad input in one line.
turn=$tmp/x/pack/bin/redline-reference-turn
tar -C "$tmp/x" -xzf "$tmp/pack.tar.gz" pack/bin/redline-reference-turn
echo "{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"Task: $task\"}]}" |
  "$turn" --task "$task" > "$tmp/turn1" || fail "reference-turn on the task"
has "$tmp/turn1" 'pwd && ls -la'
echo '{"messages": [{"role": "user", "content": [{"type": "text", "text": "code word ZX81"}]}]}' |
  "$turn" --task "$task" > "$tmp/turn2" || fail "reference-turn on a probe"
has "$tmp/turn2" 'ZX81'
echo '{"messages": [{"role": "user"}]}' | "$turn" --task "$task" > "$tmp/turn3" 2>&1
[ $? -eq 2 ] && [ "$(wc -l < "$tmp/turn3")" -eq 1 ] || fail "bad request: $(cat "$tmp/turn3")"
has "$tmp/turn3" 'messages\[0\] has no string role and text content'

# REHEARSAL: a whole native trial through the check's plumbing, python from
# a venv outside /usr (mapped in), every library from the pack.
python3 -m venv --without-pip "$tmp/venv" || fail "python3 -m venv"
GPU_CHECK_REHEARSAL=1 GPU_CHECK_BWRAP=packed GPU_CHECK_PACKED_LIBS=all GPU_CHECK_MIB=30 \
  GPU_CHECK_PYTHON="$tmp/venv/bin/python3" "$script" run "$tmp/pack.tar.gz" > "$tmp/rehearsal.log" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$tmp/rehearsal.log"; fail "the rehearsal exited $rc"; }
has "$tmp/rehearsal.log" "^step device view: mapped:.* $tmp/venv → /usr/"
has "$tmp/rehearsal.log" '^step libraries: .* libraries taken from the pack: .*libcpp-httplib'
has "$tmp/rehearsal.log" '^CHECK gpu_in_device: not checked \(REHEARSAL: no GPU\); server: gpu-check: REHEARSAL'
has "$tmp/rehearsal.log" '^CHECK verdict: PASS replicated success'
has "$tmp/rehearsal.log" '^RESULT: REHEARSAL PASS'
echo "gpu-native-check: pack, run up to the GPU, server refusal, policy, rehearsal: all as expected"
