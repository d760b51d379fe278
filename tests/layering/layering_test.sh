#!/usr/bin/env bash
# Fails when a package depends on a folder its row in docs/LAYERING.md does not allow.
# Arguments: the control query's output (must be non-empty: the queries see dependencies), then
# one genquery output per package (must be empty: the forbidden dependencies).
set -uo pipefail
control=$1
shift
if [[ ! -s "$control" ]]; then
  echo "FAIL: the control query found no dependency of //simulator:simulator on //isa"
  exit 1
fi
failed=0
for out in "$@"; do
  package=$(basename "$out")
  if [[ -s "$out" ]]; then
    echo "FAIL: ${package//_/\/} depends on what docs/LAYERING.md does not allow:"
    sed 's/^/  /' "$out"
    failed=$((failed + 1))
  else
    echo "layering: ${package//_/\/} ok"
  fi
done
echo "layering: $# packages checked, $failed with forbidden dependencies"
((failed == 0))
