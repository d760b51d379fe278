#!/usr/bin/env bash
# The bpu CLI end to end on a real model: dump, export-hbir, run (ONNX and
# HBIR give the same output), quantize / similarity, the instruction-set tools
# (asm, disas, sim), and clean errors for bad input.
set -euo pipefail
BPU="$TEST_SRCDIR/openbpu/tools/bpu"
MODELS="$TEST_SRCDIR/openbpu/tests/models"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

"$BPU" dump "$MODELS/resnet18.onnx" > "$TMP/dump.txt"
grep -q "= Conv(" "$TMP/dump.txt" || { echo "dump shows no Conv"; exit 1; }

"$BPU" export-hbir "$MODELS/resnet18.onnx" -o "$TMP/r18.hbir"
"$BPU" run "$MODELS/resnet18.onnx" --input "$MODELS/resnet18.input.npy" -o "$TMP/onnx_out" \
  --expect "$MODELS/resnet18.output.npy" | tee "$TMP/run.txt"
"$BPU" run "$TMP/r18.hbir" --input "$MODELS/resnet18.input.npy" -o "$TMP/hbir_out"
cmp "$TMP/onnx_out0.npy" "$TMP/hbir_out0.npy" || { echo "HBIR run differs from ONNX run"; exit 1; }
rel=$(sed -n 's/.*max_rel_err=\([0-9.e+-]*\).*/\1/p' "$TMP/run.txt")
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$rel') <= 1e-4 else 1)" \
  || { echo "max_rel_err $rel too large"; exit 1; }

# quantize + similarity: calibrate on the model's sample input, compare on the same input.
"$BPU" quantize "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" --march bayes \
  -o "$TMP/r18.q.hbir" > "$TMP/quantize.txt" 2> "$TMP/quantize.err"
grep -q "quantized nodes" "$TMP/quantize.txt" || { echo "no convert report"; cat "$TMP/quantize.txt"; exit 1; }
grep -q "calibrate: 1/1 samples" "$TMP/quantize.err" || { echo "no progress line"; exit 1; }
"$BPU" dump "$TMP/r18.q.hbir" > "$TMP/qdump.txt"
grep -q "= QuantizeLinear(" "$TMP/qdump.txt" || { echo "no QuantizeLinear in dump"; exit 1; }
"$BPU" run "$TMP/r18.q.hbir" --input "$MODELS/resnet18.input.npy" --expect "$MODELS/resnet18.output.npy" \
  > "$TMP/qrun.txt"
grep -q "quantized reference" "$TMP/qrun.txt" || { echo "quantized run missing"; cat "$TMP/qrun.txt"; exit 1; }
"$BPU" similarity "$MODELS/resnet18.onnx" "$TMP/r18.q.hbir" --inputs "$MODELS/resnet18.input.npy" \
  > "$TMP/similarity.txt"
cat "$TMP/similarity.txt"
# The last layer (the classifier) must track float closely: cosine >= 0.99.
cos=$(grep -v "^similarity\|^layer" "$TMP/similarity.txt" | tail -1 | awk '{print $(NF-2)}')
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$cos') >= 0.99 else 1)" \
  || { echo "final-layer cosine $cos < 0.99"; exit 1; }

# Bad input: clean non-zero exits with a message, never a crash.
expect_error() {
  local want="$1"; shift
  set +e
  "$@" > "$TMP/err.txt" 2>&1
  local rc=$?
  set -e
  if [[ $rc -eq 0 || $rc -ge 128 ]]; then echo "expected a clean error from: $*"; cat "$TMP/err.txt"; exit 1; fi
  grep -q "$want" "$TMP/err.txt" || { echo "error lacks '$want':"; cat "$TMP/err.txt"; exit 1; }
}
head -c 1000 "$MODELS/resnet18.onnx" > "$TMP/truncated.onnx"
expect_error "truncated.onnx" "$BPU" dump "$TMP/truncated.onnx"
expect_error "not a valid ONNX model" "$BPU" dump "$MODELS/resnet18.input.npy"
expect_error "expected float32\[1,3,224,224\]" "$BPU" run "$MODELS/resnet18.onnx" --input "$MODELS/resnet18.output.npy"
expect_error "unknown command" "$BPU" frobnicate
expect_error "cannot open" "$BPU" run "$MODELS/resnet18.onnx" --input /nonexistent.npy
expect_error "bernoulli2" "$BPU" quantize "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" \
  --march bernoulli2 --dtype qint16 -o "$TMP/bad.hbir"
expect_error "march" "$BPU" quantize "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" \
  --march x9 -o "$TMP/bad.hbir"
expect_error "does not exist" "$BPU" quantize "$MODELS/resnet18.onnx" --calib /nonexistent \
  --march bayes -o "$TMP/bad.hbir"
expect_error "input 'input'\|float32" "$BPU" quantize "$MODELS/resnet18.onnx" \
  --calib "$MODELS/resnet18.output.npy" --march bayes -o "$TMP/bad.hbir"

# Instruction-set tools on the simulator's ResNet-18 layer1 conv example.
EX="$TEST_SRCDIR/openbpu/tools/examples/resnet18_layer1_conv3x3"
"$BPU" sim "$EX.s" --input "$EX.input.bin" --expect "$EX.expected.bin" -o "$TMP/sim_out.bin" \
  --trace "$TMP/trace.json" --stats "$TMP/stats.json" | tee "$TMP/sim.txt"
grep -q "0 mismatches" "$TMP/sim.txt" || { echo "simulator output differs from the golden"; exit 1; }
cmp "$TMP/sim_out.bin" "$EX.expected.bin"
cycles_both=$(sed -n 's/^total cycles \([0-9]*\).*/\1/p' "$TMP/sim.txt")
cycles_perf=$("$BPU" sim "$EX.s" --mode perf | sed -n 's/^total cycles \([0-9]*\).*/\1/p')
[ -n "$cycles_both" ] && [ "$cycles_both" = "$cycles_perf" ] \
  || { echo "perf ($cycles_perf) and both ($cycles_both) cycles differ"; exit 1; }
/usr/bin/python3 -c "
import json, sys
t = json.load(open('$TMP/trace.json'))
events = t['traceEvents'] if isinstance(t, dict) else t
assert any(e.get('ph') == 'X' for e in events), 'no complete events'
s = json.load(open('$TMP/stats.json'))
assert int(s['totalCycles']) == $cycles_both, s['totalCycles']
"
"$BPU" asm "$EX.s" -o "$TMP/prog.bin"
"$BPU" disas "$TMP/prog.bin" > "$TMP/disas.s"
grep -v '^#' "$EX.s" | diff - "$TMP/disas.s" || { echo "asm/disas do not round-trip"; exit 1; }
"$BPU" sim "$TMP/prog.bin" --input "$EX.input.bin" --expect "$EX.expected.bin" > /dev/null
head -c 100 "$TMP/prog.bin" > "$TMP/truncated.bin"
expect_error "truncated" "$BPU" sim "$TMP/truncated.bin"
expect_error "DDR input region" "$BPU" sim "$EX.s" --input "$EX.s"
printf 'tae.conv in=0 bogus=1\nend\n' > "$TMP/bad.s"
expect_error "line 1" "$BPU" sim "$TMP/bad.s"
echo "bpu_cli_test: ok"
