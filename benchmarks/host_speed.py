"""Host speed (issue 16): the simulator's func mode against PyTorch's own int8 inference.

Runs, in one script run, int8 ResNet-18, MobileNet-V2 and EfficientNet-B0:
  - ours: the compiled .hbm's program in the simulator's func mode (benchmarks/host_speed_bench,
    a Google Benchmark binary; quantized for bayes on the photo crops, O2), at 1 and 2 threads;
  - torch: the same architectures quantized by torch.ao's FX PTQ (oneDNN engine, the default
    oneDNN qconfig mapping, calibrated on the same crops), at 1 and 2 threads;
and prints per model and thread count both times (ours: Google Benchmark's mean; torch: the
median of the timed runs), the ratio ours / torch and the GMAC/s each reaches (the model's MACs
as the compiled program counts them, over each time). Then perf mode's cost on ResNet-18 as a
fraction of func mode's.

Usage: tools/host_speed.sh (builds the benchmark binary and runs this with Debian's python3).
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import export_models  # noqa: E402  (the seeded architectures tests/models exports)

MODELS = ["resnet18", "mobilenet_v2", "efficientnet_b0"]


def torch_int8(name, calib):
    import torch
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    export_models._import_torch()
    torch.backends.quantized.engine = "onednn"
    model = export_models.build_model(name, calibration=[torch.from_numpy(np.concatenate(calib))])
    example = (torch.from_numpy(calib[0]),)
    prepared = prepare_fx(model, get_default_qconfig_mapping("onednn"), example)
    with torch.no_grad():
        for x in calib:
            prepared(torch.from_numpy(x))
    return convert_fx(prepared)


def time_torch(model, x, threads, runs):
    import torch

    torch.set_num_threads(threads)
    t = torch.from_numpy(x)
    with torch.no_grad():
        for _ in range(3):
            model(t)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(t)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def ours(bench):
    out = subprocess.run([bench, "--benchmark_format=json"], check=True, capture_output=True,
                         text=True).stdout
    result, perf = {}, None
    for b in json.loads(out)["benchmarks"]:
        parts = b["name"].split("/")
        if parts[0] == "BM_PerfOfFunc":
            perf = (parts[1], b["of_func"], b["real_time"], b["func_ms"])
            continue
        threads = int(parts[2].split(":")[1])
        result[(parts[1], threads)] = (b["real_time"], b["MMACs"])
    return result, perf


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True, help="the host_speed_bench binary")
    p.add_argument("--data", required=True, help="tests/models (bazel-bin)")
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args()
    calib = [np.load(f) for f in sorted(glob.glob(os.path.join(args.data, "calib", "*.npy")))]
    x = np.load(os.path.join(args.data, "test", "000.npy"))
    mine, perf = ours(args.bench)
    for name in MODELS:
        q = torch_int8(name, calib)
        for threads in (1, 2):
            ms, mmacs = mine[(name, threads)]
            tms = time_torch(q, x, threads, args.runs)
            print(f"host-speed: {name} threads={threads} ours={ms:.1f} ms "
                  f"({mmacs / ms:.1f} GMAC/s) torch={tms:.1f} ms "
                  f"({mmacs / tms:.1f} GMAC/s) ratio={ms / tms:.2f}", flush=True)
    if perf is not None:
        name, of_func, us, func_ms = perf
        print(f"host-speed: {name} perf mode {us:.0f} us = {100 * of_func:.2f} % of func mode's "
              f"{func_ms:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
