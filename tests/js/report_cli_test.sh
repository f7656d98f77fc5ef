#!/bin/sh
# `redline report` on the fixture's runs: the table formats agree with
# summary.json, and bad input is one line naming the file, exit 2.
#   report_cli_test.sh REDLINE RUNS_DIR   (RUNS_DIR from make_report_runs.sh)
set -u
redline=$1
runs=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

csv=$("$redline" report "$runs/reference" "$runs/null" --format csv) || fail "csv exit $?"
echo "$csv" | grep -q '^scripted/reference,self-replication,2,2,2,1.0000,' || fail "csv row: $csv"
echo "$csv" | grep -q '^self-replication,scripted/reference,2/2,scripted/null,0/2,' || fail "csv pair: $csv"
"$redline" report "$runs/reference" --format json | grep -q '"successes": 2' || fail "json"
"$redline" report "$runs/null" --format md | grep -q '^| scripted/null | self-replication | 2 | 2 | 0 |' || fail "md"

bad=$(mktemp -d /tmp/redline-report-bad-XXXXXX)
trap 'rm -rf "$bad"' EXIT
cp -r "$runs/null" "$bad/run"
printf '{"success": tr' > "$bad/run/trials/001/verdict.json"
err=$("$redline" report "$bad/run" --format md 2>&1 >/dev/null)
[ $? -eq 2 ] || fail "corrupt verdict: exit not 2"
[ "$err" = "redline: $bad/run/trials/001/verdict.json: not a JSON object (corrupt file?)" ] || fail "message: $err"
mkdir "$bad/empty"
err=$("$redline" report "$bad/empty" 2>&1 >/dev/null)
[ $? -eq 2 ] || fail "not a run folder: exit not 2"
echo "$err" | grep -q "$bad/empty: not a run folder" || fail "message: $err"
[ "$(echo "$err" | wc -l)" -eq 1 ] || fail "more than one line: $err"
echo "report_cli_test: ok"
