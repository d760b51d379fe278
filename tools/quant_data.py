#!/usr/bin/python3
"""Real data for the quantization tests, and PyTorch's own post-training quantization to beat.

Run with Debian's /usr/bin/python3 (torch, torchvision, onnx, sklearn, PIL). Writes into --out:
  calib/NNN.npy          32 calibration crops of scikit-learn's china.jpg and flower.jpg, float32
                         1x3x224x224, normalized as ImageNet models expect
  test/NNN.npy           16 test crops (disjoint positions), same format
  ptq/MODEL.onnx         resnet18, mobilenet_v2, efficientnet_b0, yolo_tiny (three outputs) and
                         vit_tiny (opset 17) with tests/models' seeded weights
                         but BatchNorm statistics from train-mode passes over the 32 calibration
                         crops (4 batches of 8), so their activations are those of photos
  torch_ptq.txt          per model: "MODEL cos SQNR_dB" of torch.ao FX PTQ (oneDNN, symmetric
                         quint8 activations with HistogramObserver, per-channel symmetric qint8
                         weights) against torch's float output over the 16 test crops
  digits.onnx            a small CNN (conv+bn+relu, residual add, pooling, linear) trained here on
                         scikit-learn's digits (seeded, a few seconds), input 1x1x8x8 in [-1, 1]
  digits_calib.npy       64 training samples, Nx1x8x8 float32 (a batch along axis 0)
  digits_test_x.npy      the held-out split, Nx1x8x8 float32
  digits_test_y.npy      its labels, int64
  digits_float_acc.txt   torch's float accuracy on the held-out split

The models of ptq/ and torch_ptq.txt are built by tools/export_models.py's build_model with the
calibration crops, so torch and we quantize the same float model.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402  (same seeded models as tests/models)

PTQ_MODELS = ("resnet18", "mobilenet_v2", "efficientnet_b0", "yolo_tiny", "vit_tiny")
NUM_CALIB = 32
NUM_TEST = 16
IMAGE_SEED = 7
DIGITS_SEED = 11
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def make_crops():
    """48 distinct crops (random size and position, both photos alternating), 224x224, normalized."""
    from PIL import Image
    from sklearn.datasets import load_sample_image

    photos = [Image.fromarray(load_sample_image(n)) for n in ("china.jpg", "flower.jpg")]
    rng = np.random.default_rng(IMAGE_SEED)
    crops = []
    for i in range(NUM_CALIB + NUM_TEST):
        photo = photos[i % 2]
        w, h = photo.size
        side = int(rng.integers(160, min(w, h) + 1))
        x0 = int(rng.integers(0, w - side + 1))
        y0 = int(rng.integers(0, h - side + 1))
        crop = photo.crop((x0, y0, x0 + side, y0 + side)).resize((224, 224), Image.BILINEAR)
        a = np.asarray(crop, dtype=np.float32) / 255.0
        a = (a - MEAN) / STD
        crops.append(np.ascontiguousarray(a.transpose(2, 0, 1)[None]).astype(np.float32))
    return crops[:NUM_CALIB], crops[NUM_CALIB:]


def cos_sqnr(ref, got):
    ref = np.concatenate([r.reshape(-1) for r in ref]).astype(np.float64)
    got = np.concatenate([g.reshape(-1) for g in got]).astype(np.float64)
    cos = float(np.dot(ref, got) / (np.linalg.norm(ref) * np.linalg.norm(got)))
    noise = float(np.sum((ref - got) ** 2))
    sqnr = float("inf") if noise == 0 else 10.0 * np.log10(float(np.sum(ref**2)) / noise)
    return cos, sqnr


def symmetric_mapping(qconfig):
    """torch's default oneDNN mapping with our symmetric qconfig everywhere torch allows a choice.

    torch insists on its fixed-qparams observers for sigmoid, tanh, hardsigmoid and softmax (whose
    output ranges are known) and on input-reusing observers for reshape; every other entry, and
    the global one, becomes `qconfig`.
    """
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.observer import FixedQParamsObserver, ReuseInputObserver

    def keeps_torch_choice(qc):
        act = getattr(qc.activation, "p", None)
        cls = act.func if act is not None else qc.activation
        return cls in (FixedQParamsObserver, ReuseInputObserver)

    mapping = get_default_qconfig_mapping("onednn").set_global(qconfig)
    for key, qc in list(mapping.object_type_qconfigs.items()):
        if qc is not None and not keeps_torch_choice(qc):
            mapping.set_object_type(key, qconfig)
    return mapping


def build_ptq_model(name, calib):
    """tests/models' seeded model, its BatchNorm statistics taken from the calibration crops."""
    import torch

    batch = export_models.CALIBRATION_BATCH
    batches = [torch.from_numpy(np.concatenate(calib[i:i + batch]))
               for i in range(0, len(calib), batch)]
    return export_models.build_model(name, calibration=batches)


def export_ptq_model(name, calib, test, out):
    """Writes ptq/NAME.onnx and prints the output's spread on calibration and test crops."""
    import torch

    model = build_ptq_model(name, calib)
    path = os.path.join(out, "ptq", name + ".onnx")
    with torch.no_grad():
        first = model(torch.from_numpy(calib[0]))
    outputs = len(first) if isinstance(first, tuple) else 1
    export_models.export(model, torch.from_numpy(calib[0]), path, torch.onnx.TrainingMode.EVAL,
                         export_models.OPSET.get(name, 13), outputs)

    def flat(x):
        out = model(torch.from_numpy(x))
        return np.concatenate([o.numpy().reshape(-1) for o in (out if outputs > 1 else (out,))])

    with torch.no_grad():
        spread = [float(np.std(np.concatenate([flat(x) for x in xs]))) for xs in (calib, test)]
    print(f"ptq-model: {name} logits std calib={spread[0]:.4g} test={spread[1]:.4g}",
          file=sys.stderr)


def torch_ptq(name, calib, test):
    import torch
    from torch.ao.quantization import HistogramObserver, PerChannelMinMaxObserver, QConfig
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.backend_config import get_native_backend_config
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    # torch 1.13 runs its quantized kernels on the oneDNN engine with the native backend config
    # (it has no separate oneDNN config yet).
    torch.backends.quantized.engine = "onednn"
    model = build_ptq_model(name, calib).eval()
    qconfig = QConfig(
        activation=HistogramObserver.with_args(
            dtype=torch.quint8, qscheme=torch.per_tensor_symmetric, reduce_range=False),
        weight=PerChannelMinMaxObserver.with_args(
            dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    example = (torch.from_numpy(calib[0]),)

    def run(m, t):  # every output, flattened and concatenated (the detector has three)
        out = m(torch.from_numpy(t))
        outs = out if isinstance(out, tuple) else (out,)
        return np.concatenate([o.numpy().reshape(-1) for o in outs])

    with torch.no_grad():
        floats = [run(model, t) for t in test]
        prepared = prepare_fx(model, symmetric_mapping(qconfig), example,
                              backend_config=get_native_backend_config())
        for c in calib:
            prepared(torch.from_numpy(c))
        converted = convert_fx(prepared, backend_config=get_native_backend_config())
        # A qconfig torch cannot honour is silently dropped, leaving a float model: make sure the
        # converted model really runs quantized convolutions.
        quantized_modules = [m for m in converted.modules()
                             if ".quantized" in type(m).__module__]
        if not any("Conv" in type(m).__name__ for m in quantized_modules):
            raise SystemExit(f"{name}: torch's convert_fx left no quantized conv")
        quants = [run(converted, t) for t in test]
    cos, sqnr = cos_sqnr(floats, quants)
    print(f"torch-ptq: {name} cos={cos:.6f} sqnr={sqnr:.2f} dB "
          f"({len(quantized_modules)} quantized modules)", file=sys.stderr)
    return cos, sqnr


def train_digits(out):
    import torch
    import torch.nn as nn
    from sklearn.datasets import load_digits

    torch.manual_seed(DIGITS_SEED)
    digits = load_digits()
    x = (digits.images.astype(np.float32) / 8.0 - 1.0)[:, None]  # [0, 16] -> [-1, 1]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(DIGITS_SEED).permutation(len(x))
    split = int(0.8 * len(x))
    train_idx, test_idx = order[:split], order[split:]

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
            self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

        def forward(self, t):
            h = torch.relu(self.bn1(self.conv1(t)))
            return torch.relu(self.bn2(self.conv2(h)) + t)

    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        Residual(16),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x[train_idx]), torch.from_numpy(y[train_idx])
    gen = torch.Generator().manual_seed(DIGITS_SEED)
    model.train()
    for _ in range(40):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[b]), yt[b])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x[test_idx])).argmax(1).numpy()
    acc = float((pred == y[test_idx]).mean())
    print(f"digits: float accuracy {acc:.4f} on {len(test_idx)} held-out samples", file=sys.stderr)
    torch.onnx.export(model, torch.from_numpy(x[:1]), os.path.join(out, "digits.onnx"),
                      opset_version=13, input_names=["input"], output_names=["logits"])
    np.save(os.path.join(out, "digits_calib.npy"), np.ascontiguousarray(x[train_idx[:64]]))
    np.save(os.path.join(out, "digits_test_x.npy"), np.ascontiguousarray(x[test_idx]))
    np.save(os.path.join(out, "digits_test_y.npy"), y[test_idx])
    with open(os.path.join(out, "digits_float_acc.txt"), "w") as f:
        f.write(f"{acc:.6f}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = os.path.abspath(args.out)
    for sub in ("calib", "test", "ptq"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    export_models._isolate(out)
    export_models._import_torch()
    import torch

    torch.set_num_threads(2)
    calib, test = make_crops()
    for i, c in enumerate(calib):
        np.save(os.path.join(out, "calib", f"{i:03d}.npy"), c)
    for i, t in enumerate(test):
        np.save(os.path.join(out, "test", f"{i:03d}.npy"), t)
    for name in PTQ_MODELS:
        export_ptq_model(name, calib, test, out)
    with open(os.path.join(out, "torch_ptq.txt"), "w") as f:
        for name in PTQ_MODELS:
            cos, sqnr = torch_ptq(name, calib, test)
            f.write(f"{name} {cos:.9f} {sqnr:.6f}\n")
    train_digits(out)


if __name__ == "__main__":
    main()
