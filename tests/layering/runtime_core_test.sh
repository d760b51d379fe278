#!/usr/bin/env bash
# //runtime:core depends on no simulator target (arg 1: its genquery, must be empty); the control
# (arg 2): //runtime:bpu_section does depend on //simulator:simulator, so the query sees deps.
set -uo pipefail
core=$1
control=$2
if [[ -s "$core" ]]; then
  echo "FAIL: //runtime:core depends on the simulator:"
  cat "$core"
  exit 1
fi
if ! grep -q '^//simulator:simulator$' "$control"; then
  echo "FAIL: control: //runtime:bpu_section should depend on //simulator:simulator"
  exit 1
fi
echo "runtime-core: 0 simulator targets in deps(//runtime:core); //runtime:bpu_section has //simulator:simulator"
