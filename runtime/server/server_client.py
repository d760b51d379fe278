"""A KServe v2 client we did not write (Debian's python3-grpcio, stubs generated from
proto/grpc_service.proto by the system protoc and grpc_python_plugin) against openbpu-server.

Usage: server_client.py STUBS_DIR PORT MODEL X.npy EXPECTED_PREFIX N REPO METRICS_PORT
  Checks ServerLive / ServerReady / ServerMetadata / ModelReady / ModelMetadata, the standard
  grpc.health.v1 service, then infers rows [0, N) of X.npy (one per request, typed and raw
  contents alternately) and compares every output with EXPECTED_PREFIX<row>.npy (`bpu run` on the
  same .hbm) bit for bit; a bad-input matrix; then the repository RPCs on REPO (the server's
  --model-repository, which serves MODEL's version 2): index, a failed reload that keeps version
  2 serving, unload (health NOT_SERVING) and load; the Prometheus metrics on METRICS_PORT parsed
  with Debian's python3-prometheus-client after the inferences and after the bad inputs. Prints
  one `server: ...` line per check.
"""
import sys

import urllib.request

import grpc
import numpy as np
from prometheus_client.parser import text_string_to_metric_families


def metrics(port, model, version):
    """Triton's nv_inference_* samples of MODEL / VERSION from the server's /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert "\nnv_inference_request_success{" in text, text  # Triton's names, as they are
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("model") == model and sample.labels.get("version") == version:
                # The parser names counter samples NAME_total; the exposition has Triton's NAME.
                values[sample.name.removesuffix("_total")] = sample.value
    return values


def main():
    stubs, port, model, x_path, expected_prefix, n, repo, metrics_port = sys.argv[1:9]
    sys.path.insert(0, stubs)
    import grpc_service_pb2 as pb
    import grpc_service_pb2_grpc as pb_grpc

    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = pb_grpc.GRPCInferenceServiceStub(channel)

    assert stub.ServerLive(pb.ServerLiveRequest()).live
    assert stub.ServerReady(pb.ServerReadyRequest()).ready
    meta = stub.ServerMetadata(pb.ServerMetadataRequest())
    assert meta.name == "openbpu" and \
        list(meta.extensions) == ["model_repository", "statistics"], meta
    assert stub.ModelReady(pb.ModelReadyRequest(name=model)).ready
    assert stub.ModelReady(pb.ModelReadyRequest(name=model, version="2")).ready
    assert not stub.ModelReady(pb.ModelReadyRequest(name=model, version="1")).ready
    mm = stub.ModelMetadata(pb.ModelMetadataRequest(name=model))
    assert mm.name == model and list(mm.versions) == ["2"], mm
    assert len(mm.inputs) == 1 and mm.inputs[0].datatype == "FP32", mm
    cfg = stub.ModelConfig(pb.ModelConfigRequest(name=model)).config
    assert cfg.name == model and cfg.platform == mm.platform and cfg.max_batch_size == 0, cfg
    assert [(i.name, i.data_type, list(i.dims)) for i in cfg.input] == \
        [(t.name, pb.TYPE_FP32, list(t.shape)) for t in mm.inputs], cfg
    assert [(o.name, o.data_type, list(o.dims)) for o in cfg.output] == \
        [(t.name, pb.TYPE_FP32, list(t.shape)) for t in mm.outputs], cfg
    # Triton's wire numbers: ModelConfig.input is field 5 (tag 0x2a), ModelInput.data_type field 2.
    wire = cfg.SerializeToString()
    assert b"\x2a" in wire and b"\x10\x0b" in wire, wire
    print(f"server: metadata ok ({meta.name} {meta.version}; {model}: input "
          f"{mm.inputs[0].name} {list(mm.inputs[0].shape)}, output {mm.outputs[0].name} "
          f"{list(mm.outputs[0].shape)})", flush=True)

    # Errors as Triton maps them.
    for request, code in [
        (pb.ModelMetadataRequest(name="no_such_model"), grpc.StatusCode.NOT_FOUND),
        (pb.ModelMetadataRequest(name=model, version="7"), grpc.StatusCode.NOT_FOUND),
    ]:
        try:
            stub.ModelMetadata(request)
            raise AssertionError(f"{request} succeeded")
        except grpc.RpcError as e:
            assert e.code() == code, (e.code(), e.details())
    print("server: unknown model and version -> NOT_FOUND", flush=True)

    # The standard health service (grpc++'s default), queried with a hand-built request: the
    # generated stubs of grpc.health.v1 are not in Debian's python3-grpcio.
    health = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda _: b"",  # HealthCheckRequest{service: ""}
        response_deserializer=lambda b: b)
    status = health(None)
    assert status == b"\x08\x01", status  # HealthCheckResponse{status: SERVING}
    print("server: grpc.health.v1 SERVING", flush=True)

    def infer_row0():
        req = pb.ModelInferRequest(model_name=model)
        req.inputs.add(name=mm.inputs[0].name, datatype="FP32", shape=list(mm.inputs[0].shape))
        req.raw_input_contents.append(
            np.load(x_path).astype(np.float32)[0].reshape(list(mm.inputs[0].shape)).tobytes())
        out = stub.ModelInfer(req)
        assert out.raw_output_contents[0] == \
            np.load(f"{expected_prefix}0.npy").astype(np.float32).tobytes()
        return out

    x = np.load(x_path).astype(np.float32)
    shape = list(mm.inputs[0].shape)
    rows = int(n)
    for i in range(rows):
        xi = x[i].reshape(shape).astype(np.float32)
        req = pb.ModelInferRequest(model_name=model, id=f"r{i}")
        t = req.inputs.add(name=mm.inputs[0].name, datatype="FP32", shape=shape)
        if i % 2 == 0:
            t.contents.fp32_contents.extend(xi.reshape(-1).tolist())
        else:
            req.raw_input_contents.append(xi.tobytes())
        resp = stub.ModelInfer(req)
        assert resp.id == f"r{i}" and resp.model_name == model, resp
        assert len(resp.outputs) == len(mm.outputs) == len(resp.raw_output_contents)
        want = np.load(f"{expected_prefix}{i}.npy")
        got = np.frombuffer(resp.raw_output_contents[0], dtype="<f4").reshape(
            list(resp.outputs[0].shape))
        assert got.shape == want.shape, (got.shape, want.shape)
        assert got.tobytes() == want.astype(np.float32).tobytes(), (i, got, want)
    print(f"server: {rows} inferences equal to bpu run bit for bit", flush=True)
    m = metrics(metrics_port, model, "2")
    assert m.get("nv_inference_request_success") == rows, m
    assert m.get("nv_inference_count") == rows and m.get("nv_inference_exec_count") == rows, m
    assert m.get("nv_inference_request_failure", 0) == 0, m
    assert m.get("nv_inference_compute_infer_duration_us", 0) > 0, m
    assert "nv_inference_queue_duration_us" in m, m
    st = stub.ModelStatistics(pb.ModelStatisticsRequest(name=model)).model_stats
    assert len(st) == 1 and st[0].name == model and st[0].version == "2", st
    s0 = st[0]
    assert s0.inference_count == rows and s0.execution_count == rows, s0
    assert s0.inference_stats.success.count == rows and s0.inference_stats.fail.count == 0, s0
    for d in (s0.inference_stats.compute_input, s0.inference_stats.compute_infer,
              s0.inference_stats.compute_output):
        assert d.count == rows and d.ns > 0, s0
    assert [b.batch_size for b in s0.batch_stats] == [1], s0
    assert s0.batch_stats[0].compute_infer.count == rows and s0.last_inference > 0, s0
    try:
        stub.ModelStatistics(pb.ModelStatisticsRequest(name="no_such_model"))
        raise AssertionError("statistics of an unknown model")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND, e
    print(f"server: ModelStatistics after {rows} inferences: inference_count="
          f"{s0.inference_count} success={s0.inference_stats.success.count} compute_infer_ns="
          f"{s0.inference_stats.compute_infer.ns}", flush=True)
    print(f"server: metrics after {rows} inferences: success={m['nv_inference_request_success']:.0f}"
          f" count={m['nv_inference_count']:.0f} compute_infer_duration_us="
          f"{m['nv_inference_compute_infer_duration_us']:.0f}", flush=True)

    # Bad inputs: each gets its status code and the server keeps serving.
    name = mm.inputs[0].name
    count = int(np.prod(shape))
    good = x[0].reshape(shape).astype(np.float32).tobytes()
    INVALID = grpc.StatusCode.INVALID_ARGUMENT

    def raw(dtype="FP32", dims=None, data=None, input_name=None, model_name=model, extra=None):
        req = pb.ModelInferRequest(model_name=model_name)
        req.inputs.add(name=input_name or name, datatype=dtype,
                       shape=shape if dims is None else dims)
        req.raw_input_contents.append(good if data is None else data)
        if extra:
            extra(req)
        return req

    def typed_and_raw(req):
        req.inputs[0].contents.fp32_contents.extend([0.0] * count)

    def duplicated(req):
        req.inputs.add(name=name, datatype="FP32", shape=shape)
        req.raw_input_contents.append(good)

    cases = [
        ("wrong dtype", raw(dtype="INT32"), INVALID),
        ("unknown dtype", raw(dtype="FP8"), INVALID),
        ("wrong rank", raw(dims=shape[:-1]), INVALID),
        ("zero dimension", raw(dims=[0] + shape[1:]), INVALID),
        ("negative dimension", raw(dims=[-1] + shape[1:]), INVALID),
        ("huge dimension", raw(dims=[2**62] + shape[1:]), INVALID),
        ("2 GiB claimed", raw(dims=[2**29] + shape[1:]), INVALID),
        ("wrong shape", raw(dims=[2] + shape[1:]), INVALID),
        ("raw size short", raw(data=good[:-1]), INVALID),
        ("raw size long", raw(data=good + b"\0"), INVALID),
        ("unknown input", raw(input_name="nope"), INVALID),
        ("unknown model", raw(model_name="nope"), grpc.StatusCode.NOT_FOUND),
        ("empty request", pb.ModelInferRequest(model_name=model), INVALID),
        ("duplicated input", raw(extra=duplicated), INVALID),
        ("typed and raw together", raw(extra=typed_and_raw), INVALID),
        ("typed count short", pb.ModelInferRequest(model_name=model, inputs=[
            pb.ModelInferRequest.InferInputTensor(
                name=name, datatype="FP32", shape=shape,
                contents=pb.InferTensorContents(fp32_contents=[1.0] * (count - 1)))]), INVALID),
        ("unknown output", raw(extra=lambda r: r.outputs.add(name="nope")), INVALID),
    ]
    rejected = 0
    for label, req, code in cases:
        try:
            stub.ModelInfer(req)
            raise AssertionError(f"{label}: accepted")
        except grpc.RpcError as e:
            assert e.code() == code, (label, e.code(), e.details())
            rejected += 1
        assert stub.ServerLive(pb.ServerLiveRequest()).live, label
    # The server still answers correctly after them.
    resp = stub.ModelInfer(raw())
    assert np.frombuffer(resp.raw_output_contents[0], dtype="<f4").tobytes() == \
        np.load(f"{expected_prefix}0.npy").astype(np.float32).tobytes()
    print(f"bad-inputs: {len(cases)} tried, {rejected} rejected correctly, server alive",
          flush=True)
    m = metrics(metrics_port, model, "2")
    known = sum(1 for _, req, _ in cases if req.model_name == model)  # unknown models: no labels
    assert m.get("nv_inference_request_failure") == known, (m, known)
    assert m.get("nv_inference_request_success") == rows + 1, m
    fail = stub.ModelStatistics(pb.ModelStatisticsRequest(name=model, version="2")) \
        .model_stats[0].inference_stats.fail.count
    assert fail == known, (fail, known)
    print(f"server: metrics and statistics after the bad inputs: failure={known} "
          f"success={rows + 1}", flush=True)

    # Raw BPU tensors: INT8 in the stored layout (NHWC [1, 8, 8, 1] for digits' [1, 1, 8, 8]) run
    # without conversion and return the stored integers: digits' last Linear keeps its int32
    # accumulator (high-precision output), at a scale per output channel. The FP32 path's
    # outputs are those integers times their channel's scale. Zero is exact in both.
    x0 = np.load(x_path).astype(np.float32)[3]
    q = np.clip(np.round(x0.reshape(8, 8) * 4), -128, 127).astype(np.int8)  # any int8 input
    req = pb.ModelInferRequest(model_name=model)
    req.inputs.add(name=name, datatype="INT8", shape=[1, 8, 8, 1])
    req.raw_input_contents.append(q.tobytes())
    out = stub.ModelInfer(req)
    assert out.outputs[0].datatype == "INT32" and list(out.outputs[0].shape) == [1, 10], out
    raw_out = np.frombuffer(out.raw_output_contents[0], dtype="<i4").astype(np.float64)
    typed = pb.ModelInferRequest(model_name=model)
    typed.inputs.add(name=name, datatype="INT8", shape=[1, 8, 8, 1],
                     contents=pb.InferTensorContents(int_contents=q.reshape(-1).tolist()))
    assert stub.ModelInfer(typed).raw_output_contents[0] == out.raw_output_contents[0]
    zero = pb.ModelInferRequest(model_name=model)
    zero.inputs.add(name=name, datatype="FP32", shape=shape)
    zero.raw_input_contents.append(np.zeros(shape, np.float32).tobytes())
    fz = np.frombuffer(stub.ModelInfer(zero).raw_output_contents[0], dtype="<f4").astype(np.float64)
    rz = pb.ModelInferRequest(model_name=model)
    rz.inputs.add(name=name, datatype="INT8", shape=[1, 8, 8, 1])
    rz.raw_input_contents.append(bytes(64))
    qz = np.frombuffer(stub.ModelInfer(rz).raw_output_contents[0], dtype="<i4").astype(np.float64)
    nz = qz != 0
    assert np.all(fz[~nz] == 0), (fz, qz)
    assert nz.sum() >= 5, (fz, qz)  # the biases make most logits of a zero input nonzero
    ratios = np.full(10, np.nan)
    ratios[nz] = fz[nz] / qz[nz]
    for label, bad, code in [
        ("raw in the valid shape", [1, 1, 8, 8], INVALID),
        ("raw with too few bytes", None, INVALID),
    ]:
        r = pb.ModelInferRequest(model_name=model)
        r.inputs.add(name=name, datatype="INT8", shape=bad or [1, 8, 8, 1])
        r.raw_input_contents.append(q.tobytes() if bad else q.tobytes()[:-1])
        try:
            stub.ModelInfer(r)
            raise AssertionError(label)
        except grpc.RpcError as e:
            assert e.code() == code, (label, e.code(), e.details())
    r = pb.ModelInferRequest(model_name=model)
    r.inputs.add(name=name, datatype="INT8", shape=[1, 8, 8, 1],
                 contents=pb.InferTensorContents(int_contents=[300] * 64))
    try:
        stub.ModelInfer(r)
        raise AssertionError("int_contents out of int8")
    except grpc.RpcError as e:
        assert e.code() == INVALID, e
    # ModelConfig's parameters give the raw forms: the stored datatype, shape and layout used
    # above, and the output's scale, the ratio just measured.
    params = {k: v.string_value for k, v in
              stub.ModelConfig(pb.ModelConfigRequest(name=model)).config.parameters.items()}
    out_name = out.outputs[0].name
    assert params[f"bpu_raw.{name}.datatype"] == "INT8", params
    assert params[f"bpu_raw.{name}.shape"] == "1,8,8,1", params
    assert params[f"bpu_raw.{name}.layout"] == "NHWC", params
    assert params[f"bpu_raw.{out_name}.datatype"] == "INT32", params
    scales = np.array([float(v) for v in params[f"bpu_raw.{out_name}.scales"].split(",")])
    assert scales.shape == (10,) and len(set(scales)) > 1, params  # per channel
    assert np.allclose(ratios[nz], scales[nz], rtol=1e-6), (ratios, scales)
    # The same integers as FP32 input (q x the input scale quantizes back to q; C = 1, so NCHW and
    # NHWC bytes agree): the FP32 outputs are the raw ones times their channel's scales.
    fq = pb.ModelInferRequest(model_name=model)
    fq.inputs.add(name=name, datatype="FP32", shape=shape)
    in_scale = float(params[f"bpu_raw.{name}.scales"])
    fq.raw_input_contents.append((q.astype(np.float32) * np.float32(in_scale)).tobytes())
    fq_out = np.frombuffer(stub.ModelInfer(fq).raw_output_contents[0], dtype="<f4")
    assert np.allclose(raw_out * scales, fq_out, rtol=1e-6, atol=0), (raw_out, scales, fq_out)
    print(f"server: raw INT8 inputs (raw and typed) give the stored INT32 outputs; FP32 outputs "
          f"= the stored integers x the {len(scales)} per-channel scales ModelConfig's "
          f"parameters give ({nz.sum()} checked on a zero input), with the stored shape "
          f"{params[f'bpu_raw.{name}.shape']}", flush=True)

    # The repository: index, a failed reload keeping version 2, unload and load.
    import os
    index = stub.RepositoryIndex(pb.RepositoryIndexRequest())
    entries = [(m.name, m.version, m.state) for m in index.models]
    assert entries == [(model, "2", "READY")], entries
    os.makedirs(f"{repo}/{model}/3")
    with open(f"{repo}/{model}/3/model.hbm", "wb") as f:
        f.write(b"not an hbm file")
    try:
        stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name=model))
        raise AssertionError("a corrupt version 3 loaded")
    except grpc.RpcError as e:
        assert e.code() != grpc.StatusCode.OK, e
    mm3 = stub.ModelMetadata(pb.ModelMetadataRequest(name=model))
    assert list(mm3.versions) == ["2"], mm3
    assert infer_row0().model_version == "2"
    print("server: a corrupt version 3 fails to load, version 2 keeps serving", flush=True)
    os.remove(f"{repo}/{model}/3/model.hbm")
    os.rmdir(f"{repo}/{model}/3")
    stub.RepositoryModelUnload(pb.RepositoryModelUnloadRequest(model_name=model))
    assert not stub.ModelReady(pb.ModelReadyRequest(name=model)).ready
    assert health(None) == b"\x08\x02", "health after unload"  # NOT_SERVING
    try:
        infer_row0()
        raise AssertionError("an unloaded model answered")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND, e
    index = stub.RepositoryIndex(pb.RepositoryIndexRequest())
    assert [(m.name, m.state, m.reason) for m in index.models] == \
        [(model, "UNAVAILABLE", "unloaded")], index
    assert not stub.RepositoryIndex(pb.RepositoryIndexRequest(ready=True)).models
    stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name=model))
    assert stub.ModelReady(pb.ModelReadyRequest(name=model)).ready
    assert health(None) == b"\x08\x01"
    assert infer_row0().model_version == "2"
    try:
        stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name="../etc"))
        raise AssertionError("a path outside the repository loaded")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND, e
    print("server: repository index, unload (NOT_SERVING, NOT_FOUND) and load again", flush=True)


if __name__ == "__main__":
    main()
