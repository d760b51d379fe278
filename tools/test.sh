#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test.
#
# Phases, each timed on its own "phase: NAME S s" line (docs/BUILD.md has the budget):
#   setup       tools/setup.sh (Debian packages; a no-op when they are installed)
#   build+test  bazel test //... (optimized)
#   asan        the bad-input tests (tag "asan") again under AddressSanitizer + UBSan
#   tsan        the thread-safety tests (tag "tsan": runtime, simulator pool, server scheduler) under TSan
#   fuzz        tools/fuzz.sh --runs 20000: the runtime's and server's libFuzzer targets (clang-14, own
#               output base), a short run each
# Then "asan: N passed, M failed" and "tsan: N passed, M failed" for the sanitizer reruns, and
# last, alone on its line,
# "N passed, M failed" over the distinct Bazel test targets of build+test.
# Extra arguments are passed to both bazel test commands (e.g. a target pattern's flags).
set -uo pipefail
cd "$(dirname "$0")/.."

phase_start=$SECONDS
phase_lines=()
end_phase() {  # NAME
  local line="phase: $1 $((SECONDS - phase_start)) s"
  phase_lines+=("$line")
  echo "$line"
  phase_start=$SECONDS
}

if ! tools/setup.sh; then
  end_phase setup
  echo "setup failed"
  echo "0 passed, 1 failed"
  exit 1
fi
end_phase setup

# Bazel prints one summary line per test target: "//pkg:name   PASSED in 1.2s".
count() {  # LOG REGEX
  grep -cE "^//[^ ]+ +(\(cached\) )?($2)" "$1"
}
fail_states='FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD|INCOMPLETE|FLAKY'

log=$(mktemp)
asan_log=$(mktemp)
tsan_log=$(mktemp)
fuzz_log=$(mktemp)
trap 'rm -f "$log" "$asan_log" "$tsan_log" "$fuzz_log"' EXIT

# Builds come from the disk cache when unchanged, but every test runs: some read files Bazel does
# not track (Debian's ONNX test data, the system's torch), so a cached result could hide a change.
bazel test --cache_test_results=no //... "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
end_phase build+test

# A separate output tree (--platform_suffix=asan) keeps the optimized build cached; only the
# tagged tests and what they depend on are built in this configuration.
bazel test --config=asan --cache_test_results=no --test_tag_filters=asan --build_tests_only //... \
  "$@" 2>&1 |
  tee "$asan_log"
asan_rc=${PIPESTATUS[0]}
end_phase asan

# ThreadSanitizer likewise (its own --platform_suffix); the tests print "tsan: N runs, 0 races".
bazel test --config=tsan --cache_test_results=no --test_tag_filters=tsan --build_tests_only \
  --test_output=all //... "$@" 2>&1 |
  tee "$tsan_log"
tsan_rc=${PIPESTATUS[0]}
end_phase tsan

tools/fuzz.sh --runs 20000 2>&1 | tee "$fuzz_log"
fuzz_rc=${PIPESTATUS[0]}
end_phase fuzz

passed=$(count "$log" PASSED)
failed=$(count "$log" "$fail_states")
((rc != 0 && failed == 0)) && failed=1
asan_passed=$(count "$asan_log" PASSED)
asan_failed=$(count "$asan_log" "$fail_states")
((asan_rc != 0 && asan_failed == 0)) && asan_failed=1
tsan_passed=$(count "$tsan_log" PASSED)
tsan_failed=$(count "$tsan_log" "$fail_states")
((tsan_rc != 0 && tsan_failed == 0)) && tsan_failed=1

# A failed sanitizer rerun fails the run: each counts as one failed target in the final line.
((asan_failed > 0)) && failed=$((failed + 1))
((tsan_failed > 0)) && failed=$((failed + 1))
((fuzz_rc != 0)) && failed=$((failed + 1))
((rc == 0)) && rc=$asan_rc
((rc == 0)) && rc=$tsan_rc
((rc == 0)) && rc=$fuzz_rc

echo
printf '%s\n' "${phase_lines[@]}"
echo "phase: total $SECONDS s"
echo "asan: ${asan_passed} passed, ${asan_failed} failed"
echo "tsan: ${tsan_passed} passed, ${tsan_failed} failed"
grep "^fuzz: " "$fuzz_log"
echo "${passed} passed, ${failed} failed"
exit "$rc"
