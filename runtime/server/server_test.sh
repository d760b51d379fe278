#!/usr/bin/env bash
# openbpu-server on loopback against Debian's python3-grpcio (runtime/server/server_client.py):
# metadata, NOT_FOUND errors, grpc.health.v1, inference outputs equal to `bpu run` on the same
# .hbm bit for bit, bad inputs, the model repository RPCs, and SIGTERM -> exit 0.
set -euo pipefail
R="${TEST_SRCDIR}/${TEST_WORKSPACE}"
BPU="$R/tools/bpu"
SERVER="$R/runtime/server/openbpu-server"
DATA="$R/tests/models"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
ROWS=6

# Sets PORT from the server's "listening on port N" line in LOG (the server is $PID), and
# METRICS_PORT from its "metrics on port M" line (printed before it).
wait_port() {
  PORT=""
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on port \([0-9]*\)$/\1/p' "$1")
    if [[ -n "$PORT" ]]; then
      METRICS_PORT=$(sed -n 's/.*metrics on port \([0-9]*\)$/\1/p' "$1")
      return 0
    fi
    kill -0 "$PID" 2> /dev/null || { cat "$1"; exit 1; }
    sleep 0.1
  done
  echo "no port"
  cat "$1"
  exit 1
}

"$BPU" compile "$DATA/digits.onnx" --calib "$DATA/digits_calib.npy" --march bayes --opt O2 \
  -o "$TMP/digits.hbm" > /dev/null
# The expected outputs: bpu run on the same .hbm, one row at a time.
/usr/bin/python3 - "$DATA/digits_test_x.npy" "$TMP" "$ROWS" <<'PY'
import sys
import numpy as np
x = np.load(sys.argv[1]).astype(np.float32)
for i in range(int(sys.argv[3])):
    np.save(f"{sys.argv[2]}/x{i}.npy", x[i:i + 1].reshape((1,) + x.shape[1:]))
PY
for ((i = 0; i < ROWS; ++i)); do
  "$BPU" run "$TMP/digits.hbm" --input "$TMP/x$i.npy" -o "$TMP/want${i}_" > /dev/null
  mv "$TMP/want${i}_0.npy" "$TMP/want$i.npy"
done

# Python stubs from our proto with the system protoc and grpc_python_plugin.
mkdir -p "$TMP/stubs"
protoc --proto_path="$R/proto" --python_out="$TMP/stubs" --grpc_out="$TMP/stubs" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin "$R/proto/grpc_service.proto"

# A repository with versions 1 and 2 of the model (version 2 is served).
mkdir -p "$TMP/repo/digits/1" "$TMP/repo/digits/2"
cp "$TMP/digits.hbm" "$TMP/repo/digits/1/model.hbm"
cp "$TMP/digits.hbm" "$TMP/repo/digits/2/model.hbm"
"$SERVER" --model-repository "$TMP/repo" --address 127.0.0.1:0 --metrics-address 127.0.0.1:0 \
  > "$TMP/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2> /dev/null || true' EXIT
wait_port "$TMP/server.log"

/usr/bin/python3 "$R/runtime/server/server_client.py" "$TMP/stubs" "$PORT" digits \
  "$DATA/digits_test_x.npy" "$TMP/want" "$ROWS" "$TMP/repo" "$METRICS_PORT"

# Server reflection, as grpcurl uses it (stubs from runtime/server/reflection.proto).
protoc --proto_path="$R/runtime/server" --python_out="$TMP/stubs" --grpc_out="$TMP/stubs" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin "$R/runtime/server/reflection.proto"
/usr/bin/python3 "$R/runtime/server/server_reflection_client.py" "$TMP/stubs" "$PORT"

# SIGTERM: the server drains and exits 0.
kill -TERM $PID
wait $PID
echo "server: SIGTERM -> exit 0"
trap - EXIT

# `bpu serve` runs the same library; --max-request-bytes at exactly the input's 256 bytes serves
# it, one byte less refuses it (INVALID_ARGUMENT) and keeps serving.
for LIMIT in 256 255; do
  "$BPU" serve --model digits="$TMP/digits.hbm" --model copy="$TMP/digits.hbm" \
    --max-request-bytes $LIMIT --address 127.0.0.1:0 --metrics-address "" \
    > "$TMP/bpu_serve_$LIMIT.log" 2>&1 &
  PID=$!
  trap 'kill $PID 2> /dev/null || true' EXIT
  wait_port "$TMP/bpu_serve_$LIMIT.log"
  /usr/bin/python3 - "$TMP/stubs" "$PORT" "$LIMIT" "$DATA/digits_test_x.npy" "$TMP/want0.npy" <<'PY'
import sys
import grpc
import numpy as np
sys.path.insert(0, sys.argv[1])
import grpc_service_pb2 as pb
import grpc_service_pb2_grpc as pb_grpc
port, limit = sys.argv[2], int(sys.argv[3])
channel = grpc.insecure_channel(f"127.0.0.1:{port}")
grpc.channel_ready_future(channel).result(timeout=30)
stub = pb_grpc.GRPCInferenceServiceStub(channel)
index = stub.RepositoryIndex(pb.RepositoryIndexRequest())
assert [(m.name, m.version, m.state) for m in index.models] == \
    [("copy", "1", "READY"), ("digits", "1", "READY")], index
x = np.load(sys.argv[4]).astype(np.float32)[0].reshape(1, 1, 8, 8)
req = pb.ModelInferRequest(model_name="copy")
req.inputs.add(name="input", datatype="FP32", shape=[1, 1, 8, 8])
req.raw_input_contents.append(x.tobytes())
assert len(x.tobytes()) == 256
if limit >= 256:
    out = stub.ModelInfer(req)
    assert out.raw_output_contents[0] == np.load(sys.argv[5]).astype(np.float32).tobytes()
    print(f"server: bpu serve, --max-request-bytes {limit}: a 256-byte input served")
else:
    try:
        stub.ModelInfer(req)
        raise AssertionError("over the limit and served")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e
    assert stub.ServerLive(pb.ServerLiveRequest()).live
    print(f"server: bpu serve, --max-request-bytes {limit}: a 256-byte input refused, still live")
PY
  kill -TERM $PID
  wait $PID
  trap - EXIT
done
echo "server: bpu serve SIGTERM -> exit 0"

# SIGTERM under load: 8 clients keep sending; in-flight requests complete with the right output,
# later ones get UNAVAILABLE, nothing else, and the server exits 0.
"$SERVER" --model digits="$TMP/digits.hbm" --address 127.0.0.1:0 --metrics-address "" \
  > "$TMP/drain.log" 2>&1 &
PID=$!
trap 'kill $PID 2> /dev/null || true' EXIT
wait_port "$TMP/drain.log"
/usr/bin/python3 - "$TMP/stubs" "$PORT" "$PID" "$DATA/digits_test_x.npy" "$TMP/want0.npy" <<'PY'
import os
import signal
import sys
import threading
import time
import grpc
import numpy as np
sys.path.insert(0, sys.argv[1])
import grpc_service_pb2 as pb
import grpc_service_pb2_grpc as pb_grpc
port, pid = sys.argv[2], int(sys.argv[3])
x = np.load(sys.argv[4]).astype(np.float32)[0].reshape(1, 1, 8, 8).tobytes()
want = np.load(sys.argv[5]).astype(np.float32).tobytes()
ok, unavailable, other = [0], [0], []
lock = threading.Lock()
stop = threading.Event()

def client():
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = pb_grpc.GRPCInferenceServiceStub(channel)
    while not stop.is_set():
        req = pb.ModelInferRequest(model_name="digits")
        req.inputs.add(name="input", datatype="FP32", shape=[1, 1, 8, 8])
        req.raw_input_contents.append(x)
        try:
            out = stub.ModelInfer(req, timeout=10)
            with lock:
                if out.raw_output_contents[0] == want:
                    ok[0] += 1
                else:
                    other.append("wrong output")
        except grpc.RpcError as e:
            with lock:
                if e.code() == grpc.StatusCode.UNAVAILABLE:
                    unavailable[0] += 1
                else:
                    other.append(str(e.code()))
            if e.code() == grpc.StatusCode.UNAVAILABLE:
                return

threads = [threading.Thread(target=client) for _ in range(8)]
for t in threads:
    t.start()
while ok[0] < 50:
    time.sleep(0.01)
os.kill(pid, signal.SIGTERM)
time.sleep(1.0)
stop.set()
for t in threads:
    t.join()
assert not other, other
assert ok[0] >= 50 and unavailable[0] >= 1, (ok[0], unavailable[0])
print(f"server: SIGTERM under load: {ok[0]} requests answered correctly, "
      f"{unavailable[0]} refused with UNAVAILABLE, no other outcome")
PY
wait $PID
echo "server: drained under load -> exit 0"
trap - EXIT

# Dynamic batching: digits compiled with --batch 4, served on one worker with a 1 s max queue delay
# and a queue of 3 (runtime/server/server_batch_client.py): batches formed and split bit for bit
# as `bpu run` on the 4-sample input, the delay, the bound, deadlines and cancellation.
"$BPU" compile "$DATA/digits.onnx" --calib "$DATA/digits_calib.npy" --march bayes --opt O2 \
  --batch 4 -o "$TMP/digits4.hbm" > /dev/null 2>&1
/usr/bin/python3 -c "import sys, numpy as np; \
np.save(sys.argv[2], np.load(sys.argv[1]).astype(np.float32)[:4].reshape(4, 1, 8, 8))" \
  "$DATA/digits_test_x.npy" "$TMP/x4.npy"
"$BPU" run "$TMP/digits4.hbm" --input "$TMP/x4.npy" -o "$TMP/want4_" > /dev/null
"$SERVER" --model digits4="$TMP/digits4.hbm" --address 127.0.0.1:0 --metrics-address "" \
  --max-concurrent 1 --max-queue-delay-us 1000000 --max-queue-size 3 > "$TMP/batch.log" 2>&1 &
PID=$!
trap 'kill $PID 2> /dev/null || true' EXIT
wait_port "$TMP/batch.log"
/usr/bin/python3 "$R/runtime/server/server_batch_client.py" "$TMP/stubs" "$PORT" digits4 \
  "$DATA/digits_test_x.npy" "$TMP/want4_0.npy" 1000000 3
kill -TERM $PID
wait $PID
trap - EXIT
echo "server: batching server SIGTERM -> exit 0"

# Out of the box: no --model-repository or --model serves the bundled digits model (built into
# the binary from runtime/server/digits.hbm): its outputs are `bpu run`'s on that file bit for
# bit, and it classifies the digits test set.
"$BPU" run "$R/runtime/server/digits.hbm" --input "$TMP/x0.npy" -o "$TMP/bundled_want_" > /dev/null
"$SERVER" --address 127.0.0.1:0 --metrics-address "" > "$TMP/bundled.log" 2>&1 &
PID=$!
trap 'kill $PID 2> /dev/null || true' EXIT
wait_port "$TMP/bundled.log"
grep -q "serving the bundled model 'digits'" "$TMP/bundled.log"
/usr/bin/python3 - "$TMP/stubs" "$PORT" "$DATA/digits_test_x.npy" "$DATA/digits_test_y.npy" \
  "$TMP/bundled_want_0.npy" <<'PY'
import sys
import grpc
import numpy as np
sys.path.insert(0, sys.argv[1])
import grpc_service_pb2 as pb
import grpc_service_pb2_grpc as pb_grpc
channel = grpc.insecure_channel(f"127.0.0.1:{sys.argv[2]}")
grpc.channel_ready_future(channel).result(timeout=30)
stub = pb_grpc.GRPCInferenceServiceStub(channel)
x = np.load(sys.argv[3]).astype(np.float32)
y = np.load(sys.argv[4])
index = stub.RepositoryIndex(pb.RepositoryIndexRequest())
assert [(m.name, m.version, m.state) for m in index.models] == [("digits", "1", "READY")], index
right = 0
for i in range(len(x)):
    req = pb.ModelInferRequest(model_name="digits")
    req.inputs.add(name="input", datatype="FP32", shape=[1, 1, 8, 8])
    req.raw_input_contents.append(x[i].reshape(1, 1, 8, 8).tobytes())
    out = np.frombuffer(stub.ModelInfer(req).raw_output_contents[0], np.float32)
    if i == 0:
        assert out.tobytes() == np.load(sys.argv[5]).astype(np.float32).tobytes()
    right += int(np.argmax(out) == y[i])
acc = right / len(x)
assert acc >= 0.95, acc
# A reload of the built-in model works like a file's.
stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name="digits"))
assert stub.ModelReady(pb.ModelReadyRequest(name="digits")).ready
print(f"server: bundled model: {len(x)} test digits, accuracy {acc:.4f}, row 0 equal to bpu run "
      f"on runtime/server/digits.hbm bit for bit; reload ok")
PY
kill -TERM $PID
wait $PID
trap - EXIT

# Version policies: a repository with versions 1, 2 and 3 served as all, specific and latest:N.
mkdir -p "$TMP/repo_v/digits/1" "$TMP/repo_v/digits/2" "$TMP/repo_v/digits/3"
for v in 1 2 3; do cp "$TMP/digits.hbm" "$TMP/repo_v/digits/$v/model.hbm"; done
for POLICY in all specific:1,3 latest:2; do
  "$SERVER" --model-repository "$TMP/repo_v" --version-policy "$POLICY" --address 127.0.0.1:0 \
    --metrics-address "" > "$TMP/policy.log" 2>&1 &
  PID=$!
  trap 'kill $PID 2> /dev/null || true' EXIT
  wait_port "$TMP/policy.log"
  /usr/bin/python3 - "$TMP/stubs" "$PORT" "$POLICY" "$DATA/digits_test_x.npy" "$TMP/want0.npy" <<'PY'
import sys
import grpc
import numpy as np
sys.path.insert(0, sys.argv[1])
import grpc_service_pb2 as pb
import grpc_service_pb2_grpc as pb_grpc
port, policy = sys.argv[2], sys.argv[3]
want = {"all": ["1", "2", "3"], "specific:1,3": ["1", "3"], "latest:2": ["2", "3"]}[policy]
channel = grpc.insecure_channel(f"127.0.0.1:{port}")
grpc.channel_ready_future(channel).result(timeout=30)
stub = pb_grpc.GRPCInferenceServiceStub(channel)
mm = stub.ModelMetadata(pb.ModelMetadataRequest(name="digits"))
assert list(mm.versions) == want, (policy, mm.versions)
index = stub.RepositoryIndex(pb.RepositoryIndexRequest())
assert [(m.version, m.state) for m in index.models] == [(v, "READY") for v in want], index
cfg = stub.ModelConfig(pb.ModelConfigRequest(name="digits")).config
choice = cfg.version_policy.WhichOneof("policy_choice")
assert choice == policy.split(":")[0], cfg.version_policy
x = np.load(sys.argv[4]).astype(np.float32)[0].reshape(1, 1, 8, 8).tobytes()
for v in ["1", "2", "3"]:
    assert stub.ModelReady(pb.ModelReadyRequest(name="digits", version=v)).ready == (v in want)
    req = pb.ModelInferRequest(model_name="digits", model_version=v)
    req.inputs.add(name="input", datatype="FP32", shape=[1, 1, 8, 8])
    req.raw_input_contents.append(x)
    try:
        out = stub.ModelInfer(req)
        assert v in want and out.model_version == v, (v, out.model_version)
        assert out.raw_output_contents[0] == np.load(sys.argv[5]).astype(np.float32).tobytes()
    except grpc.RpcError as e:
        assert v not in want and e.code() == grpc.StatusCode.NOT_FOUND, (v, e.code(), e.details())
# No version: the highest served.
req = pb.ModelInferRequest(model_name="digits")
req.inputs.add(name="input", datatype="FP32", shape=[1, 1, 8, 8])
req.raw_input_contents.append(x)
assert stub.ModelInfer(req).model_version == want[-1]
print(f"server: --version-policy {policy}: versions {', '.join(want)} served, the others "
      f"NOT_FOUND; no version -> {want[-1]}")
PY
  kill -TERM $PID
  wait $PID
  trap - EXIT
done
# A policy naming a version the repository lacks stops the start; a malformed one is a usage error.
rc=0
"$SERVER" --model-repository "$TMP/repo_v" --version-policy specific:7 --address 127.0.0.1:0 \
  --metrics-address "" > "$TMP/policy7.log" 2>&1 || rc=$?
((rc == 1)) && grep -q "version 7" "$TMP/policy7.log" || { cat "$TMP/policy7.log"; exit 1; }
rc=0
"$SERVER" --version-policy newest > "$TMP/policy_bad.log" 2>&1 || rc=$?
((rc == 2)) && grep -q "latest, latest:N, all or specific" "$TMP/policy_bad.log" ||
  { cat "$TMP/policy_bad.log"; exit 1; }
echo "server: --version-policy specific:7 (missing) -> exit 1 naming version 7; 'newest' -> exit 2"
