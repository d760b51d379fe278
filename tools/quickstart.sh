#!/usr/bin/env bash
# The main job on a bundled model, as far as the toolchain goes today:
# export ResNet-18 with Debian's PyTorch (seeded weights), import the ONNX
# file, save it as HBIR, and run the float reference against torch's output.
# Quantize -> compile -> .hbm -> simulate -> perf report join this script as
# their issues land.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh
echo "quickstart: building bpu and exporting the models (first run: a few minutes)" >&2
bazel build //tools:bpu //tests/models:models
BIN="$(bazel info bazel-bin 2>/dev/null)"
BPU="$BIN/tools/bpu"
MODELS="$BIN/tests/models"
OUT="${QUICKSTART_OUT:-/tmp/openbpu-quickstart}"
mkdir -p "$OUT"

echo "== resnet18: import and export HBIR"
"$BPU" export-hbir "$MODELS/resnet18.onnx" -o "$OUT/resnet18.hbir"
"$BPU" dump "$OUT/resnet18.hbir" > "$OUT/resnet18.txt"
echo "IR dump: $OUT/resnet18.txt ($(grep -c ' = ' "$OUT/resnet18.txt") lines)"
echo "== resnet18: float reference vs torch"
"$BPU" run "$OUT/resnet18.hbir" --input "$MODELS/resnet18.input.npy" -o "$OUT/resnet18.out" \
  --expect "$MODELS/resnet18.output.npy"
