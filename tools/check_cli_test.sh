#!/usr/bin/env bash
# `bpu check` end to end (docs/CHECK.md): resnet18 checks clean on bayes (shapes only and
# calibrated, with --advice), vit_tiny on bernoulli2 reports its Transpose and int16 violations
# with advice and exits 1, and bad input is a clean error (2 for arguments, 1 for failed work).
set -euo pipefail
BPU="$TEST_SRCDIR/openbpu/tools/bpu"
MODELS="$TEST_SRCDIR/openbpu/tests/models"
QDATA="$MODELS"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

# want_rc RC OUT CMD...: runs CMD with stdout+stderr in OUT and checks its exit status.
want_rc() {
  local want="$1" out="$2"; shift 2
  set +e
  "$@" > "$out" 2>&1
  local rc=$?
  set -e
  if [[ $rc -ne $want ]]; then echo "exit $rc (want $want): $*"; cat "$out"; exit 1; fi
}
has() {  # has PATTERN FILE
  grep -q -- "$1" "$2" || { echo "'$1' not in $2:"; cat "$2"; exit 1; }
}

# resnet18 on bayes: shape limits only, then calibrated (dtypes too) with the per-layer advice.
want_rc 0 "$TMP/r18.txt" "$BPU" check "$MODELS/resnet18.onnx" --march bayes
has "^check: 49 nodes, 49 BPU, 0 CPU, 0 violations (bayes, shapes only): compiles" "$TMP/r18.txt"
has "^/conv1/Conv  Conv (torch.nn.Conv2d)  BPU  float32 -> float32" "$TMP/r18.txt"
want_rc 0 "$TMP/r18q.txt" "$BPU" check "$MODELS/resnet18.onnx" --march bayes \
  --calib "$MODELS/resnet18.input.npy" --advice 20
has "^check: 26 nodes, 25 BPU, 1 CPU, 0 violations (bayes, dtypes checked): compiles" "$TMP/r18q.txt"
has "^output_dequantized  DequantizeLinear (torch.quantization.DeQuantStub)  CPU" "$TMP/r18q.txt"
has "^advice: [0-9]* of [0-9]* layers over 20 us (bayes, O2, modeled latency" "$TMP/r18q.txt"
has "/layer4/layer4.1/conv2/Conv (FusedConv): .* us vs roofline .*: DDR-bound" "$TMP/r18q.txt"
has "/conv1/Conv (FusedConv): .*MAC array under-filled.*3 input channels" "$TMP/r18q.txt"

# vit_tiny on bernoulli2: quantized in hybrid mode, what the BPU does not run is reported.
want_rc 1 "$TMP/vit.txt" "$BPU" check "$QDATA/ptq/vit_tiny.onnx" --march bernoulli2 \
  --calib "$QDATA/calib" --violations-only
has "^/Transpose  Transpose (tensor.transpose)  CPU" "$TMP/vit.txt"
has "violates tensor.transpose supported on bernoulli2: no" "$TMP/vit.txt"
has "advice: keep the \[N, C, H, W\] layout" "$TMP/vit.txt"
has "violates torch.nn.Softmax supported on bernoulli2: no" "$TMP/vit.txt"
has "violates kernel <= 7: 32" "$TMP/vit.txt"
has "^check: .* violations in .* (bernoulli2, dtypes checked): does not compile" "$TMP/vit.txt"
# Its int16 graph for bayes, checked for bernoulli2: qint16 is bayes-only.
"$BPU" quantize "$QDATA/ptq/vit_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --int16-ops Softmax,LayerNormalization,Erf -o "$TMP/vit16.q.hbir" > /dev/null 2>&1
want_rc 1 "$TMP/vit16.txt" "$BPU" check "$TMP/vit16.q.hbir" --march bernoulli2 --violations-only
has "note: .*vit16.q.hbir was quantized for bayes; checking it for bernoulli2" "$TMP/vit16.txt"
has "violates input dtype in {int8}: int16" "$TMP/vit16.txt"
has "advice: qint16 only on bayes / bayes-e" "$TMP/vit16.txt"
has "violates tensor.transpose supported on bernoulli2: no" "$TMP/vit16.txt"

# Bad input: exit 2 for arguments, 1 for a model that cannot be read; never a crash.
want_rc 2 "$TMP/e1.txt" "$BPU" check "$MODELS/resnet18.onnx" --march x9
has "bpu check: .*--march.*(see bpu check --help)" "$TMP/e1.txt"
want_rc 2 "$TMP/e2.txt" "$BPU" check "$MODELS/resnet18.onnx"
want_rc 2 "$TMP/e3.txt" "$BPU" check "$MODELS/resnet18.onnx" --march bayes --advice 10
has "--advice compiles the model: give --calib" "$TMP/e3.txt"
want_rc 1 "$TMP/e4.txt" "$BPU" check "$TMP/nosuch.onnx" --march bayes
has "bpu check: .*nosuch.onnx" "$TMP/e4.txt"
printf 'not an onnx model' > "$TMP/bad.onnx"
want_rc 1 "$TMP/e5.txt" "$BPU" check "$TMP/bad.onnx" --march bayes
has "bpu check: " "$TMP/e5.txt"
echo "check_cli_test: ok"
