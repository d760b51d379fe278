#!/usr/bin/env bash
# The PTQ comparison sweep (issue 18; tools/ptq_sweep.py): ours against PyTorch's FX PTQ on 18
# torchvision architectures, every observer printed. Not a CI test (hours on 2 cores; the default
# column alone about 90 min).
# Usage: tools/ptq_sweep.sh [--models a,b,...] [--observers percentile,minmax,mse,kl] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=/tmp/openbpu_ptq_sweep
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
bazel build -c opt //tools:bpu > /dev/null
/usr/bin/python3 tools/ptq_sweep.py --bpu "$(bazel info -c opt bazel-bin)/tools/bpu" --out "$out" \
  "${args[@]}"
