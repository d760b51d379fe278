#!/usr/bin/env bash
# Installs the OpenBPU runtime for applications built outside Bazel:
#   PREFIX/lib/libopenbpu.so                 the runtime (C++ and C APIs), with the simulator
#   PREFIX/include/openbpu/runtime/*.h       runtime.h (C++), c_api.h (C), dlpack.h (DLPack)
#   PREFIX/include/openbpu/common/*.h        the Tensor / DType / .npy headers runtime.h uses
#   PREFIX/lib/pkgconfig/openbpu.pc          for pkg-config --cflags --libs openbpu
# Then, for example:
#   export PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
#   g++ -std=c++20 examples/classify/classify.cc $(pkg-config --cflags --libs openbpu) -o classify
# Abseil and protobuf are Debian's shared libraries (libabsl-dev, libprotobuf-dev; tools/setup.sh).
#
# Usage: tools/install.sh PREFIX             builds //runtime:libopenbpu.so with Bazel, installs
#        tools/install.sh PREFIX SO HEADER... installs an already built library and headers (paths
#                                             relative to the source root, as Bazel's runfiles)
set -euo pipefail
if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
prefix=$1
shift
if [[ $# -eq 0 ]]; then
  cd "$(dirname "$0")/.."
  bazel build //runtime:libopenbpu.so >&2
  set -- "$(bazel info bazel-bin 2>/dev/null)/runtime/libopenbpu.so" \
    runtime/runtime.h runtime/c_api.h runtime/dlpack.h common/tensor.h common/dtype.h common/npy.h
fi
so=$1
shift
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include/openbpu"
prefix=$(cd "$prefix" && pwd)
install -m 0755 "$so" "$prefix/lib/libopenbpu.so"
for header in "$@"; do
  mkdir -p "$prefix/include/openbpu/$(dirname "$header")"
  install -m 0644 "$header" "$prefix/include/openbpu/$header"
done
cat > "$prefix/lib/pkgconfig/openbpu.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include/openbpu

Name: openbpu
Description: The OpenBPU runtime: load compiled .hbm models and run them (C++ and C APIs)
Version: 0.6.0
Requires: absl_status absl_statusor absl_strings
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lopenbpu
Cflags: -I\${includedir}
PC
echo "installed the OpenBPU runtime in $prefix ($(($# + 2)) files)"
