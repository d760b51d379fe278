#!/usr/bin/env bash
# tools/install.sh into a temporary prefix, then examples/classify compiled with plain g++ against
# the installed copy (pkg-config --cflags --libs openbpu, no Bazel), run on the digits CNN compiled
# by bpu: it loads libopenbpu.so from the prefix and prints exactly what the Bazel-built example
# prints for the same file.
set -euo pipefail
R="${TEST_SRCDIR:-$PWD/..}/${TEST_WORKSPACE:-openbpu}"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
MODELS="$R/tests/models"
cd "$R"
tools/install.sh "$TMP/prefix" runtime/libopenbpu.so runtime/runtime.h runtime/c_api.h runtime/dlpack.h \
  common/tensor.h common/dtype.h common/npy.h
export PKG_CONFIG_PATH="$TMP/prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs openbpu)
echo "pkg-config --cflags --libs openbpu: $flags"
g++ -std=c++20 -O1 examples/classify/classify.cc $flags -o "$TMP/classify"
# (ldd to a file first: `ldd | grep -q` under pipefail fails when grep stops reading early.)
ldd "$TMP/classify" > "$TMP/ldd.txt"
grep -q "libopenbpu.so => .*/prefix/lib/libopenbpu.so" "$TMP/ldd.txt" \
  || { echo "classify does not load the installed libopenbpu.so:"; cat "$TMP/ldd.txt"; exit 1; }
tools/bpu compile "$MODELS/digits.onnx" --calib "$MODELS/digits_calib.npy" --march bayes --opt O2 \
  -o "$TMP/digits.hbm" > /dev/null 2>&1
"$TMP/classify" "$TMP/digits.hbm" "$MODELS/digits_test_x.npy" --labels "$MODELS/digits_test_y.npy" \
  > "$TMP/installed.txt"
examples/classify/classify "$TMP/digits.hbm" "$MODELS/digits_test_x.npy" \
  --labels "$MODELS/digits_test_y.npy" > "$TMP/bazel.txt"
cmp "$TMP/installed.txt" "$TMP/bazel.txt" || { echo "the installed build differs:"; diff "$TMP/installed.txt" "$TMP/bazel.txt"; exit 1; }
grep "^accuracy: " "$TMP/installed.txt"
echo "install: classify built with g++ and pkg-config against $TMP/prefix: $(grep '^accuracy: ' "$TMP/installed.txt")"
