#!/usr/bin/python3
"""The PTQ comparison sweep (issue 18): our post-training quantization against PyTorch's FX PTQ on
torchvision architectures we did not tune for.

Each model is torchvision's architecture with seeded random weights and BatchNorm statistics from
train-mode passes over the 32 calibration crops of tools/quant_data.py (photos, 224x224), exported
to ONNX. Both sides calibrate on those 32 crops and are measured on the 16 test crops against the
same float model's output: torch with FX PTQ (oneDNN; HistogramObserver symmetric activations,
per-channel symmetric qint8 weights: quant_data.torch_ptq), we with `bpu quantize` (bayes) under
each observer the CLI offers, measured with `bpu similarity` (the output's SQNR over the test
crops). Prints per model

  ptq-compare: MODEL ours=S dB torch=T dB delta=D dB   (ours: the defaults, mse+sel+ar+unify+ebc+hpo)
  ptq-observers: MODEL mse+sel+ar+unify+ebc+hpo=.. percentile=.. minmax=.. mse=.. kl=..
                 (the default, then every observer alone, so none breaks silently; +sel
                 --select-observer, +tune --tune-scales, +ar --adaround, +unify
                 --unify-concat-scales, +ebc --empirical-bias-correction, +hpo
                 --high-precision-output, +bc --bias-correction, +eq --equalize)

and last `ptq-sweep: N models, mean delta D dB, min delta M dB`. A table goes to OUT/ptq_sweep.tsv.
Not a CI test: the default column alone takes about 90 min on 2 cores, every column several hours
(tools/ptq_sweep.sh builds bpu and runs it).

Usage: ptq_sweep.py --bpu BPU --out DIR [--models a,b,...] [--observers percentile,minmax,...]
"""

import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402
import quant_data  # noqa: E402

MODELS = ("resnet18", "resnet34", "resnet50", "resnext50_32x4d", "wide_resnet50_2", "vgg11_bn",
          "alexnet", "mobilenet_v2", "efficientnet_b0", "efficientnet_b2", "efficientnet_v2_s",
          "shufflenet_v2_x1_0", "shufflenet_v2_x2_0", "regnet_x_400mf", "regnet_y_800mf",
          "mnasnet0_5", "densenet169", "squeezenet1_0")
# What `bpu quantize` runs per column: an observer, with the methods named after it on and the
# others off: "+sel" --select-observer, "+tune" --tune-scales, "+ar" --adaround, "+unify"
# --unify-concat-scales, "+ebc" --empirical-bias-correction, "+hpo" --high-precision-output (the
# model's last weighted layers keep int32 outputs), "+bc" --bias-correction, "+eq" --equalize.
# The plain observer columns show each observer alone, so none breaks silently.
OBSERVERS = ("mse+sel+ar+unify+ebc+hpo", "percentile", "minmax", "mse", "kl")
DEFAULT_OBSERVER = "mse+sel+ar+unify+ebc+hpo"  # bpu quantize's default settings


def write_crops(crops, directory):
    os.makedirs(directory, exist_ok=True)
    for i, c in enumerate(crops):
        np.save(os.path.join(directory, f"{i:03d}.npy"), c)


def output_sqnr(bpu, onnx_path, qhbir, test_dir):
    """The SQNR of the model's output row of `bpu similarity` (ours against float)."""
    out = subprocess.run([bpu, "similarity", onnx_path, qhbir, "--inputs", test_dir],
                         check=True, capture_output=True, text=True).stdout
    rows = [line for line in out.splitlines() if line.strip()]
    fields = rows[-1].split()
    # layer op quant(2 fields) cosine sqnr max_err
    return float(fields[-2])


def file_digest(path):
    import hashlib
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def ours(bpu, name, onnx_path, calib_dir, test_dir, work, column, digest):
    """ours_uncached's figure, reused from an earlier run of the same bpu binary on this model."""
    cache = os.path.join(work, f"{name}.{column}.sqnr")
    if os.path.exists(cache):
        with open(cache) as f:
            saved_digest, value = f.read().split()
        if saved_digest == digest:
            return float(value)
    value = ours_uncached(bpu, name, onnx_path, calib_dir, test_dir, work, column)
    with open(cache, "w") as f:
        f.write(f"{digest} {value!r}\n")
    return value


def ours_uncached(bpu, name, onnx_path, calib_dir, test_dir, work, column):
    """`column` is an observer name, with "+bc" for --bias-correction, "+eq" for --equalize,
    "+sel" for --select-observer, "+tune" for --tune-scales, "+ar" for --adaround, "+unify" for
    --unify-concat-scales, "+ebc" for --empirical-bias-correction, "+hpo" for
    --high-precision-output."""
    observer, *extras = column.split("+")
    qhbir = os.path.join(work, f"{name}.{column}.q.hbir")
    # Every method on or off explicitly, whatever bpu quantize's defaults are.
    methods = {"sel": ("--select-observer", "--no-select-observer"),
               "tune": ("--tune-scales", "--no-tune-scales"),
               "ar": ("--adaround", "--no-adaround"),
               "unify": ("--unify-concat-scales", "--no-unify-concat-scales"),
               "ebc": ("--empirical-bias-correction", "--no-empirical-bias-correction"),
               "hpo": ("--high-precision-output", "--no-high-precision-output"),
               "bc": ("--bias-correction", None), "eq": ("--equalize", None)}
    unknown = set(extras) - set(methods)
    if unknown:
        raise SystemExit(f"ptq_sweep: unknown column part(s) {sorted(unknown)} in {column}")
    flags = [on if key in extras else off for key, (on, off) in methods.items()
             if (on if key in extras else off) is not None]
    subprocess.run([bpu, "quantize", onnx_path, "--calib", calib_dir, "--march", "bayes",
                    "--observer", observer, "-o", qhbir] + flags,
                   check=True, capture_output=True, text=True)
    return output_sqnr(bpu, onnx_path, qhbir, test_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bpu", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--observers", default=",".join(OBSERVERS))
    ap.add_argument("--fresh", action="store_true",
                    help="export the models and run torch again even when OUT holds them")
    args = ap.parse_args()
    export_models._import_torch()
    import torch

    torch.set_num_threads(2)
    models = [m for m in args.models.split(",") if m]
    observers = [o for o in args.observers.split(",") if o]
    os.makedirs(args.out, exist_ok=True)
    calib, test = quant_data.make_crops()
    calib_dir, test_dir = os.path.join(args.out, "calib"), os.path.join(args.out, "test")
    write_crops(calib, calib_dir)
    write_crops(test, test_dir)
    rows = []
    digest = file_digest(args.bpu)  # our figures are reused only from the same binary
    for name in models:
        t0 = time.time()
        onnx_path = os.path.join(args.out, name + ".onnx")
        torch_path = os.path.join(args.out, name + ".torch_sqnr")
        if os.path.exists(onnx_path) and os.path.exists(torch_path) and not args.fresh:
            # The model and torch's figure are deterministic (seeded): a re-run reuses them.
            with open(torch_path) as f:
                torch_sqnr = float(f.read())
        else:
            model = quant_data.build_ptq_model(name, calib).eval()
            export_models.export(model, torch.from_numpy(calib[0]), onnx_path,
                                 torch.onnx.TrainingMode.EVAL, export_models.OPSET.get(name, 13),
                                 1)
            try:
                _, torch_sqnr = quant_data.torch_ptq(name, calib, test)
            except Exception as e:  # noqa: BLE001  (torch FX cannot trace every model)
                print(f"ptq-error: {name} torch: {type(e).__name__}: {str(e)[:200]}", flush=True)
                torch_sqnr = float("nan")
            with open(torch_path, "w") as f:
                f.write(f"{torch_sqnr!r}\n")
        by_observer = {}
        for observer in observers:
            try:
                by_observer[observer] = ours(args.bpu, name, onnx_path, calib_dir, test_dir,
                                             args.out, observer, digest)
            except subprocess.CalledProcessError as e:
                print(f"ptq-error: {name} {observer}: {e.stderr.strip()[-300:]}", flush=True)
                by_observer[observer] = float("nan")
        mine = by_observer.get(DEFAULT_OBSERVER, float("nan"))
        delta = mine - torch_sqnr
        rows.append((name, mine, torch_sqnr, delta, by_observer))
        print(f"ptq-compare: {name} ours={mine:.2f} dB torch={torch_sqnr:.2f} dB "
              f"delta={delta:+.2f} dB ({time.time() - t0:.0f} s)", flush=True)
        print("ptq-observers: " + name + " " +
              " ".join(f"{o}={v:.2f}" for o, v in by_observer.items()), flush=True)
    with open(os.path.join(args.out, "ptq_sweep.tsv"), "w") as f:
        f.write("model\tours_db\ttorch_db\tdelta_db\t" + "\t".join(observers) + "\n")
        for name, mine, t, d, obs in rows:
            f.write(f"{name}\t{mine:.2f}\t{t:.2f}\t{d:+.2f}\t" +
                    "\t".join(f"{obs[o]:.2f}" for o in observers) + "\n")
    deltas = np.array([r[3] for r in rows])
    print(f"ptq-sweep: {len(rows)} models, mean delta {np.nanmean(deltas):+.2f} dB, "
          f"min delta {np.nanmin(deltas):+.2f} dB", flush=True)


if __name__ == "__main__":
    main()
