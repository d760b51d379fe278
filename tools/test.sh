#!/usr/bin/env bash
# Sets up the machine, builds everything and runs every test. The last line is
# "N passed, M failed" counted over Bazel's test targets.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
bazel test //... "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# The bad-input tests (tagged "asan") again under AddressSanitizer + UBSan; a
# separate output tree (--platform_suffix) keeps the optimized build cached.
bazel test --config=asan --test_tag_filters=asan --build_tests_only //... "$@" 2>&1 | tee -a "$log"
asan_rc=${PIPESTATUS[0]}
((rc == 0)) && rc=$asan_rc

# Bazel prints one summary line per test target: "//pkg:name   PASSED in 1.2s".
passed=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
failed=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD|INCOMPLETE|FLAKY)' "$log")
rm -f "$log"
if ((rc != 0 && failed == 0)); then failed=1; fi
echo "${passed} passed, ${failed} failed"
exit "$rc"
