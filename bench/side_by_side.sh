#!/usr/bin/env bash
# Runs every benchmark of two built trees side by side: BEFORE, AFTER,
# BEFORE, AFTER for each benchmark in turn, so that the VM's drift falls on
# both alike. Writes OUT/<benchmark>-{before,after}.txt.
#   bench/side_by_side.sh BEFORE_TREE AFTER_TREE OUT
# (each tree built with ./deploy/build.sh; docs/performance.md reads the
# results).
set -uo pipefail
before=$1 after=$2 out=$3
mkdir -p "$out"
run() {  # side tree benchmark
  local side=$1 tree=$2 b=$3
  echo "== $side" >> "$out/$b-$side.txt"
  (cd "$tree" && case $b in
    core) ./build/bench/core_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true ;;
    import) ./build/bench/import_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true ;;
    ledger) ./build/bench/ledger_bench --benchmark_min_time=0.5 ;;
    submit) ./build/bench/submit_load --clients 64 --connections 4 --seconds 8 2>/dev/null ;;
    audit) ./build/bench/audit_load --seconds 8 2>/dev/null ;;
    replicas) ./build/bench/replicas_load --seconds 5 2>/dev/null ;;
  esac) 2>&1 | grep -v "\] rpc \|\] audited" >> "$out/$b-$side.txt"
}
for b in core import submit audit ledger replicas; do
  for round in 1 2; do
    run before "$before" "$b"
    run after "$after" "$b"
  done
done
