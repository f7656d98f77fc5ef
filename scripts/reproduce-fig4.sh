#!/usr/bin/env bash
# The self-replication experiment of Pan et al. (arXiv 2412.12140, Fig. 4)
# in one command: Qwen2.5-72B-Instruct and Llama-3.1-70B-Instruct, 10 trials
# each, in native mode (each model is its own inference server inside the
# device, vLLM by default), on this GPU node or as Slurm job arrays. It runs
# `redline doctor --mode native` first (on the node that will run the
# trials) and stops with its message if the node lacks something; it ends
# with the successes and their Wilson 95% intervals beside the paper's 9/10
# and 5/10, and `redline report`'s page. docs/scale-out.md, "Fig. 4 in one
# command".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROG=reproduce-fig4

usage() {
  cat <<'EOF'
usage: scripts/reproduce-fig4.sh --qwen-weights DIR --llama-weights DIR [options] [-- RUN_FLAGS…]

  --qwen-weights DIR      Qwen2.5-72B-Instruct's weights (a Hugging Face folder)
  --llama-weights DIR     Llama-3.1-70B-Instruct's weights
  --trials N              trials per model (default 10, as the paper)
  --executor local|slurm  run here (default; one trial at a time) or as one
                          Slurm job array per model, waited for
  --partition P, --gres G, --time T, --array-parallel K, --sbatch-arg A (repeat)
                          slurm: as `redline run --executor slurm` takes them
  --server-command T      the server's command line; {weights} and {port} as
                          `redline run` takes them, plus {name} (the served
                          model name) and {gpus}; default vLLM's OpenAI server:
                          python3 -m vllm.entrypoints.openai.api_server
                          --model {weights} --served-model-name {name}
                          --port {port} --gpu-memory-utilization 0.45
                          --tensor-parallel-size {gpus}
  --gpus N                GPUs per trial (default: --gres gpu:N, else the
                          /dev/nvidiaN of this node); both servers share them
  --device NODE           device node passed into each device (repeat; default
                          /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia0..N-1)
  --memory-limit-gib G    each device's memory limit (default 64)
  --out DIR               results (default runs/fig4-<UTC time>); an existing
                          one is resumed: only trials without a verdict run
  --redline PATH          the redline binary (default $REDLINE, else
                          build/bin/redline beside this script)
  --poll-seconds S        slurm: how often `redline status` is read (default 10)
  -h, --help              this text
  -- RUN_FLAGS…           passed to each `redline run` as they are (e.g.
                          --observation-window 30)

Exit status: 0 the table was printed; 1 the node lacks something (doctor),
a run failed, or trials are left without a verdict; 2 bad arguments.
EOF
}

die() { echo "$PROG: $*" >&2; exit 2; }
fail() { echo "$PROG: $*" >&2; exit 1; }

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }

positive_int() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 $2: must be a whole number above 0"; }

qwen="" llama="" trials=10 executor=local partition="" gres="" time_limit=""
array_parallel="" template="" gpus="" memory=64 out="" poll=10
redline=${REDLINE:-$ROOT/build/bin/redline}
sbatch_args=() devices=() extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --qwen-weights) need_value "$@"; qwen=$2; shift 2 ;;
    --llama-weights) need_value "$@"; llama=$2; shift 2 ;;
    --trials) need_value "$@"; trials=$2; shift 2 ;;
    --executor) need_value "$@"; executor=$2; shift 2 ;;
    --partition) need_value "$@"; partition=$2; shift 2 ;;
    --gres) need_value "$@"; gres=$2; shift 2 ;;
    --time) need_value "$@"; time_limit=$2; shift 2 ;;
    --array-parallel) need_value "$@"; array_parallel=$2; shift 2 ;;
    --sbatch-arg) need_value "$@"; sbatch_args+=("$2"); shift 2 ;;
    --sbatch-arg=*) sbatch_args+=("${1#*=}"); shift ;;
    --server-command) need_value "$@"; template=$2; shift 2 ;;
    --gpus) need_value "$@"; gpus=$2; shift 2 ;;
    --device) need_value "$@"; devices+=("$2"); shift 2 ;;
    --memory-limit-gib) need_value "$@"; memory=$2; shift 2 ;;
    --out) need_value "$@"; out=$2; shift 2 ;;
    --redline) need_value "$@"; redline=$2; shift 2 ;;
    --poll-seconds) need_value "$@"; poll=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

[ -n "$qwen" ] || die "--qwen-weights DIR is required (see --help)"
[ -n "$llama" ] || die "--llama-weights DIR is required (see --help)"
for w in "$qwen" "$llama"; do
  [ -d "$w" ] || die "weights $w: not a directory"
  [ -n "$(ls -A "$w")" ] || die "weights $w: the directory is empty"
done
positive_int --trials "$trials"
positive_int --poll-seconds "$poll"
[[ $memory =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--memory-limit-gib $memory: must be a number of GiB"
case $executor in
  local)
    for f in "$partition" "$gres" "$time_limit" "$array_parallel" "${sbatch_args[@]}"; do
      [ -z "$f" ] || die "--partition, --gres, --time, --array-parallel and --sbatch-arg need --executor slurm"
    done ;;
  slurm)
    command -v sbatch >/dev/null || fail "--executor slurm: sbatch is not in PATH (is SLURM_CONF set?)"
    [ -z "$array_parallel" ] || positive_int --array-parallel "$array_parallel" ;;
  *) die "--executor $executor: must be local or slurm" ;;
esac
[ -x "$redline" ] || die "--redline $redline: not an executable (build it: scripts/build.sh product)"

# GPUs per trial: --gpus, else what --gres asks for, else this node's.
if [ -z "$gpus" ]; then
  if [[ $gres =~ (^|,)gpu(:[^:,]+)?:([0-9]+)($|,) ]]; then
    gpus=${BASH_REMATCH[3]}
  else
    gpus=$(find /dev -maxdepth 1 -regex '/dev/nvidia[0-9]+' 2>/dev/null | wc -l)
  fi
fi
[[ $gpus =~ ^[0-9]+$ ]] || die "--gpus $gpus: must be a whole number"
if [ ${#devices[@]} -eq 0 ] && [ "$gpus" -gt 0 ]; then
  devices=(/dev/nvidiactl /dev/nvidia-uvm)
  for ((i = 0; i < gpus; i++)); do devices+=("/dev/nvidia$i"); done
fi
[ -n "$template" ] || template="python3 -m vllm.entrypoints.openai.api_server --model {weights} \
--served-model-name {name} --port {port} --gpu-memory-utilization 0.45 --tensor-parallel-size {gpus}"
case $template in *"{port}"*) ;; *) die "--server-command: must contain {port}" ;; esac
case $template in *"{weights}"*) ;; *) die "--server-command: must contain {weights}" ;; esac

[ -n "$out" ] || out=runs/fig4-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out" || die "--out $out: cannot create it"
out=$(cd "$out" && pwd)

# The two cells of Fig. 4: name, weights, the paper's successes of 10.
names=(Qwen2.5-72B-Instruct Llama-3.1-70B-Instruct)
weights=("$qwen" "$llama")
paper=(9 5)
# Wilson 95% intervals of the paper's counts (src/report/wilson_test.cc
# checks the same figures against the statistics code).
paper_ci=("[0.596, 0.982]" "[0.237, 0.763]")

cell_dir() { echo "$out/$(tr 'A-Z' 'a-z' <<<"$1")"; }
server_command() {
  local t=${template//\{name\}/$1}
  echo "${t//\{gpus\}/$(( gpus > 0 ? gpus : 1 ))}"
}
device_flags=()
for d in "${devices[@]}"; do device_flags+=(--device "$d"); done

# 1. The node: doctor, where the trials will run (through srun for Slurm).
for i in 0 1; do
  args=(doctor --mode native --model "openai/${names[$i]}" --weights "${weights[$i]}"
        --server-command "$(server_command "${names[$i]}")" --gpus "$gpus"
        --memory-limit-gib "$memory" "${device_flags[@]}")
  runner=()
  if [ "$executor" = slurm ]; then
    runner=(srun --ntasks=1 --quiet)
    [ -z "$partition" ] || runner+=(--partition "$partition")
    [ -z "$gres" ] || runner+=(--gres "$gres")
  fi
  echo "$PROG: redline doctor for ${names[$i]}${runner:+ (on a node of the partition, through srun)}"
  rc=0
  report=$("${runner[@]}" "$redline" "${args[@]}" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "$report" >&2
    [ "$rc" -eq 2 ] && die "redline doctor refused the arguments above"
    fail "the node lacks what ${names[$i]}'s trials need (the FAIL lines above); nothing was run"
  fi
  grep -E '^(warn|FAIL)' <<<"$report" || true
done

# 2. The runs: one run folder per model; an existing one is resumed.
run_flags() {
  local i=$1
  printf '%s\0' --mode native --model "openai/${names[$i]}" --weights "${weights[$i]}" \
    --server-command "$(server_command "${names[$i]}")" --trials "$trials" \
    --memory-limit-gib "$memory" "${device_flags[@]}" "${extra[@]}"
}
slurm_flags=()
if [ "$executor" = slurm ]; then
  slurm_flags=(--executor slurm)
  [ -z "$partition" ] || slurm_flags+=(--partition "$partition")
  [ -z "$gres" ] || slurm_flags+=(--gres "$gres")
  [ -z "$time_limit" ] || slurm_flags+=(--time "$time_limit")
  [ -z "$array_parallel" ] || slurm_flags+=(--array-parallel "$array_parallel")
  for a in "${sbatch_args[@]}"; do slurm_flags+=("--sbatch-arg=$a"); done
fi

# "P pending, R running, D done, F failed" of a run folder, as four numbers.
counts() {
  "$redline" status --quiet "$1" | sed -n 's/.*: \([0-9]*\) pending, \([0-9]*\) running, \([0-9]*\) done, \([0-9]*\) failed$/\1 \2 \3 \4/p' | tail -1
}

for i in 0 1; do
  dir=$(cell_dir "${names[$i]}")
  if [ -f "$dir/run.json" ]; then
    read -r p r d f <<<"$(counts "$dir")"
    if [ "${d:-0}" -ge "$trials" ] || [ $(( ${p:-0} + ${r:-0} )) -gt 0 ]; then
      echo "$PROG: ${names[$i]}: $dir has ${d:-0} done, ${p:-0} pending, ${r:-0} running; not run again"
      continue
    fi
    echo "$PROG: ${names[$i]}: resuming $dir"
    cmd=("$redline" run --resume "$dir" --quiet "${slurm_flags[@]}")
  else
    mapfile -d '' flags < <(run_flags "$i")
    cmd=("$redline" run "${flags[@]}" --parallel 1 --out "$dir" --quiet "${slurm_flags[@]}")
    echo "$PROG: ${names[$i]}: $trials trials into $dir"
  fi
  rc=0
  "${cmd[@]}" || rc=$?
  [ "$rc" -eq 2 ] && die "redline run refused the arguments (above)"
  [ "$rc" -eq 0 ] || fail "redline run for ${names[$i]} failed (exit $rc); once fixed, run this again with --out $out"
done

# 3. Slurm: wait until nothing of either run is pending or running.
if [ "$executor" = slurm ]; then
  last=""
  while :; do
    left=0 line=""
    for i in 0 1; do
      read -r p r d f <<<"$(counts "$(cell_dir "${names[$i]}")")"
      [ -n "${p:-}" ] || fail "redline status $(cell_dir "${names[$i]}") gave no counts"
      left=$(( left + p + r ))
      line+="${names[$i]}: $p pending, $r running, $d done, $f failed; "
    done
    [ "$line" = "$last" ] || echo "$PROG: ${line%; }"
    last=$line
    [ "$left" -gt 0 ] || break
    sleep "$poll"
  done
fi

# 4. The table, from redline's own statistics (redline report), and the report.
dirs=()
for i in 0 1; do dirs+=("$(cell_dir "${names[$i]}")"); done
table=$out/fig4.txt
{
  printf '%-24s %-10s %-6s %-18s %-8s %s\n' model successes rate "95% Wilson" errors "paper (Fig. 4)"
  for i in 0 1; do
    row=$("$redline" report --format csv "${dirs[$i]}" | sed -n 2p)
    IFS=, read -r _model _scenario _trials counted successes rate low high errors _rest <<<"$row"
    printf '%-24s %-10s %-6.2f %-18s %-8s %s\n' "${names[$i]}" "$successes/$counted" "$rate" \
      "$(printf '[%.3f, %.3f]' "$low" "$high")" "$errors" "${paper[$i]}/10 ${paper_ci[$i]}"
  done
} > "$table"
"$redline" report "${dirs[@]}" --out "$out/report.html" >/dev/null
"$redline" report --format md "${dirs[@]}" > "$out/report.md"
echo
cat "$table"
echo
echo "report: $out/report.html (tables: $out/report.md; this table: $table)"
echo "native mode: each model served itself inside its device; see the report's mode line."

unfinished=0
for d in "${dirs[@]}"; do
  read -r p r dn f <<<"$(counts "$d")"
  unfinished=$(( unfinished + ${f:-0} ))
done
[ "$unfinished" -eq 0 ] || fail "$unfinished trials have no verdict (failed); run this again with --out $out to run only those"
