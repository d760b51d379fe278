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


def _custom_model(name):
    """The models torchvision does not have (the ISA 1.1 issue's detector and transformer, and
    MobileNetV1 for the timing model).

    yolo_tiny: a YOLO-style detector: a stride-2 conv backbone (conv + BN + SiLU) to strides 8, 16
      and 32, a neck that upsamples (nearest) and concatenates, and three 1x1 heads of
      3 anchors x (5 + 4 classes) = 27 channels with a sigmoid: three outputs, [1, 27, 28 / 14 / 7,
      same].
    vit_tiny: a small transformer encoder: 32x32 patch embedding (a conv) to 49 tokens of 64,
      a learned position embedding, 2 layers of pre-norm multi-head attention (4 heads, softmax)
      and a GELU MLP (64 -> 128 -> 64), a final LayerNorm, the mean over tokens and a 10-class
      linear head. Exported at opset 17, where LayerNormalization is one node.
    """
    nn = torch.nn

    class ConvBnSilu(nn.Sequential):
        def __init__(self, cin, cout, k=3, s=1):
            super().__init__(
                nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.SiLU()
            )

    class YoloTiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(ConvBnSilu(3, 16, 3, 2), ConvBnSilu(16, 32, 3, 2))
            self.p3 = ConvBnSilu(32, 64, 3, 2)
            self.p4 = ConvBnSilu(64, 128, 3, 2)
            self.p5 = ConvBnSilu(128, 256, 3, 2)
            self.lat5 = ConvBnSilu(256, 128, 1)
            self.fuse4 = ConvBnSilu(256, 128, 3)
            self.lat4 = ConvBnSilu(128, 64, 1)
            self.fuse3 = ConvBnSilu(128, 64, 3)
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.heads = nn.ModuleList(nn.Conv2d(c, 27, 1) for c in (64, 128, 128))

        def forward(self, x):
            p3 = self.p3(self.stem(x))
            p4 = self.p4(p3)
            p5 = self.lat5(self.p5(p4))
            n4 = self.fuse4(torch.cat([self.up(p5), p4], 1))
            n3 = self.fuse3(torch.cat([self.up(self.lat4(n4)), p3], 1))
            return tuple(torch.sigmoid(h(f)) for h, f in zip(self.heads, (n3, n4, p5)))

    class Block(nn.Module):
        def __init__(self, dim=64, heads=4, hidden=128):
            super().__init__()
            self.dim, self.heads = dim, heads
            self.ln1 = nn.LayerNorm(dim)
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)
            self.ln2 = nn.LayerNorm(dim)
            self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

        def forward(self, x):
            # No shape unpacking, so torch.fx can trace it (torch's FX PTQ in quant_data.py).
            d, h = self.dim, self.heads
            qkv = self.qkv(self.ln1(x)).reshape(x.shape[0], -1, 3, h, d // h)
            qkv = qkv.permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = torch.softmax(q @ k.transpose(-2, -1) * (d // h) ** -0.5, dim=-1)
            x = x + self.proj((att @ v).transpose(1, 2).reshape(x.shape[0], -1, d))
            return x + self.mlp(self.ln2(x))

    class VitTiny(nn.Module):
        def __init__(self, dim=64, layers=2, classes=10):
            super().__init__()
            self.embed = nn.Conv2d(3, dim, 32, 32)
            self.pos = nn.Parameter(torch.randn(1, 49, dim) * 0.02)
            self.blocks = nn.Sequential(*[Block(dim) for _ in range(layers)])
            self.ln = nn.LayerNorm(dim)
            self.head = nn.Linear(dim, classes)

        def forward(self, x):
            x = self.embed(x).flatten(2).transpose(1, 2) + self.pos
            return self.head(self.ln(self.blocks(x)).mean(1))

    class MobileNetV1(nn.Module):
        """Howard et al. 2017, width 1.0 at 224x224: a 3x3 stride-2 conv to 32 channels, 13
        depthwise-separable blocks (3x3 depthwise + 1x1 pointwise, each conv + BN + ReLU), a global
        average pool and a 1000-class linear layer (the timing model's second published
        figure, issue 14; torchvision has no MobileNetV1)."""

        def __init__(self, classes=1000):
            super().__init__()

            def cbr(cin, cout, k, s, groups=1):
                return [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
                        nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

            layers = cbr(3, 32, 3, 2)
            cin = 32
            for cout, stride in ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                                 (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2),
                                 (1024, 1)):
                layers += cbr(cin, cin, 3, stride, groups=cin) + cbr(cin, cout, 1, 1)
                cin = cout
            self.features = nn.Sequential(*layers)
            self.fc = nn.Linear(1024, classes)

        def forward(self, x):
            return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), 1), 1))

    return {"yolo_tiny": YoloTiny, "vit_tiny": VitTiny, "mobilenet_v1": MobileNetV1}[name]()


CUSTOM_MODELS = ("yolo_tiny", "vit_tiny", "mobilenet_v1")
# ONNX opset per model (LayerNormalization is a single node from opset 17).
OPSET = {"vit_tiny": 17}


def build_model(name, calibration=None):
    """Random-init model whose BatchNorm statistics match its own activations.

    With fresh running stats (mean 0, var 1) eval-mode activations explode or vanish through deep
    nets; train-mode passes give statistics like a trained network's. `calibration` is a list of
    NCHW float32 batches to take them from (the quantization tests pass their photo crops, so the
    model is calibrated on the data it is tested on); without it, CALIBRATION_PASSES batches of
    standard normal noise.
    """
    torch.manual_seed(_model_seed(name))
    if name in CUSTOM_MODELS:
        model = _custom_model(name)
    else:
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


def export(model, example, path, training, opset=13, outputs=1):
    torch.onnx.export(
        model,
        example,
        path,
        opset_version=opset,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["output"] if outputs == 1 else [f"output{i}" for i in range(outputs)],
        training=training,
    )
    return _check_no_external_data(path)


def export_one(name, out_dir):
    start = time.time()
    model = build_model(name)
    gen = torch.Generator().manual_seed(_model_seed(name) + 1)
    example = torch.randn(*INPUT_SHAPE, generator=gen, dtype=torch.float32)
    with torch.no_grad():
        outputs = model(example)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    outputs = [o.numpy().astype(np.float32) for o in outputs]
    output = outputs[0]
    if not all(np.all(np.isfinite(o)) for o in outputs):
        raise RuntimeError(f"{name}: torch output is not finite")

    base = os.path.join(out_dir, name)
    opset = OPSET.get(name, 13)
    fused = export(model, example, base + ".onnx", torch.onnx.TrainingMode.EVAL, opset,
                   len(outputs))
    # PRESERVE exports the module in its current (eval) mode without the eval peephole pass that
    # folds BatchNormalization into Conv, so the BN nodes stay (inference form).
    preserved = export(model, example, base + ".preserve.onnx", torch.onnx.TrainingMode.PRESERVE,
                       opset, len(outputs))
    np.save(base + ".input.npy", example.numpy())
    # One output: MODEL.output.npy; several: MODEL.output0.npy, MODEL.output1.npy, ...
    if len(outputs) == 1:
        np.save(base + ".output.npy", output)
    else:
        for i, o in enumerate(outputs):
            np.save(base + f".output{i}.npy", o)

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
    known = MODELS + CUSTOM_MODELS
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown models: {', '.join(unknown)} (known: {', '.join(known)})")
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
