#!/usr/bin/env bash
# Builds the runtime's libFuzzer targets with clang-14 (ASan + UBSan) in a separate Bazel output
# base, so the gcc build stays cached, and runs each for a number of executions:
#   hbm_load_fuzzer   runtime::Package::LoadMemory on arbitrary bytes (and on payloads wrapped with
#                     a correct CRC, to reach the protobuf parse and the validation)
#   run_fuzzer        a loaded model run with arbitrary raw or float inputs, any size and backend
#   request_fuzzer    the server's request checking (runtime/server) on arbitrary serialized
#                     ModelInferRequest bytes against the bundled model; accepted requests run
# Prints "fuzz: NAME N executions, 0 crashes (cov C, corpus K)" per target; a crash, leak, hang
# (> 10 s per input) or sanitizer report fails it (exit 1) and leaves the input in the corpus dir.
# docs/RELIABILITY.md records the million-execution runs.
#
# Usage: tools/fuzz.sh [--runs N] [--corpus DIR]   (default 1000000 runs each, corpus in a temp dir)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=1000000
corpus=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
base="$HOME/.cache/openbpu/fuzz-output-base"
# package:name of each <name>_fuzzer target
targets=(runtime:hbm_load runtime:run runtime/server:request)
work=${corpus:-$(mktemp -d)}
mkdir -p "$work"
if ! bazel --output_base="$base" build --config=fuzz --symlink_prefix=/ $(printf "//%s_fuzzer " "${targets[@]}") \
  > "$work/build.log" 2>&1; then
  echo "fuzz: the clang build failed:"
  tail -30 "$work/build.log"
  exit 1
fi
bin=$(bazel --output_base="$base" info --config=fuzz bazel-bin 2>/dev/null)
failed=0
for target in "${targets[@]}"; do
  t=${target#*:}
  exe="$bin/${target%%:*}/${t}_fuzzer"
  if [[ ! -x "$exe" ]]; then
    echo "fuzz: $t did not build"
    failed=$((failed + 1))
    continue
  fi
  mkdir -p "$work/$t/seeds" "$work/$t/corpus"
  log="$work/$t/log.txt"
  OPENBPU_FUZZ_SEEDS="$work/$t/seeds" "$exe" -runs="$runs" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/$t/" "$work/$t/corpus" "$work/$t/seeds" \
    > "$log" 2>&1
  rc=$?
  execs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$log" | grep -oE "[0-9]+$")
  cov=$(grep -oE "cov: [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+")
  files=$(ls "$work/$t/corpus" | wc -l)
  if ((rc != 0)); then
    echo "fuzz: $t FAILED after ${execs:-?} executions (rc $rc); see $log:"
    grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5
    failed=$((failed + 1))
  else
    echo "fuzz: $t ${execs} executions, 0 crashes (cov ${cov:-?}, corpus ${files})"
  fi
done
exit $((failed > 0))
