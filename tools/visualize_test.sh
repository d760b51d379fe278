#!/usr/bin/env bash
# bpu visualize end to end (docs/VISUALIZE.md): real models drawn to SVG and PNG, checked by
# visualize_check.py against figures other commands report (node counts from bpu dump, layers
# from bpu disas, CPU nodes from bpu compile's hybrid summary): one SVG node per graph node, the
# BPU and CPU fill colours, labels within 60 characters x 6 lines; clean errors for bad input.
set -euo pipefail
BPU="$TEST_SRCDIR/openbpu/tools/bpu"
CHECK="/usr/bin/python3 $TEST_SRCDIR/openbpu/tools/visualize_check.py"
MODELS="$TEST_SRCDIR/openbpu/tests/models"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

# Graph nodes in a `bpu dump` listing: lines defining a value that are not constants.
count_nodes() {
  "$BPU" dump "$1" > "$TMP/dump.txt"
  grep -v "= constant" "$TMP/dump.txt" > "$TMP/dump_nodes.txt" || true
  grep -c " = " "$TMP/dump_nodes.txt"
}

# A float ONNX model without a march: every node unplaced (grey).
"$BPU" visualize "$MODELS/resnet18.onnx" -o "$TMP/r18.svg" > "$TMP/r18.txt"
n=$(count_nodes "$MODELS/resnet18.onnx")
$CHECK "$TMP/r18.svg" "$n" 0 0

# The ViT on bernoulli2, quantized hybrid (attention's transposes, softmax, layernorm on the CPU):
# the IR view of the .q.hbir, and the compiled .hbm's layers and CPU nodes with modeled times.
"$BPU" quantize "$MODELS/ptq/vit_tiny.onnx" --march bernoulli2 --calib "$MODELS/calib/000.npy" \
  --hybrid -o "$TMP/vit.q.hbir" > /dev/null 2>&1
"$BPU" compile "$TMP/vit.q.hbir" --march bernoulli2 --hybrid -o "$TMP/vit.hbm" > "$TMP/vit_c.txt" \
  2> /dev/null
cpu=$(sed -n 's/^compile: hybrid model: .* nodes on the BPU, \([0-9]*\) on the CPU$/\1/p' \
  "$TMP/vit_c.txt")
[[ -n "$cpu" && "$cpu" -gt 0 ]] || { echo "no hybrid summary"; cat "$TMP/vit_c.txt"; exit 1; }
"$BPU" disas "$TMP/vit.hbm" > "$TMP/vit_disas.txt"
layers=$(grep -c "^# layer " "$TMP/vit_disas.txt")
"$BPU" visualize "$TMP/vit.hbm" -o "$TMP/vit_hbm.svg" > "$TMP/vit_v.txt"
$CHECK "$TMP/vit_hbm.svg" $((layers + cpu)) "$layers" "$cpu"
grep -q "modeled [0-9.]* us" "$TMP/vit_hbm.svg" || { echo "no modeled layer times"; exit 1; }
grep -q "^visualize: modeled latency [0-9.]* us" "$TMP/vit_v.txt" || { echo "no latency line"; exit 1; }
# The IR view: the same nodes plus the model's input QuantizeLinear and output DequantizeLinear
# (the runtime's host conversion: CPU).
n=$(count_nodes "$TMP/vit.q.hbir")
"$BPU" visualize "$TMP/vit.q.hbir" -o "$TMP/vit_ir.svg" > /dev/null
$CHECK "$TMP/vit_ir.svg" "$n" $((n - cpu - 2)) $((cpu + 2))

# The float ViT placed by bernoulli2's op table, and --calib --perf (quantize, compile in memory,
# time): the BPU nodes' labels carry modeled times.
"$BPU" visualize "$MODELS/ptq/vit_tiny.onnx" --march bernoulli2 -o "$TMP/vit_f.svg" > /dev/null
grep -q 'fill="#f4a261"' "$TMP/vit_f.svg" || { echo "no CPU node in the float ViT"; exit 1; }
"$BPU" visualize "$MODELS/ptq/vit_tiny.onnx" --march bernoulli2 --calib "$MODELS/calib/000.npy" \
  --perf -o "$TMP/vit_p.svg" > /dev/null 2>&1
$CHECK "$TMP/vit_p.svg" "$n" $((n - cpu - 2)) $((cpu + 2))
grep -q "modeled [0-9.]* us" "$TMP/vit_p.svg" || { echo "--perf: no modeled layer times"; exit 1; }

# resnet50 to PNG.
"$BPU" visualize "$MODELS/resnet50.onnx" --march bayes -o "$TMP/r50.png" > /dev/null
head -c 8 "$TMP/r50.png" | od -An -c > "$TMP/magic.txt"
grep -q "P   N   G" "$TMP/magic.txt" || { echo "not a PNG"; cat "$TMP/magic.txt"; exit 1; }

# Bad input: exit 1 with one clear line, never a crash.
expect_error() {  # expect_error MESSAGE ARGS...
  local message="$1"
  shift
  local rc=0
  "$BPU" visualize "$@" > /dev/null 2> "$TMP/err.txt" || rc=$?
  [[ $rc -eq 1 ]] || { echo "bpu visualize $*: exit $rc, expected 1"; cat "$TMP/err.txt"; exit 1; }
  grep -q -- "$message" "$TMP/err.txt" || { echo "bpu visualize $*: unclear error:"; cat "$TMP/err.txt"; exit 1; }
}
echo "not a model" > "$TMP/bad.onnx"
cp "$TMP/bad.onnx" "$TMP/bad.hbm"
cp "$TMP/bad.onnx" "$TMP/bad.hbir"
expect_error "bad.onnx: not a valid ONNX model" "$TMP/bad.onnx" -o "$TMP/x.svg"
expect_error "bad.hbm: not an .hbm file" "$TMP/bad.hbm" -o "$TMP/x.svg"
head -c 5000 "$TMP/vit.hbm" > "$TMP/cut.hbm"
expect_error "cut.hbm: " "$TMP/cut.hbm" -o "$TMP/x.svg"
expect_error "bad.hbir" "$TMP/bad.hbir" -o "$TMP/x.svg"
expect_error "unknown output format 'jpeg'" "$MODELS/resnet18.onnx" -o "$TMP/x.jpeg"
expect_error "cannot write '/nonexistent/x.svg'" "$MODELS/resnet18.onnx" -o /nonexistent/x.svg
expect_error "unknown model type" "$TMP/dump.txt" -o "$TMP/x.svg"
expect_error "cannot open" "$TMP/missing.hbm" -o "$TMP/x.svg"
expect_error "drop --calib" "$TMP/vit.hbm" --calib "$MODELS/calib/000.npy" -o "$TMP/x.svg"
expect_error "--perf compiles a quantized graph" "$MODELS/resnet18.onnx" --perf -o "$TMP/x.svg"

# Usage: --help on stdout; bad arguments exit 2 with one line pointing at the help.
"$BPU" visualize --help > "$TMP/help.txt"
for flag in -o --march --calib --perf --opt --hybrid-nodes --model "orange"; do
  grep -q -- "$flag" "$TMP/help.txt" || { echo "bpu visualize --help lacks $flag"; exit 1; }
done
for args in "$MODELS/resnet18.onnx" "$MODELS/resnet18.onnx -o $TMP/x.svg --march pentium"; do
  rc=0
  "$BPU" visualize $args > /dev/null 2> "$TMP/usage.err" || rc=$?
  [[ $rc -eq 2 ]] || { echo "bpu visualize $args: exit $rc, expected 2"; exit 1; }
  grep -q "see bpu visualize --help" "$TMP/usage.err" || { echo "no usage pointer"; exit 1; }
done
echo "visualize: all checks passed"
