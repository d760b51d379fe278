#!/usr/bin/env bash
# The bpu CLI end to end on a real model: dump, export-hbir, run (ONNX and
# HBIR give the same output), quantize / similarity, the instruction-set tools
# (asm, disas, sim), --help for every command, and clean errors for bad input (exit 2 for bad
# arguments, 1 for work that fails).
set -euo pipefail
BPU="$TEST_SRCDIR/openbpu/tools/bpu"
MODELS="$TEST_SRCDIR/openbpu/tests/models"
QDATA="$MODELS"  # the digits CNN (//tests/models:quant_data)
QDQ_MODEL="$TEST_SRCDIR/openbpu/compiler/quantization/testdata/qdq_conv.onnx"
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
# compile -> .hbm -> sim: the compiled model runs on the simulator; the same command gives the
# same bytes; a corrupt .hbm is a clear error (exit 1).
"$BPU" compile "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" --march bernoulli2 \
  -o "$TMP/r18.hbm" > "$TMP/compile.txt" 2> /dev/null
grep -q "^compile: 23 layers" "$TMP/compile.txt" || { echo "no compile summary"; cat "$TMP/compile.txt"; exit 1; }
"$BPU" compile "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" --march bernoulli2 \
  -o "$TMP/r18b.hbm" > /dev/null 2>&1
cmp "$TMP/r18.hbm" "$TMP/r18b.hbm" || { echo "compile is not reproducible"; exit 1; }
"$BPU" sim "$TMP/r18.hbm" --input "$MODELS/resnet18.input.npy" -o "$TMP/r18_sim.npy" > "$TMP/sim_hbm.txt"
grep -q "argmax" "$TMP/sim_hbm.txt" || { echo "no output from sim"; cat "$TMP/sim_hbm.txt"; exit 1; }
grep -q "total cycles" "$TMP/sim_hbm.txt" || { echo "no cycles from sim"; cat "$TMP/sim_hbm.txt"; exit 1; }
# bpu run MODEL.hbm: the same model through the runtime gives the same outputs as bpu sim
# (--expect: max|diff|=0); --mode perf prints the modeled latency and no outputs; a wrong input
# shape is a clear error; --mode on a non-.hbm model is refused.
"$BPU" run "$TMP/r18.hbm" --input "$MODELS/resnet18.input.npy" -o "$TMP/r18_run" \
  --expect "$TMP/r18_sim.npy" > "$TMP/run_hbm.txt"
grep -q "^runtime: resnet18 .* backend func" "$TMP/run_hbm.txt" || { echo "run .hbm: no runtime line"; cat "$TMP/run_hbm.txt"; exit 1; }
grep -q "max|diff|=0 " "$TMP/run_hbm.txt" || { echo "run .hbm differs from sim"; cat "$TMP/run_hbm.txt"; exit 1; }
"$BPU" run "$TMP/r18.hbm" --input "$MODELS/resnet18.input.npy" --mode perf > "$TMP/run_perf.txt"
grep -q "^total cycles " "$TMP/run_perf.txt" || { echo "run --mode perf: no cycles"; cat "$TMP/run_perf.txt"; exit 1; }
expect_error "input 'input' must be float32 \[1,3,224,224\]" "$BPU" run "$TMP/r18.hbm" \
  --input "$TMP/r18_sim.npy"
expect_error "apply to an .hbm only" "$BPU" run "$MODELS/resnet18.onnx" --mode perf
"$BPU" disas "$TMP/r18.hbm" > "$TMP/disas_hbm.txt"
grep -q "^# input  'input' INT8 \[1,3,224,224\] NHWC SCALE" "$TMP/disas_hbm.txt" \
  || { echo "disas shows no input descriptor"; head -20 "$TMP/disas_hbm.txt"; exit 1; }
grep -q "^# layer 22 " "$TMP/disas_hbm.txt" || { echo "disas shows no layer table"; exit 1; }
grep -q "^tae.conv " "$TMP/disas_hbm.txt" || { echo "disas shows no instructions"; exit 1; }
# pack: two models of one march in one file; the same model name twice is an error.
"$BPU" compile "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" --march bernoulli2 \
  --name other -o "$TMP/other.hbm" > /dev/null 2>&1
"$BPU" pack "$TMP/r18.hbm" "$TMP/other.hbm" -o "$TMP/both.hbm" | grep -q "resnet18, other" \
  || { echo "pack did not name both models"; exit 1; }
if "$BPU" pack "$TMP/r18.hbm" "$TMP/r18b.hbm" -o "$TMP/dup.hbm" 2> "$TMP/dup.err"; then
  echo "pack accepted a duplicate model name"; exit 1
fi
# A graph quantized for bayes compiles for bayes, not for bernoulli2 (naming both).
"$BPU" compile "$TMP/r18.q.hbir" --march bayes -o "$TMP/fromhbir.hbm" > /dev/null
if "$BPU" compile "$TMP/r18.q.hbir" --march bernoulli2 -o "$TMP/bad.hbm" > /dev/null 2> "$TMP/march.err"; then
  echo "a bayes graph compiled for bernoulli2"; exit 1
fi
grep -q "quantized for bayes, not bernoulli2" "$TMP/march.err" || { echo "unclear march error:"; cat "$TMP/march.err"; exit 1; }
head -c 4096 "$TMP/r18.hbm" > "$TMP/cut.hbm"
if "$BPU" sim "$TMP/cut.hbm" > "$TMP/cut.out" 2> "$TMP/cut.err"; then echo "a cut .hbm ran"; exit 1; fi
grep -q "corrupt .hbm" "$TMP/cut.err" || { echo "unclear error for a cut .hbm:"; cat "$TMP/cut.err"; exit 1; }
# sim --model picks a model of a packed file; an unknown name lists the ones there are.
"$BPU" sim "$TMP/both.hbm" --model other --input "$MODELS/resnet18.input.npy" --mode func \
  > "$TMP/sim_other.txt"
grep -q "^model: other " "$TMP/sim_other.txt" || { echo "sim --model did not run 'other'"; exit 1; }
if "$BPU" sim "$TMP/both.hbm" --model nosuch > /dev/null 2> "$TMP/model.err"; then
  echo "sim ran an unknown model"; exit 1
fi
grep -q "has no model 'nosuch' (it has: resnet18, other)" "$TMP/model.err" \
  || { echo "unclear error for an unknown model:"; cat "$TMP/model.err"; exit 1; }
# --input-layout/--output-layout NCHW: the program transposes on the DMA; the descriptors say
# NCHW and the simulated output is the same as with NHWC.
"$BPU" compile "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" --march bernoulli2 \
  --input-layout NCHW --output-layout NCHW -o "$TMP/r18_nchw.hbm" > /dev/null 2>&1
"$BPU" disas "$TMP/r18_nchw.hbm" > "$TMP/disas_nchw.txt"
grep -q "^# input  'input' INT8 \[1,3,224,224\] NCHW SCALE" "$TMP/disas_nchw.txt" \
  || { echo "no NCHW input descriptor"; exit 1; }
"$BPU" sim "$TMP/r18_nchw.hbm" --input "$MODELS/resnet18.input.npy" -o "$TMP/r18_nchw.npy" > /dev/null
cmp "$TMP/r18_sim.npy" "$TMP/r18_nchw.npy" || { echo "NCHW layout changed the output"; exit 1; }
# --jobs: calibration samples run on threads; the .hbm is byte-identical for every value.
"$BPU" compile "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bayes \
  -o "$TMP/digits_j1.hbm" --jobs 1 > /dev/null 2>&1
"$BPU" compile "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bayes \
  -o "$TMP/digits_j3.hbm" --jobs 3 > /dev/null 2>&1
cmp "$TMP/digits_j1.hbm" "$TMP/digits_j3.hbm" || { echo "--jobs changed the .hbm"; exit 1; }
# The searching opt levels (compiler/tune): progress on stderr, the choice on stdout and in the
# recorded options, the same .hbm for any --jobs; bad levels and factors are argument errors; a
# hybrid model's BPU segments are searched one by one.
"$BPU" quantize "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bayes \
  -o "$TMP/digits.q.hbir" > /dev/null 2>&1
"$BPU" compile "$TMP/digits.q.hbir" --march bayes --opt O3 --jobs 1 -o "$TMP/digits_o3_j1.hbm" \
  > "$TMP/o3.txt" 2> "$TMP/o3.err"
"$BPU" compile "$TMP/digits.q.hbir" --march bayes --opt O3 --jobs 2 -o "$TMP/digits_o3_j2.hbm" \
  > /dev/null 2>&1
cmp "$TMP/digits_o3_j1.hbm" "$TMP/digits_o3_j2.hbm" || { echo "--jobs changed the O3 .hbm"; exit 1; }
grep -q "^search: candidate 1/[0-9]* O2: [0-9]* cycles" "$TMP/o3.err" \
  || { echo "no search progress:"; cat "$TMP/o3.err"; exit 1; }
grep -q "^compile: search (O3): chose candidate [0-9]*/[0-9]* (.*): [0-9]* cycles, [0-9]* DDR bytes" \
  "$TMP/o3.txt" || { echo "no search choice:"; cat "$TMP/o3.txt"; exit 1; }
"$BPU" disas "$TMP/digits_o3_j1.hbm" > "$TMP/o3_disas.txt"
grep -q "^# option knobs = pool_shift=" "$TMP/o3_disas.txt" \
  || { echo "the chosen knobs are not recorded"; exit 1; }
for level in O1 fast ddr balance; do
  "$BPU" compile "$TMP/digits.q.hbir" --march bayes --opt "$level" -o "$TMP/digits_$level.hbm" \
    > /dev/null 2>&1 || { echo "--opt $level failed"; exit 1; }
done
if "$BPU" compile "$TMP/digits.q.hbir" --march bayes --opt O4 -o "$TMP/x.hbm" > /dev/null \
  2> "$TMP/o4.err"; then
  echo "--opt O4 accepted"; exit 1
fi
grep -q "O4 not in {O0,O1,O2,O3,fast,ddr,balance}" "$TMP/o4.err" \
  || { echo "unclear error for --opt O4:"; cat "$TMP/o4.err"; exit 1; }
if "$BPU" compile "$TMP/digits.q.hbir" --march bayes --opt balance --balance-factor 101 \
  -o "$TMP/x.hbm" > /dev/null 2> "$TMP/factor.err"; then
  echo "--balance-factor 101 accepted"; exit 1
fi
grep -q "balance-factor.*0 to 100" "$TMP/factor.err" \
  || { echo "unclear error for --balance-factor 101:"; cat "$TMP/factor.err"; exit 1; }
"$BPU" quantize "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --hybrid-nodes /Concat -o "$TMP/yolo_h.q.hbir" > /dev/null 2>&1
for level in O2 O3; do
  "$BPU" compile "$TMP/yolo_h.q.hbir" --march bayes --hybrid-nodes /Concat --opt "$level" \
    -o "$TMP/yolo_h_$level.hbm" > "$TMP/yolo_h_$level.txt" 2> /dev/null
  "$BPU" run "$TMP/yolo_h_$level.hbm" --input "$QDATA/test/000.npy" -o "$TMP/yolo_h_${level}_" \
    > /dev/null
done
grep -q "^compile: search (O3), segment bpu2: chose candidate [0-9]*/[0-9]* " "$TMP/yolo_h_O3.txt" \
  || { echo "no per-segment search:"; cat "$TMP/yolo_h_O3.txt"; exit 1; }
for i in 0 1 2; do
  cmp "$TMP/yolo_h_O2_$i.npy" "$TMP/yolo_h_O3_$i.npy" || { echo "hybrid O3 output $i differs"; exit 1; }
done
# --core-num 2 (ISA 1.2): two instruction streams in the .hbm, the same output as one core, the
# perf summary counting the program's cores; a hybrid model's BPU segments split too; O0 and a
# one-core march are argument errors naming why.
"$BPU" compile "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy" --march bernoulli2 \
  --opt O2 --core-num 2 -o "$TMP/r18_2core.hbm" > "$TMP/r18_2core.txt" 2>&1
grep -q "^compile: 2 cores: [0-9]* layers split across them, [0-9]* cross-core waits (xsync)" \
  "$TMP/r18_2core.txt" || { echo "no two-core summary:"; cat "$TMP/r18_2core.txt"; exit 1; }
"$BPU" disas "$TMP/r18_2core.hbm" > "$TMP/r18_2core.s"
grep -q "^\.cores 2$" "$TMP/r18_2core.s" || { echo "no .cores 2 in the disassembly"; exit 1; }
grep -q "^# core 1$" "$TMP/r18_2core.s" || { echo "no second stream in the disassembly"; exit 1; }
grep -q "^xsync " "$TMP/r18_2core.s" || { echo "no xsync in a split program"; exit 1; }
"$BPU" sim "$TMP/r18_2core.hbm" --input "$MODELS/resnet18.input.npy" -o "$TMP/r18_2core.npy" \
  --mode both > "$TMP/r18_2core_sim.txt"
cmp "$TMP/r18_sim.npy" "$TMP/r18_2core.npy" || { echo "two cores changed the output"; exit 1; }
grep -q "^  2 BPU cores" "$TMP/r18_2core_sim.txt" || { echo "perf summary without cores"; exit 1; }
"$BPU" compile "$TMP/yolo_h.q.hbir" --march bayes --hybrid-nodes /Concat --opt O2 --core-num 2 \
  -o "$TMP/yolo_h_2core.hbm" > /dev/null 2>&1
"$BPU" run "$TMP/yolo_h_2core.hbm" --input "$QDATA/test/000.npy" -o "$TMP/yolo_h_2core_" > /dev/null
for i in 0 1 2; do
  cmp "$TMP/yolo_h_O2_$i.npy" "$TMP/yolo_h_2core_$i.npy" || { echo "hybrid 2-core output $i differs"; exit 1; }
done
if "$BPU" compile "$TMP/digits.q.hbir" --march bayes --core-num 2 -o "$TMP/x.hbm" > /dev/null \
  2> "$TMP/core_o0.err"; then
  echo "--core-num 2 accepted at O0"; exit 1
fi
grep -q "core-num 2 needs O1 or higher" "$TMP/core_o0.err" \
  || { echo "unclear error for --core-num 2 at O0:"; cat "$TMP/core_o0.err"; exit 1; }
"$BPU" quantize "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bayes-e \
  -o "$TMP/digits_e.q.hbir" > /dev/null 2>&1
if "$BPU" compile "$TMP/digits_e.q.hbir" --march bayes-e --opt O2 --core-num 2 -o "$TMP/x.hbm" \
  > /dev/null 2> "$TMP/core_e.err"; then
  echo "--core-num 2 accepted on bayes-e"; exit 1
fi
grep -q "bayes-e has 1 BPU core(s)" "$TMP/core_e.err" \
  || { echo "unclear error for --core-num 2 on bayes-e:"; cat "$TMP/core_e.err"; exit 1; }
# bpu perf (perf_model): a compiled .hbm's report with the vendor's keys, a valid trace with one
# process per core; an ONNX model compiled first (at O3); a hybrid model's BPU segments; errors.
"$BPU" perf "$TMP/r18_2core.hbm" --out-dir "$TMP/perf" > "$TMP/perf.txt"
grep -q "^perf: model resnet18, bernoulli2, 2 BPU core(s), --march bernoulli2 --opt O2 --core-num 2" \
  "$TMP/perf.txt" || { echo "unexpected perf summary:"; cat "$TMP/perf.txt"; exit 1; }
/usr/bin/python3 - "$TMP/perf/perf.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
for key in ("FPS", "latency (us)", "latency (ms)", "DDR bytes per frame", "loaded bytes per frame",
            "stored bytes per frame", "BPU OPs per frame", "BPU march", "BPU core number",
            "compiling options", "interval computing unit utilization"):
    assert key in s, key
assert s["BPU core number"] == 2 and s["BPU march"] == "bernoulli2", s
assert abs(s["latency (ms)"] * 1000 - s["latency (us)"]) < 1e-6 * s["latency (us)"], s
assert abs(s["FPS"] - 1e6 / s["latency (us)"]) < 1e-6 * s["FPS"], s
assert s["DDR bytes per frame"] == s["loaded bytes per frame"] + s["stored bytes per frame"], s
assert len(s["interval computing unit utilization"]) == 20, s
assert all(0 <= u <= 1 for u in s["interval computing unit utilization"]), s
layers = d["layer details"]
assert len(layers) == 23 and sum(l["BPU OPs"] for l in layers) == s["BPU OPs per frame"], layers
for l in layers:
    assert "computing cost (no DDR)" in l and "load/store cost" in l, l
print("perf-json: ok")
PY
/usr/bin/python3 simulator/trace_check.py "$TMP/perf/trace.json" 100 5 2 > /dev/null \
  || { echo "bad perf trace"; exit 1; }
"$BPU" perf "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bayes --opt O3 \
  --out-dir "$TMP/perf_digits" --layer-details > "$TMP/perf_digits.txt" 2> /dev/null
test -f "$TMP/perf_digits/digits.hbm" || { echo "perf did not keep the compiled .hbm"; exit 1; }
grep -q "FPS (two instances, one per core: " "$TMP/perf_digits.txt" \
  || { echo "no two-instance FPS:"; cat "$TMP/perf_digits.txt"; exit 1; }
"$BPU" perf "$TMP/yolo_h_O2.hbm" --out-dir "$TMP/perf_yolo_h" > "$TMP/perf_yolo_h.txt"
grep -q "CPU segment(s): host work, not in these figures" "$TMP/perf_yolo_h.txt" \
  || { echo "hybrid perf without its CPU note:"; cat "$TMP/perf_yolo_h.txt"; exit 1; }
ls "$TMP/perf_yolo_h"/trace_bpu*.json > /dev/null || { echo "no per-segment traces"; exit 1; }
if "$BPU" perf "$QDATA/digits.onnx" --out-dir "$TMP/x" > /dev/null 2> "$TMP/perf_err.txt"; then
  echo "perf compiled without --march"; exit 1
fi
grep -q "compiling MODEL needs --march" "$TMP/perf_err.txt" \
  || { echo "unclear perf error:"; cat "$TMP/perf_err.txt"; exit 1; }
# Without --calib: a QDQ model compiles with its own scales; a float model is an error that says
# how to calibrate.
"$BPU" compile "$QDQ_MODEL" --march bayes -o "$TMP/qdq.hbm" > /dev/null 2>&1 \
  || { echo "a QDQ model did not compile without --calib"; exit 1; }
if "$BPU" compile "$MODELS/resnet18.onnx" --march bayes -o "$TMP/nocalib.hbm" > /dev/null \
  2> "$TMP/nocalib.err"; then
  echo "a float model compiled without calibration data"; exit 1
fi
grep -q "is a float model.*--calib DIR" "$TMP/nocalib.err" \
  || { echo "unclear error for a float model without --calib:"; cat "$TMP/nocalib.err"; exit 1; }

# Hybrid models (docs/HYBRID.md). Without --hybrid an op the march's BPU does not run is an error
# naming the node, the table row and the way out.
if "$BPU" compile "$QDATA/ptq/vit_tiny.onnx" --calib "$QDATA/calib" --march bernoulli2 \
  -o "$TMP/vit.hbm" > /dev/null 2> "$TMP/vit.err"; then
  echo "vit_tiny compiled for bernoulli2 without --hybrid"; exit 1
fi
grep -q "node '/Transpose' (Transpose): the bernoulli2 op table does not run 'tensor.transpose'.*--hybrid" \
  "$TMP/vit.err" || { echo "unclear error without --hybrid:"; cat "$TMP/vit.err"; exit 1; }
# A node forced to the CPU by name: BPU and CPU segments, shown by disas, run with host time.
"$BPU" compile "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --hybrid-nodes /Concat -o "$TMP/yolo_h.hbm" > "$TMP/yolo_h.txt" 2> /dev/null
grep -q "^compile: hybrid model: 3 segments (2 BPU, 1 CPU)" "$TMP/yolo_h.txt" \
  || { echo "no hybrid summary"; cat "$TMP/yolo_h.txt"; exit 1; }
"$BPU" disas "$TMP/yolo_h.hbm" > "$TMP/yolo_h.s"
grep -q "^# segment cpu1: CPU, 4 nodes" "$TMP/yolo_h.s" || { echo "disas shows no CPU segment"; exit 1; }
grep -q "= Concat(.*# /Concat$" "$TMP/yolo_h.s" || { echo "disas shows no Concat node"; exit 1; }
"$BPU" run "$TMP/yolo_h.hbm" --mode both --input "$QDATA/test/000.npy" > "$TMP/yolo_h.run"
grep -q "^segment cpu1 (CPU, 4 nodes): host time .* us (measured on this host, not modeled BPU time)" \
  "$TMP/yolo_h.run" || { echo "no CPU host time"; cat "$TMP/yolo_h.run"; exit 1; }
grep -q "^hybrid: BPU [0-9]* cycles, .* us modeled; CPU .* us host time measured (not added" \
  "$TMP/yolo_h.run" || { echo "no hybrid time summary"; exit 1; }
# The same choice from a qconfig file gives the same bytes; an unknown field is an error naming it.
echo '{"hybrid_dict": {"node_names": ["/Concat"]}}' > "$TMP/q.json"
"$BPU" compile "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --qconfig "$TMP/q.json" -o "$TMP/yolo_q.hbm" > /dev/null 2>&1
cmp "$TMP/yolo_h.hbm" "$TMP/yolo_q.hbm" || { echo "--qconfig differs from --hybrid-nodes"; exit 1; }
echo '{"hybrid_dic": {}}' > "$TMP/bad.json"
if "$BPU" quantize "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --qconfig "$TMP/bad.json" -o "$TMP/bad.q.hbir" > /dev/null 2> "$TMP/badq.err"; then
  echo "a qconfig file with an unknown field was accepted"; exit 1
fi
grep -q "qconfig file .*bad.json: hybrid_dic" "$TMP/badq.err" \
  || { echo "unclear qconfig error:"; cat "$TMP/badq.err"; exit 1; }
# The PTQ methods (docs/QUANTIZATION.md): per-layer selection and learned rounding are on by default
# and report what they did; the same seed gives the same bytes, another seed other weights; the
# --no- flags and the qconfig file's fields turn them off; selection with minmax (no histogram) is
# an error saying why.
PTQ=(quantize "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bayes)
"$BPU" "${PTQ[@]}" -o "$TMP/ptq_a.q.hbir" > "$TMP/ptq.txt" 2> "$TMP/ptq.err"
grep -q "^select: [0-9]* activations over 8 samples: " "$TMP/ptq.err" \
  || { echo "no selection summary:"; cat "$TMP/ptq.err"; exit 1; }
grep -q "learned rounding: 4 convolutions, [0-9]* weights off nearest" "$TMP/ptq.txt" \
  || { echo "no learned rounding report:"; cat "$TMP/ptq.txt"; exit 1; }
grep -q "^round: 4/4 convolutions" "$TMP/ptq.err" \
  || { echo "no learned rounding progress:"; cat "$TMP/ptq.err"; exit 1; }
# The output-driven choice is off by default; --tune-scales (or the file's true) reports it.
if grep -q "^tune:" "$TMP/ptq.err"; then echo "tuned by default"; exit 1; fi
"$BPU" "${PTQ[@]}" --tune-scales -o "$TMP/ptq_t.q.hbir" > /dev/null 2> "$TMP/t.err"
grep -q "^tune: output SQNR over 16 calibration samples: selected [0-9.-]* dB.*; keeps " \
  "$TMP/t.err" || { echo "no output-driven choice:"; cat "$TMP/t.err"; exit 1; }
echo '{"tune_scales": true}' > "$TMP/t.json"
"$BPU" "${PTQ[@]}" --qconfig "$TMP/t.json" -o "$TMP/ptq_t2.q.hbir" > /dev/null 2>&1
cmp "$TMP/ptq_t.q.hbir" "$TMP/ptq_t2.q.hbir" || { echo "tune_scales in the file differs"; exit 1; }
# Empirical bias correction is on by default and reports what it did; --no-empirical-bias-correction
# (or the file's false) leaves the biases; --bias-correction alone takes its place; asking for both
# is an error saying why.
EBC_LINE="^empirical bias correction: [0-9]* layers over 32 calibration samples, mean shift [0-9.]*"
grep -q "$EBC_LINE LSB" "$TMP/ptq.err" \
  || { echo "no empirical bias correction by default:"; cat "$TMP/ptq.err"; exit 1; }
"$BPU" "${PTQ[@]}" --no-empirical-bias-correction -o "$TMP/ptq_ne.q.hbir" > /dev/null \
  2> "$TMP/ne.err"
if grep -q "empirical bias" "$TMP/ne.err"; then echo "--no-empirical-bias-correction ran it"; exit 1; fi
if cmp -s "$TMP/ptq_a.q.hbir" "$TMP/ptq_ne.q.hbir"; then
  echo "the empirical bias correction changed nothing"; exit 1
fi
echo '{"empirical_bias_correction": false}' > "$TMP/ne.json"
"$BPU" "${PTQ[@]}" --qconfig "$TMP/ne.json" -o "$TMP/ptq_ne2.q.hbir" > /dev/null 2>&1
cmp "$TMP/ptq_ne.q.hbir" "$TMP/ptq_ne2.q.hbir" \
  || { echo "empirical_bias_correction in the file differs"; exit 1; }
# The high-precision output is on by default on bayes (digits' last Gemm keeps its int32
# accumulator, and the convert report names it); --no-high-precision-output (or the file's false)
# gives int8; bernoulli2's op table has no int32 output, so it is not applied there.
grep -q "high-precision output (the int32 accumulator): 1 layer, /10/Gemm$" "$TMP/ptq.txt" \
  || { echo "no high-precision output by default:"; cat "$TMP/ptq.txt"; exit 1; }
"$BPU" "${PTQ[@]}" --no-high-precision-output -o "$TMP/ptq_nh.q.hbir" > "$TMP/nh.txt" 2>/dev/null
if grep -q "high-precision" "$TMP/nh.txt"; then echo "--no-high-precision-output kept it"; exit 1; fi
echo '{"high_precision_output": false}' > "$TMP/nh.json"
"$BPU" "${PTQ[@]}" --qconfig "$TMP/nh.json" -o "$TMP/ptq_nh2.q.hbir" > /dev/null 2>&1
cmp "$TMP/ptq_nh.q.hbir" "$TMP/ptq_nh2.q.hbir" \
  || { echo "high_precision_output in the file differs"; exit 1; }
"$BPU" quantize "$QDATA/digits.onnx" --calib "$QDATA/digits_calib.npy" --march bernoulli2 \
  -o "$TMP/ptq_b2.q.hbir" > "$TMP/b2.txt" 2>/dev/null
if grep -q "high-precision" "$TMP/b2.txt"; then echo "int32 output on bernoulli2"; exit 1; fi
# Both compile, and the .hbm's outputs through the runtime equal the quantized reference's bit
# for bit, the int32 ones too.
/usr/bin/python3 -c "
import numpy as np, sys
np.save(sys.argv[2], np.load(sys.argv[1])[7:8].astype(np.float32))" \
  "$QDATA/digits_test_x.npy" "$TMP/digit7.npy"
for v in a nh; do
  "$BPU" compile "$TMP/ptq_$v.q.hbir" --march bayes -o "$TMP/ptq_$v.hbm" > /dev/null 2>&1
  "$BPU" run "$TMP/ptq_$v.q.hbir" --input "$TMP/digit7.npy" -o "$TMP/ptq_${v}_ref" > /dev/null
  "$BPU" run "$TMP/ptq_$v.hbm" --input "$TMP/digit7.npy" -o "$TMP/ptq_${v}_hbm" > /dev/null
  cmp "$TMP/ptq_${v}_ref0.npy" "$TMP/ptq_${v}_hbm0.npy" \
    || { echo "the $v model's .hbm differs from its reference"; exit 1; }
done
if cmp -s "$TMP/ptq_a_hbm0.npy" "$TMP/ptq_nh_hbm0.npy"; then
  echo "the int32 and int8 outputs are the same"; exit 1
fi
echo "bpu-cli: high-precision output: int32 by default on bayes, int8 with --no-high-precision-output or the file's false, int8 on bernoulli2"
"$BPU" "${PTQ[@]}" --bias-correction -o "$TMP/ptq_bc.q.hbir" > "$TMP/bc.txt" 2> "$TMP/bc.err"
if grep -q "empirical bias" "$TMP/bc.err"; then echo "--bias-correction kept the empirical one"; exit 1; fi
grep -q "bias correction: [0-9]* convolutions$" "$TMP/bc.txt" \
  || { echo "no analytic bias correction report:"; cat "$TMP/bc.txt"; exit 1; }
if "$BPU" "${PTQ[@]}" --bias-correction --empirical-bias-correction -o "$TMP/bad.q.hbir" \
  > /dev/null 2> "$TMP/ebc.err"; then
  echo "both bias corrections were accepted"; exit 1
fi
grep -q "use it or bias_correction (--bias-correction), not both" "$TMP/ebc.err" \
  || { echo "unclear bias correction error:"; cat "$TMP/ebc.err"; exit 1; }
# Concat scales are unified by default; --no-unify-concat-scales (or the file's false) keeps each
# input's own scale.
"$BPU" quantize "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --no-select-observer --no-adaround -o "$TMP/yu.q.hbir" > "$TMP/yu.txt" 2> /dev/null
grep -q "unified concat scales: 2 concats" "$TMP/yu.txt" \
  || { echo "concat scales not unified by default:"; cat "$TMP/yu.txt"; exit 1; }
"$BPU" quantize "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --no-select-observer --no-adaround --no-unify-concat-scales -o "$TMP/yn.q.hbir" > "$TMP/yn.txt" \
  2> /dev/null
if grep -q "unified concat" "$TMP/yn.txt"; then echo "--no-unify-concat-scales unified"; exit 1; fi
echo '{"unify_concat_scales": false}' > "$TMP/yn.json"
"$BPU" quantize "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes \
  --no-select-observer --no-adaround --qconfig "$TMP/yn.json" -o "$TMP/yn2.q.hbir" > /dev/null 2>&1
cmp "$TMP/yn.q.hbir" "$TMP/yn2.q.hbir" || { echo "unify_concat_scales in the file differs"; exit 1; }
"$BPU" "${PTQ[@]}" --select-observer --adaround -o "$TMP/ptq_b.q.hbir" > /dev/null 2>&1
cmp "$TMP/ptq_a.q.hbir" "$TMP/ptq_b.q.hbir" || { echo "the PTQ methods are not deterministic"; exit 1; }
# The digits CNN's 8x8 maps have no more positions than the 64 draws, so learned rounding takes
# each once whatever the seed; the detector's larger maps are drawn, and the seed matters.
YPTQ=(quantize "$QDATA/ptq/yolo_tiny.onnx" --calib "$QDATA/calib" --march bayes --no-select-observer)
"$BPU" "${YPTQ[@]}" -o "$TMP/ys_a.q.hbir" > /dev/null 2>&1
"$BPU" "${YPTQ[@]}" --adaround-seed 7 -o "$TMP/ys_c.q.hbir" > /dev/null 2>&1
if cmp -s "$TMP/ys_a.q.hbir" "$TMP/ys_c.q.hbir"; then echo "--adaround-seed changed nothing"; exit 1; fi
"$BPU" "${PTQ[@]}" --adaround-seed 7 -o "$TMP/ptq_c.q.hbir" > /dev/null 2>&1
cmp "$TMP/ptq_a.q.hbir" "$TMP/ptq_c.q.hbir" \
  || { echo "the seed changed a model whose every position is taken"; exit 1; }
"$BPU" "${PTQ[@]}" --no-select-observer --no-adaround -o "$TMP/ptq_off.q.hbir" > "$TMP/off.txt" \
  2> "$TMP/off.err"
if grep -q "learned rounding\|^select:" "$TMP/off.txt" "$TMP/off.err"; then
  echo "--no-select-observer --no-adaround still selected or rounded"; exit 1
fi
echo '{"select_observer": false, "adaround": false}' > "$TMP/ptq.json"
"$BPU" "${PTQ[@]}" --qconfig "$TMP/ptq.json" -o "$TMP/ptq_d.q.hbir" > /dev/null 2>&1
cmp "$TMP/ptq_off.q.hbir" "$TMP/ptq_d.q.hbir" || { echo "the qconfig file's PTQ fields differ"; exit 1; }
"$BPU" "${PTQ[@]}" --observer minmax -o "$TMP/ptq_mm.q.hbir" > /dev/null 2>&1
if "$BPU" "${PTQ[@]}" --select-observer --observer minmax -o "$TMP/bad.q.hbir" > /dev/null \
  2> "$TMP/sel.err"; then
  echo "--select-observer with minmax was accepted"; exit 1
fi
grep -q "use it with the percentile, mse or kl observer" "$TMP/sel.err" \
  || { echo "unclear selection error:"; cat "$TMP/sel.err"; exit 1; }
# bernoulli2's channel shuffle rewrite: ShuffleNetV2 compiles, each shuffle one ChannelShuffle.
"$BPU" quantize "$MODELS/shufflenet_v2_x1_0.onnx" --calib "$MODELS/resnet18.input.npy" \
  --march bernoulli2 -o "$TMP/shuf.q.hbir" > "$TMP/shuf.txt" 2> /dev/null
test "$(grep -c "^rewrite: channel shuffle .* -> ChannelShuffle group=2" "$TMP/shuf.txt")" = 16 \
  || { echo "expected 16 channel shuffle rewrites"; cat "$TMP/shuf.txt"; exit 1; }

# Bad arguments: exit 2, nothing on stdout, one line on stderr naming the problem and the help.
expect_usage_error() {
  local cmd="$1" want="$2"; shift 2
  set +e
  "$@" > "$TMP/usage.out" 2> "$TMP/usage.err"
  local rc=$?
  set -e
  if [[ $rc -ne 2 ]]; then echo "expected exit 2 (bad arguments), got $rc from: $*"; cat "$TMP/usage.err"; exit 1; fi
  [[ ! -s "$TMP/usage.out" ]] || { echo "stdout not empty for: $*"; cat "$TMP/usage.out"; exit 1; }
  [[ $(wc -l < "$TMP/usage.err") -eq 1 ]] || { echo "not one line on stderr for: $*"; cat "$TMP/usage.err"; exit 1; }
  grep -q -- "$want" "$TMP/usage.err" || { echo "error lacks '$want':"; cat "$TMP/usage.err"; exit 1; }
  grep -qF "see $cmd --help" "$TMP/usage.err" || { echo "error does not point at '$cmd --help':"; cat "$TMP/usage.err"; exit 1; }
}
# The work itself failing: exit 1.
expect_exit_1() {
  set +e
  "$@" > /dev/null 2>&1
  local rc=$?
  set -e
  [[ $rc -eq 1 ]] || { echo "expected exit 1, got $rc from: $*"; exit 1; }
}

# --help and -h: every command's usage on stdout, exit 0.
COMMANDS="dump export-hbir run ops quantize compile perf similarity asm disas sim pack visualize check"
for cmd in $COMMANDS; do
  for flag in --help -h; do
    "$BPU" "$cmd" "$flag" > "$TMP/help.txt" 2> "$TMP/help.err" \
      || { echo "bpu $cmd $flag exited non-zero"; cat "$TMP/help.err"; exit 1; }
    grep -q "^Usage: bpu $cmd " "$TMP/help.txt" || { echo "bpu $cmd $flag prints no usage:"; cat "$TMP/help.txt"; exit 1; }
  done
  "$BPU" help "$cmd" > "$TMP/help_cmd.txt"
  grep -q "^Usage: bpu $cmd " "$TMP/help_cmd.txt" || { echo "bpu help $cmd prints no usage"; exit 1; }
done
"$BPU" quantize --help > "$TMP/help.txt"
for flag in --calib --march -o --dtype --observer --fixed-input-scale bayes-e qint16 minmax \
  --select-observer --no-select-observer --adaround --no-adaround --adaround-seed \
  --bias-correction --equalize; do
  grep -q -- "$flag" "$TMP/help.txt" || { echo "bpu quantize --help lacks $flag"; exit 1; }
done
"$BPU" sim --help > "$TMP/help.txt"
for flag in --mode --serial --input -o --expect --trace --stats perf; do
  grep -q -- "$flag" "$TMP/help.txt" || { echo "bpu sim --help lacks $flag"; exit 1; }
done
for args in --help -h help; do
  "$BPU" $args > "$TMP/help.txt" || { echo "bpu $args exited non-zero"; exit 1; }
  for cmd in $COMMANDS; do
    grep -q "^  $cmd " "$TMP/help.txt" || { echo "bpu $args does not list $cmd"; cat "$TMP/help.txt"; exit 1; }
  done
done
set +e
"$BPU" > "$TMP/usage.out" 2> "$TMP/usage.err"
rc=$?
set -e
[[ $rc -eq 2 ]] || { echo "bare bpu exited $rc, not 2"; exit 1; }
grep -q "^  quantize " "$TMP/usage.err" || { echo "bare bpu does not list the commands"; exit 1; }

Q=(quantize "$MODELS/resnet18.onnx" --calib "$MODELS/resnet18.input.npy")
expect_usage_error bpu "unknown command 'frobnicate'" "$BPU" frobnicate
expect_usage_error bpu "unknown option '--frobnicate'" "$BPU" --frobnicate
expect_usage_error "bpu quantize" "--march: x9 not in {bernoulli2,bayes,bayes-e}" "$BPU" "${Q[@]}" \
  --march x9 -o "$TMP/bad.hbir"
expect_usage_error "bpu quantize" "--calib is required" "$BPU" quantize "$MODELS/resnet18.onnx" \
  --march bayes -o "$TMP/bad.hbir"
expect_usage_error "bpu quantize" "-o is required" "$BPU" "${Q[@]}" --march bayes
expect_usage_error "bpu quantize" "--march is required" "$BPU" "${Q[@]}" -o "$TMP/bad.hbir"
expect_usage_error "bpu quantize" "MODEL.onnx is required" "$BPU" quantize --calib "$MODELS/resnet18.input.npy" \
  --march bayes -o "$TMP/bad.hbir"
expect_usage_error "bpu quantize" "--fixed-input-scale = abc" "$BPU" "${Q[@]}" --march bayes \
  -o "$TMP/bad.hbir" --fixed-input-scale abc
expect_usage_error "bpu quantize" "--fixed-input-scale: must be a finite number > 0" "$BPU" "${Q[@]}" \
  --march bayes -o "$TMP/bad.hbir" --fixed-input-scale 0
expect_usage_error "bpu quantize" "--observer: median not in" "$BPU" "${Q[@]}" --march bayes \
  -o "$TMP/bad.hbir" --observer median
expect_usage_error "bpu quantize" "--dtype: qint4 not in" "$BPU" "${Q[@]}" --march bayes \
  -o "$TMP/bad.hbir" --dtype qint4
expect_usage_error "bpu quantize" "not expected: --frobnicate" "$BPU" "${Q[@]}" --march bayes \
  -o "$TMP/bad.hbir" --frobnicate
expect_usage_error "bpu run" "not expected: --frobnicate" "$BPU" run "$MODELS/resnet18.onnx" --frobnicate
expect_usage_error "bpu run" "MODEL is required" "$BPU" run --input "$MODELS/resnet18.input.npy"
expect_usage_error "bpu run" "--input" "$BPU" run "$MODELS/resnet18.onnx" --input
expect_usage_error "bpu dump" "not expected: extra.onnx" "$BPU" dump "$MODELS/resnet18.onnx" extra.onnx
expect_usage_error "bpu export-hbir" "-o is required" "$BPU" export-hbir "$MODELS/resnet18.onnx"
expect_usage_error "bpu ops" "not expected: --frobnicate" "$BPU" ops --frobnicate
expect_usage_error "bpu similarity" "--inputs is required" "$BPU" similarity "$MODELS/resnet18.onnx" \
  "$TMP/r18.q.hbir"
expect_usage_error "bpu similarity" "MODEL.q.hbir is required" "$BPU" similarity "$MODELS/resnet18.onnx" \
  --inputs "$MODELS/resnet18.input.npy"
expect_usage_error "bpu asm" "-o is required" "$BPU" asm prog.s
expect_usage_error "bpu disas" "PROGRAM is required" "$BPU" disas
expect_usage_error "bpu sim" "--mode: fast not in {func,perf,both}" "$BPU" sim prog.s --mode fast
expect_usage_error "bpu sim" "--mode perf never touches data" "$BPU" sim prog.s --mode perf --input in.bin

head -c 1000 "$MODELS/resnet18.onnx" > "$TMP/truncated.onnx"
expect_exit_1 "$BPU" dump "$TMP/truncated.onnx"
expect_exit_1 "$BPU" run "$MODELS/resnet18.onnx" --input /nonexistent.npy
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
