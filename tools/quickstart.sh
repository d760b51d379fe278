#!/usr/bin/env bash
# The main job on a bundled model, as far as the toolchain goes today:
# export ResNet-18 with Debian's PyTorch (seeded weights), import the ONNX
# file, save it as HBIR, run the float reference against torch's output, then
# calibrate on real photo crops, convert to int8, run the quantized reference
# and print the per-layer similarity report; compile the quantized model into
# a BPU program (.hbm, O2) and run it on the simulator (the same output as the
# quantized reference, cycles, utilization); then one hand-written ResNet-18
# conv layer with its trace.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/setup.sh
echo "quickstart: building bpu and exporting the models (first run: a few minutes)" >&2
bazel build //tools:bpu //tools:example_programs //tests/models:models //tests/models:quant_data
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
# The quantization steps use the same seeded ResNet-18 with its BatchNorm statistics taken from the
# calibration photos (tests/models/ptq/), so its activations are those of real images.
echo "== resnet18: calibrate on 32 photo crops, convert to int8 for bayes (J5; the last layer keeps its int32 accumulator)"
"$BPU" quantize "$MODELS/ptq/resnet18.onnx" --calib "$MODELS/calib" --march bayes \
  -o "$OUT/resnet18.q.hbir"
echo "== resnet18: quantized reference on one test crop"
"$BPU" run "$OUT/resnet18.q.hbir" --input "$MODELS/test/000.npy" -o "$OUT/resnet18.q.out"
echo "== resnet18: per-layer similarity, int8 vs float, over 16 test crops"
"$BPU" similarity "$MODELS/ptq/resnet18.onnx" "$OUT/resnet18.q.hbir" --inputs "$MODELS/test" \
  | tee "$OUT/resnet18.similarity.txt" | tail -8
echo "full report: $OUT/resnet18.similarity.txt"
echo "== resnet18: compile for bayes (J5) into a BPU program (.hbm, O2) and run it on the simulator"
"$BPU" compile "$MODELS/ptq/resnet18.onnx" --calib "$MODELS/calib" --march bayes --opt O2 \
  -o "$OUT/resnet18.hbm" 2> /dev/null | grep -E "^(compile|wrote)"
"$BPU" sim "$OUT/resnet18.hbm" --input "$MODELS/test/000.npy" -o "$OUT/resnet18.sim.npy" \
  | grep -v "^  layer"
echo "   (bit for bit equal to the quantized reference: bazel test //tests:backend_bitexact_test)"
echo "== the modeled BPU: ResNet-18's layer1 3x3 conv (56x56x64 -> 64) as a hand-written,"
echo "   double-buffered program on the bernoulli2 simulator"
EX="$BIN/tools/examples/resnet18_layer1_conv3x3"
"$BPU" sim "$EX.s" --input "$EX.input.bin" --expect "$EX.expected.bin" -o "$OUT/conv.out.bin" \
  --trace "$OUT/conv.trace.json" --stats "$OUT/conv.stats.json"

