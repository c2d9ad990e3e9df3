"""The conv kind's independent route: direct float64 numpy loops over windows, and a scatter loop back
(numpy only: it never imports the derivation)."""

from __future__ import annotations

import numpy as np


def _arrays(p):
    x = np.stack([np.array(X.tolist(), dtype=float) for X in p.x])              # C x H x W
    k = (np.stack([np.stack([np.array(K.tolist(), dtype=float) for K in f]) for f in p.kernels])
         if p.kernels else None)                                               # F x C x kh x kw
    g = np.stack([np.array(G.tolist(), dtype=float) for G in p.upstream]) if p.upstream else None
    return x, k, g


def _slices(p, H, W):
    """For every output (i, j): the row and column index arrays of its window (numpy fancy indexing)."""
    (kh, kw), (sh, sw), (dh, dw) = p.window, p.stride, p.dilation
    for i in range(H):
        for j in range(W):
            rows = i * sh + dh * np.arange(kh)
            cols = j * sw + dw * np.arange(kw)
            yield i, j, np.ix_(rows, cols)


def _named(out, base, mats):
    if len(mats) == 1:
        out[base] = mats[0]
    else:
        for n, m in enumerate(mats, start=1):
            out[f"{base}.{n}"] = m


def independent(p) -> dict:
    """Every answer of the conv kind in float64, from the read problem ``p`` alone."""
    x, k, g = _arrays(p)
    t, b, l, r = p.pad
    fill = -np.inf if p.operation == "maxpool" else 0.0
    xp = np.pad(x, ((0, 0), (t, b), (l, r)), constant_values=fill)
    C, Hp, Wp = xp.shape
    (kh, kw), (sh, sw), (dh, dw) = p.window, p.stride, p.dilation
    H = (Hp - (dh * (kh - 1) + 1)) // sh + 1
    W = (Wp - (dw * (kw - 1) + 1)) // sw + 1
    out = {"output_size": np.array([H, W])}
    gxp = np.zeros_like(xp) if g is not None else None
    if p.operation == "conv":
        bias = np.array([float(v) for v in p.bias])
        y = np.zeros((k.shape[0], H, W))
        gk = np.zeros_like(k)
        for i, j, idx in _slices(p, H, W):
            patch = xp[:, idx[0], idx[1]]                                      # C x kh x kw
            for f in range(k.shape[0]):
                y[f, i, j] = np.sum(k[f] * patch) + bias[f]
                if g is not None:
                    gk[f] += g[f, i, j] * patch
                    gxp[:, idx[0], idx[1]] += g[f, i, j] * k[f]
        if g is not None:
            for f in range(gk.shape[0]):
                for c in range(C):
                    name = "grad.kernel" if gk.shape[:2] == (1, 1) else f"grad.kernel.{f + 1}.{c + 1}"
                    out[name] = gk[f, c]
            if p.has_bias:
                out["grad.bias"] = g.sum(axis=(1, 2)) if g.shape[0] > 1 else float(g.sum())
    else:
        y = np.zeros((C, H, W))
        for i, j, idx in _slices(p, H, W):
            for c in range(C):
                patch = xp[c][idx]
                if p.operation == "maxpool":
                    y[c, i, j] = patch.max()
                    if g is not None:
                        u, v = np.unravel_index(np.argmax(patch), patch.shape)   # first max, row-major
                        gxp[c, idx[0][u, 0], idx[1][0, v]] += g[c, i, j]
                else:
                    y[c, i, j] = patch.sum() / patch.size
                    if g is not None:
                        gxp[c][idx] += g[c, i, j] / patch.size
    _named(out, "output", list(y))
    if g is not None:
        _named(out, "grad.input", list(gxp[:, t:t + x.shape[1], l:l + x.shape[2]]))
    return out
