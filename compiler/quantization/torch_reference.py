#!/usr/bin/python3
"""Writes PyTorch's fake-quant and observer results as .npy files for torch_compare_test.

Run with Debian's /usr/bin/python3 (torch 1.13, numpy); seeded, nothing downloaded. Writes into
--out (every array is C-order little-endian):

Per-tensor fake quant, C cases of L values (fq_pt_*):
  x [C,L] f32, dy [C,L] f32, scale [C] f32, qbits [C] i32 (8 or 16),
  out [C,L] f32 = torch.fake_quantize_per_tensor_affine(x, scale, 0, qmin, qmax),
  grad [C,L] f32 = its gradient for upstream dy.
Per-channel fake quant on x of shape (2,8,3,5) (fq_pc_*):
  x [C,240], dy [C,240], axis [C] i32, scales [C,8] f32 (first dim(axis) used), qbits [C],
  out [C,240], grad [C,240] from torch.fake_quantize_per_channel_affine.
Observers (obs_*), K cases of B batches of shape (4,8,6,6):
  x [K,B,1152] f32, kind [K] i32 (0 MinMaxObserver, 1 MovingAverageMinMaxObserver,
  2 MovingAveragePerChannelMinMaxObserver), averaging_constant [K] f64, ch_axis [K] i32,
  qbits [K] i32, min/max [K,B,8] f32 (running min/max after each batch; per tensor in
  column 0), scale [K,B,8] f32 (calculate_qparams() after each batch).
"""

import argparse
import os
import sys

import numpy as np
import torch
from torch.ao.quantization import (
    MinMaxObserver,
    MovingAverageMinMaxObserver,
    MovingAveragePerChannelMinMaxObserver,
)

SEED = 20240611
L = 256
PC_SHAPE = (2, 8, 3, 5)
OBS_SHAPE = (4, 8, 6, 6)
OBS_BATCHES = 6


def qrange(bits):
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def f32(v):
    return np.float32(v)


def scales_list(rng):
    fixed = [1e-30, 1e-20, np.finfo(np.float32).tiny, 1e-10, 1e-5, np.finfo(np.float32).eps,
             7.7e-5, 1e-3, 3e-3, 0.0123, 0.037, 0.1, 0.2, 0.3, 1 / 3, 0.7, 1.0, 1 / 7, 2 / 3,
             3.0, 10.0, 12.3, 100.0, 1e5, 1e10, 1e20, 1e30, 3e38, 1 / 127.5, 1 / 128, 2.0 / 255]
    rand = np.exp(rng.uniform(np.log(1e-8), np.log(1e8), size=100))
    return [f32(s) for s in fixed] + [f32(s) for s in rand]


def value_sets(rng, scale, bits):
    """Yields L float32 values per set: ranges relative to the quantized range, and ties."""
    qmin, qmax = qrange(bits)
    span = float(scale) * qmax
    for factor in (0.01, 0.3, 1.0, 1.01, 2.0, 100.0, 1e4):
        v = rng.uniform(-1.0, 1.0, size=L) * span * factor
        yield v.astype(np.float32)
    # Exact ties in real arithmetic (k + 0.5) * scale, their float32 neighbours, and integers.
    k = rng.integers(qmin - 3, qmax + 4, size=L // 4)
    t = ((k + 0.5) * float(scale)).astype(np.float32)
    up = np.nextafter(t, np.float32(np.inf))
    down = np.nextafter(t, -np.float32(np.inf))
    v = np.concatenate([t, up, down, (k * float(scale)).astype(np.float32)])
    yield v.astype(np.float32)


def exact_tie_values(scale, bits, rng):
    """float32 x whose float32 product x * (1/scale) is exactly k + 0.5 (searched by ulps)."""
    qmin, qmax = qrange(bits)
    inv = f32(1.0) / scale
    out = []
    for k in rng.integers(qmin - 2, qmax + 2, size=4 * L):
        x = f32((k + 0.5) * float(scale))
        for _ in range(8):
            p = np.float32(x * inv)
            if p == f32(k + 0.5):
                out.append(x)
                break
            x = np.nextafter(x, np.float32(np.inf) if p < k + 0.5 else -np.float32(np.inf))
        if len(out) == L:
            break
    return np.array(out, dtype=np.float32)


def torch_fq_per_tensor(x, dy, scale, bits):
    qmin, qmax = qrange(bits)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    y = torch.fake_quantize_per_tensor_affine(xt, float(scale), 0, qmin, qmax)
    y.backward(torch.from_numpy(dy.copy()))
    return y.detach().numpy().copy(), xt.grad.numpy().copy()


def torch_fq_per_channel(x, dy, scales, axis, bits):
    qmin, qmax = qrange(bits)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    s = torch.from_numpy(scales.astype(np.float32))
    zp = torch.zeros(len(scales), dtype=torch.int32)
    y = torch.fake_quantize_per_channel_affine(xt, s, zp, axis, qmin, qmax)
    y.backward(torch.from_numpy(dy.copy()))
    return y.detach().numpy().copy(), xt.grad.numpy().copy()


def in_int64_range(x, scale):
    # torch casts round(x * inv) to int64 before clamping; beyond 2^62 that cast is undefined
    # (x86 gives INT64_MIN, so +1e30 becomes qmin). Such values are not compared.
    p = x * (f32(1.0) / scale)
    return np.all(np.isfinite(p)) and np.all(np.abs(p) < 2.0**62)


def fake_quant_cases(rng, out):
    xs, dys, ss, bits_l, outs, grads = [], [], [], [], [], []
    ties = 0
    for bits in (8, 16):
        for scale in scales_list(rng):
            sets = list(value_sets(rng, scale, bits))
            tv = exact_tie_values(scale, bits, rng)
            if len(tv) == L:
                sets.append(tv)
            for x in sets:
                if not in_int64_range(x, scale):
                    continue
                dy = rng.standard_normal(L).astype(np.float32)
                y, g = torch_fq_per_tensor(x, dy, scale, bits)
                p = x * (f32(1.0) / scale)
                ties += int(np.sum(p - np.floor(p) == f32(0.5)))
                xs.append(x), dys.append(dy), ss.append(scale), bits_l.append(bits)
                outs.append(y), grads.append(g)
    np.save(os.path.join(out, "fq_pt_x.npy"), np.stack(xs))
    np.save(os.path.join(out, "fq_pt_dy.npy"), np.stack(dys))
    np.save(os.path.join(out, "fq_pt_scale.npy"), np.array(ss, dtype=np.float32))
    np.save(os.path.join(out, "fq_pt_qbits.npy"), np.array(bits_l, dtype=np.int32))
    np.save(os.path.join(out, "fq_pt_out.npy"), np.stack(outs))
    np.save(os.path.join(out, "fq_pt_grad.npy"), np.stack(grads))
    print(f"per-tensor: {len(xs)} cases, {len(xs) * L} values, {ties} exact float32 ties",
          file=sys.stderr)

    n = int(np.prod(PC_SHAPE))
    xs, dys, axes, scs, bits_l, outs, grads = [], [], [], [], [], [], []
    for bits in (8, 16):
        qmin, qmax = qrange(bits)
        for case in range(150):
            axis = int(rng.integers(0, len(PC_SHAPE)))
            c = PC_SHAPE[axis]
            scales = np.exp(rng.uniform(np.log(1e-6), np.log(1e4), size=c)).astype(np.float32)
            if case % 5 == 0:
                scales[:] = [f32(v) for v in (0.1, 1 / 3, 0.7, 1e-5, 3.0, 0.0123, 1 / 7, 2 / 3)][:c]
            shape_b = [1] * len(PC_SHAPE)
            shape_b[axis] = c
            factor = [0.3, 1.0, 1.5, 20.0][case % 4]
            x = (rng.uniform(-1, 1, size=PC_SHAPE) * scales.reshape(shape_b) * qmax * factor)
            if case % 3 == 0:
                # Ties: (k + 0.5) * scale per channel.
                k = rng.integers(qmin - 2, qmax + 3, size=PC_SHAPE)
                x = (k + 0.5) * scales.reshape(shape_b).astype(np.float64)
            x = x.astype(np.float32)
            dy = rng.standard_normal(PC_SHAPE).astype(np.float32)
            y, g = torch_fq_per_channel(x, dy, scales, axis, bits)
            padded = np.zeros(8, dtype=np.float32)
            padded[:c] = scales
            xs.append(x.reshape(n)), dys.append(dy.reshape(n)), axes.append(axis)
            scs.append(padded), bits_l.append(bits), outs.append(y.reshape(n))
            grads.append(g.reshape(n))
    np.save(os.path.join(out, "fq_pc_x.npy"), np.stack(xs))
    np.save(os.path.join(out, "fq_pc_dy.npy"), np.stack(dys))
    np.save(os.path.join(out, "fq_pc_axis.npy"), np.array(axes, dtype=np.int32))
    np.save(os.path.join(out, "fq_pc_scales.npy"), np.stack(scs))
    np.save(os.path.join(out, "fq_pc_qbits.npy"), np.array(bits_l, dtype=np.int32))
    np.save(os.path.join(out, "fq_pc_out.npy"), np.stack(outs))
    np.save(os.path.join(out, "fq_pc_grad.npy"), np.stack(grads))
    print(f"per-channel: {len(xs)} cases", file=sys.stderr)


def make_observer(kind, c, axis, bits):
    qmin, qmax = qrange(bits)
    # torch observers accept a 16-bit range only with dtype qint32 (qint8 caps it at 256 levels).
    dtype = torch.qint8 if bits == 8 else torch.qint32
    if kind == 0:
        return MinMaxObserver(dtype=dtype, qscheme=torch.per_tensor_symmetric,
                              quant_min=qmin, quant_max=qmax)
    if kind == 1:
        return MovingAverageMinMaxObserver(averaging_constant=c, dtype=dtype,
                                           qscheme=torch.per_tensor_symmetric,
                                           quant_min=qmin, quant_max=qmax)
    return MovingAveragePerChannelMinMaxObserver(averaging_constant=c, ch_axis=axis, dtype=dtype,
                                                 qscheme=torch.per_channel_symmetric,
                                                 quant_min=qmin, quant_max=qmax)


def observer_cases(rng, out):
    n = int(np.prod(OBS_SHAPE))
    xs, kinds, consts, axes, bits_l, mins, maxs, scales = [], [], [], [], [], [], [], []
    consts_list = (0.01, 0.1, 1 / 3, 0.5, 0.9, 1.0, 0.0)
    for bits in (8, 16):
        for kind in (0, 1, 2):
            for i in range(14):
                c = consts_list[i % len(consts_list)]
                axis = (0, 1, 2, 3)[i % 4]
                obs = make_observer(kind, c, axis, bits)
                batches = np.zeros((OBS_BATCHES, n), dtype=np.float32)
                mn = np.zeros((OBS_BATCHES, 8), dtype=np.float32)
                mx = np.zeros((OBS_BATCHES, 8), dtype=np.float32)
                sc = np.zeros((OBS_BATCHES, 8), dtype=np.float32)
                for b in range(OBS_BATCHES):
                    mag = np.exp(rng.uniform(np.log(1e-3), np.log(1e3)))
                    x = rng.standard_normal(OBS_SHAPE) * mag
                    if (b + i) % 4 == 1:
                        x = np.abs(x) + mag * 0.1  # all positive: min > 0
                    elif (b + i) % 4 == 2:
                        x = -np.abs(x)  # all negative
                    elif (b + i) % 7 == 3:
                        x = np.zeros(OBS_SHAPE)
                    x = x.astype(np.float32)
                    obs(torch.from_numpy(x))
                    s, z = obs.calculate_qparams()
                    assert torch.all(z == 0), "symmetric qint observer with nonzero zero point"
                    m0 = obs.min_val.reshape(-1).numpy()
                    m1 = obs.max_val.reshape(-1).numpy()
                    batches[b] = x.reshape(n)
                    mn[b, :len(m0)] = m0
                    mx[b, :len(m1)] = m1
                    sv = s.reshape(-1).numpy()
                    sc[b, :len(sv)] = sv
                xs.append(batches), kinds.append(kind), consts.append(c), axes.append(axis)
                bits_l.append(bits), mins.append(mn), maxs.append(mx), scales.append(sc)
    np.save(os.path.join(out, "obs_x.npy"), np.stack(xs))
    np.save(os.path.join(out, "obs_kind.npy"), np.array(kinds, dtype=np.int32))
    np.save(os.path.join(out, "obs_averaging_constant.npy"), np.array(consts, dtype=np.float64))
    np.save(os.path.join(out, "obs_ch_axis.npy"), np.array(axes, dtype=np.int32))
    np.save(os.path.join(out, "obs_qbits.npy"), np.array(bits_l, dtype=np.int32))
    np.save(os.path.join(out, "obs_min.npy"), np.stack(mins))
    np.save(os.path.join(out, "obs_max.npy"), np.stack(maxs))
    np.save(os.path.join(out, "obs_scale.npy"), np.stack(scales))
    print(f"observers: {len(xs)} cases x {OBS_BATCHES} batches", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    os.makedirs(args.out, exist_ok=True)
    print(f"torch {torch.__version__}", file=sys.stderr)
    # Huge scales overflow some float32 inputs to inf; those cases are dropped (in_int64_range).
    with np.errstate(over="ignore", invalid="ignore"):
        fake_quant_cases(rng, args.out)
        observer_cases(rng, args.out)


if __name__ == "__main__":
    main()
