#!/usr/bin/python3
"""Exports seeded random-weight torchvision models to ONNX, with a fixed input and torch's output.

Real-model test data for the importer and interpreters, made offline (weights=None: nothing is
downloaded). Run with Debian's /usr/bin/python3 (torch, torchvision, onnx, numpy). For each model
writes into --out:
  MODEL.onnx           eval export (opset 13, constant folding: BatchNorm fused into Conv)
  MODEL.preserve.onnx  export keeping BatchNormalization nodes (TrainingMode.PRESERVE, eval mode)
  MODEL.input.npy      float32 1x3x224x224 standard normal, seeded
  MODEL.output.npy     torch's eval-mode output on that input, float32
"""

import argparse
import atexit
import os
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np

MODELS = ("resnet18", "resnet50", "mobilenet_v2", "efficientnet_b0", "shufflenet_v2_x1_0")
SEED = 20240601
INPUT_SHAPE = (1, 3, 224, 224)
CALIBRATION_PASSES = 4
CALIBRATION_BATCH = 8


# Imported by _import_torch() once the scratch environment is set.
onnx = torch = torchvision = None


def _isolate(out_dir):
    """Points every cache and temp dir torch might use into a scratch dir under out_dir.

    In a Bazel genrule sandbox HOME may be unset or read-only and nothing may be written outside
    the output dir; the scratch dir is removed at exit.
    """
    scratch = tempfile.mkdtemp(prefix=".export_tmp_", dir=out_dir)
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    for var in ("TORCH_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR"):
        os.environ[var] = os.path.join(scratch, var.lower())
    os.environ["HOME"] = scratch
    os.environ["TMPDIR"] = scratch
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    tempfile.tempdir = scratch


def _import_torch():
    global onnx, torch, torchvision
    import onnx
    import torch
    import torchvision

    # PRESERVE + constant folding warns even for a module in eval mode, where folding is safe.
    warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")


def _model_seed(name):
    # A stable per-model seed (Python's hash() is salted per process).
    return SEED + sum((i + 1) * ord(c) for i, c in enumerate(name))


def build_model(name, calibration=None):
    """Random-init model whose BatchNorm statistics match its own activations.

    With fresh running stats (mean 0, var 1) eval-mode activations explode or vanish through deep
    nets; train-mode passes give statistics like a trained network's. `calibration` is a list of
    NCHW float32 batches to take them from (the quantization tests pass their photo crops, so the
    model is calibrated on the data it is tested on); without it, CALIBRATION_PASSES batches of
    standard normal noise.
    """
    torch.manual_seed(_model_seed(name))
    model = getattr(torchvision.models, name)(weights=None)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.momentum = None  # cumulative average over the calibration passes
        bn.reset_running_stats()
    if calibration is None:
        # A generator: each batch is drawn after the previous pass (train-mode dropout draws from
        # the same RNG), as the exported models' figures were recorded.
        calibration = (torch.randn(CALIBRATION_BATCH, *INPUT_SHAPE[1:])
                       for _ in range(CALIBRATION_PASSES))
    model.train()
    with torch.no_grad():
        for batch in calibration:
            model(batch)
    for bn in bns:
        bn.momentum = 0.1
    model.eval()
    return model


def _check_no_external_data(path):
    model = onnx.load(path, load_external_data=False)
    for init in model.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL or init.external_data:
            raise RuntimeError(f"{path}: initializer {init.name} uses external data")
    onnx.checker.check_model(model)
    return model


def export(model, example, path, training):
    torch.onnx.export(
        model,
        example,
        path,
        opset_version=13,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["output"],
        training=training,
    )
    return _check_no_external_data(path)


def export_one(name, out_dir):
    start = time.time()
    model = build_model(name)
    gen = torch.Generator().manual_seed(_model_seed(name) + 1)
    example = torch.randn(*INPUT_SHAPE, generator=gen, dtype=torch.float32)
    with torch.no_grad():
        output = model(example).numpy().astype(np.float32)
    if not np.all(np.isfinite(output)):
        raise RuntimeError(f"{name}: torch output is not finite")

    base = os.path.join(out_dir, name)
    fused = export(model, example, base + ".onnx", torch.onnx.TrainingMode.EVAL)
    # PRESERVE exports the module in its current (eval) mode without the eval peephole pass that
    # folds BatchNormalization into Conv, so the BN nodes stay (inference form).
    preserved = export(model, example, base + ".preserve.onnx", torch.onnx.TrainingMode.PRESERVE)
    np.save(base + ".input.npy", example.numpy())
    np.save(base + ".output.npy", output)

    def bn_count(m):
        return sum(1 for n in m.graph.node if n.op_type == "BatchNormalization")

    print(
        f"export_models: {name}: {time.time() - start:.1f}s, "
        f"onnx {os.path.getsize(base + '.onnx') / 1e6:.1f} MB "
        f"({len(fused.graph.node)} nodes, {bn_count(fused)} BN), "
        f"preserve {len(preserved.graph.node)} nodes, {bn_count(preserved)} BN, "
        f"output std {output.std():.4g} max|.| {np.abs(output).max():.4g}",
        file=sys.stderr,
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated model names")
    args = parser.parse_args()

    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown models: {', '.join(unknown)} (known: {', '.join(MODELS)})")
    os.makedirs(args.out, exist_ok=True)
    _isolate(args.out)
    _import_torch()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    for name in names:
        export_one(name, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
