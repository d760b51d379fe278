#!/usr/bin/env bash
# Installs every Debian package OpenBPU needs. Idempotent: when everything is
# already installed it only checks (one dpkg-query) and returns in well under a second.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-rules-java g++ pkg-config
  libabsl-dev libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  libbenchmark-dev libgtest-dev libgmock-dev libxsimd-dev libcli11-dev libdlpack-dev libgraphviz-dev
  clang-14 libfuzzer-14-dev
  libonnx-dev libonnx-testdata
  python3 python3-numpy python3-torch python3-torchvision python3-onnx python3-sklearn
  python3-grpcio python3-protobuf prometheus-cpp-dev python3-prometheus-client
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
echo "setup: done"
