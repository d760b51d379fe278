#!/usr/bin/env bash
# Host speed (issue 16): builds benchmarks/host_speed_bench and compares it with PyTorch's own
# int8 inference (benchmarks/host_speed.py, Debian's python3-torch). Prints one
# `host-speed: MODEL threads=T ours=... torch=... ratio=R` line per model and thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //benchmarks:host_speed_bench //tests/models:models //tests/models:quant_data
BIN="$(bazel info -c opt bazel-bin 2>/dev/null)"
/usr/bin/python3 benchmarks/host_speed.py --bench "$BIN/benchmarks/host_speed_bench" \
  --data "$BIN/tests/models"
