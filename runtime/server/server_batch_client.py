"""Dynamic batching, the bounded queue, deadlines and cancellation, with a client we did not write
(Debian's python3-grpcio, stubs from proto/grpc_service.proto).

Usage: server_batch_client.py STUBS_DIR PORT MODEL X.npy WANT.npy DELAY_US QUEUE_SIZE
  MODEL was compiled with `--batch 4` and is served with --max-queue-delay-us DELAY_US and
  --max-queue-size QUEUE_SIZE (3) on one worker; WANT.npy is `bpu run` of the same .hbm on rows
  [0, 4) of X.npy. Prints one `server-batch: ...` line per check.
"""
import sys
import time

import grpc
import numpy as np

BATCH = 4


def main():
    stubs, port, model, x_path, want_path, delay_us, queue_size = sys.argv[1:8]
    delay = int(delay_us) / 1e6
    queue_size = int(queue_size)
    sys.path.insert(0, stubs)
    import grpc_service_pb2 as pb
    import grpc_service_pb2_grpc as pb_grpc

    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = pb_grpc.GRPCInferenceServiceStub(channel)
    x = np.load(x_path).astype(np.float32)[:BATCH].reshape(BATCH, 1, 8, 8)
    want = np.load(want_path).astype(np.float32)
    assert want.shape == (BATCH, 10), want.shape

    # Triton's view of a batching model: max_batch_size, dims without the batch, -1 in metadata.
    cfg = stub.ModelConfig(pb.ModelConfigRequest(name=model)).config
    assert cfg.max_batch_size == BATCH, cfg
    assert list(cfg.input[0].dims) == [1, 8, 8] and list(cfg.output[0].dims) == [10], cfg
    assert cfg.dynamic_batching.max_queue_delay_microseconds == int(delay_us), cfg
    assert cfg.dynamic_batching.default_queue_policy.max_queue_size == queue_size, cfg
    assert cfg.WhichOneof("scheduling_choice") == "dynamic_batching", cfg
    mm = stub.ModelMetadata(pb.ModelMetadataRequest(name=model))
    assert list(mm.inputs[0].shape) == [-1, 1, 8, 8], mm
    assert list(mm.outputs[0].shape) == [-1, 10], mm
    print(f"server-batch: ModelConfig max_batch_size={cfg.max_batch_size} dims "
          f"{list(cfg.input[0].dims)}, dynamic_batching delay {delay_us} us, queue {queue_size}; "
          f"metadata shape {list(mm.inputs[0].shape)}", flush=True)

    def request(rows):
        req = pb.ModelInferRequest(model_name=model, id=f"rows{rows[0]}-{rows[-1]}")
        req.inputs.add(name="input", datatype="FP32", shape=[len(rows), 1, 8, 8])
        req.raw_input_contents.append(x[rows].tobytes())
        return req

    def check(out, rows):
        assert list(out.outputs[0].shape) == [len(rows), 10], out.outputs[0]
        got = np.frombuffer(out.raw_output_contents[0], np.float32).reshape(len(rows), 10)
        assert got.tobytes() == want[rows].tobytes(), (rows, got, want[rows])

    def stats():
        s = stub.ModelStatistics(pb.ModelStatisticsRequest(name=model)).model_stats
        s = s[0] if s else pb.ModelStatistics()
        sizes = {b.batch_size: b.compute_infer.count for b in s.batch_stats}
        return s.execution_count, s.inference_count, s.inference_stats.fail.count, sizes

    # 2 + 1 + 1 samples fill a batch of 4: one execution at once (no delay), each response its
    # own rows, bit for bit the rows `bpu run` gives on the 4-sample input; then 1 + 1 + 2.
    for n, groups in enumerate((([0, 1], [2], [3]), ([0], [1], [2, 3])), start=1):
        t0 = time.monotonic()
        futures = [stub.ModelInfer.future(request(rows)) for rows in groups]
        for f, rows in zip(futures, groups):
            check(f.result(timeout=30), rows)
        full = time.monotonic() - t0
        execs, count, fails, sizes = stats()
        assert (execs, count, fails, sizes) == (n, 4 * n, 0, {4: n}), (execs, count, fails, sizes)
        assert full < delay, (full, delay)  # a full batch does not wait for the delay
    print(f"server-batch: 2+1+1 and 1+1+2 samples -> one execution of 4 each, the last in "
          f"{full * 1e3:.0f} ms; every row equal to bpu run bit for bit", flush=True)

    # One request alone waits the max queue delay for others, then runs as a batch of 1.
    t0 = time.monotonic()
    check(stub.ModelInfer(request([2]), timeout=30), [2])
    alone = time.monotonic() - t0
    execs, count, fails, sizes = stats()
    assert alone >= 0.9 * delay and sizes.get(1) == 1 and execs == 3, (alone, sizes, execs)
    print(f"server-batch: a lone request ran after {alone * 1e3:.0f} ms "
          f"(max queue delay {delay * 1e3:.0f} ms), batch size 1", flush=True)

    # The bounded queue: QUEUE_SIZE requests wait for the delay; one more is refused at once with
    # UNAVAILABLE; the queued ones then run together.
    futures = [stub.ModelInfer.future(request([i])) for i in range(queue_size)]
    time.sleep(min(0.2, delay / 4))
    t0 = time.monotonic()
    try:
        stub.ModelInfer(request([3]), timeout=30)
        raise AssertionError("a request beyond the queue's bound was accepted")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.UNAVAILABLE, (e.code(), e.details())
        refused = time.monotonic() - t0
        assert "--max-queue-size" in e.details(), e.details()
    assert refused < delay / 2, (refused, delay)
    for i, f in enumerate(futures):
        check(f.result(timeout=30), [i])
    execs, count, fails, sizes = stats()
    assert sizes.get(queue_size) == 1 and execs == 4, (sizes, execs)
    print(f"server-batch: queue of {queue_size} full: one more refused with UNAVAILABLE in "
          f"{refused * 1e3:.0f} ms; the {queue_size} queued ran as one batch", flush=True)

    # A deadline that passes while the request is queued: DEADLINE_EXCEEDED, and the server never
    # runs it (no execution, one failure in its statistics).
    before = stats()
    try:
        stub.ModelInfer(request([0]), timeout=delay / 4)
        raise AssertionError("served past its deadline")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, (e.code(), e.details())
    time.sleep(delay * 1.5)  # past the time it would have run
    after = stats()
    assert after[0] == before[0] and after[2] == before[2] + 1, (before, after)
    print(f"server-batch: deadline {delay / 4 * 1e3:.0f} ms while queued -> DEADLINE_EXCEEDED, "
          f"not run (executions {after[0]}, failures {after[2]})", flush=True)

    # A client that cancels while its request is queued: the server drops it unrun.
    before = stats()
    f = stub.ModelInfer.future(request([1]))
    time.sleep(delay / 4)
    assert f.cancel(), "the call had already finished"
    time.sleep(delay * 1.5)
    after = stats()
    assert after[0] == before[0] and after[2] == before[2] + 1, (before, after)
    # The queue is empty again: a full batch runs at once and alone.
    groups = ([0], [1, 2], [3])
    futures = [stub.ModelInfer.future(request(rows)) for rows in groups]
    for fu, rows in zip(futures, groups):
        check(fu.result(timeout=30), rows)
    last = stats()
    assert last[0] == after[0] + 1 and last[3][4] == after[3][4] + 1, (after, last)
    print(f"server-batch: cancelled while queued -> dropped unrun (executions {after[0]}, "
          f"failures {after[2]}); the next 1+2+1 samples ran as one batch", flush=True)

    # Raw INT8 inputs batch too: a 2-sample raw request's outputs are the stored integers (int32:
    # digits' last Linear keeps its accumulator, the high-precision output). Both samples are
    # zeros, so both rows are the same.
    req = pb.ModelInferRequest(model_name=model)
    req.inputs.add(name="input", datatype="INT8", shape=[2, 8, 8, 1])
    req.raw_input_contents.append(bytes(2 * 64))
    out = stub.ModelInfer(req, timeout=30)
    assert out.outputs[0].datatype == "INT32" and list(out.outputs[0].shape) == [2, 10], out
    assert len(out.raw_output_contents[0]) == 2 * 10 * 4, out
    rows = np.frombuffer(out.raw_output_contents[0], dtype="<i4").reshape(2, 10)
    assert (rows[0] == rows[1]).all() and rows.any(), rows
    for bad_shape in ([5, 1, 8, 8], [0, 1, 8, 8], [1, 1, 8, 9]):
        bad = pb.ModelInferRequest(model_name=model)
        bad.inputs.add(name="input", datatype="FP32", shape=bad_shape)
        bad.raw_input_contents.append(bytes(4 * int(np.prod(bad_shape))))
        try:
            stub.ModelInfer(bad, timeout=30)
            raise AssertionError(f"shape {bad_shape} accepted")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, (bad_shape, e.code())
    print("server-batch: raw INT8 [2, 8, 8, 1] -> INT32 [2, 10]; batch 5, 0 and a wrong "
          "sample shape -> INVALID_ARGUMENT", flush=True)


if __name__ == "__main__":
    main()
