"""The conv kind's independent route: direct float64 numpy loops over windows, and a scatter loop back
(numpy only: it never imports the derivation)."""

from __future__ import annotations

import numpy as np

from symdl.check import hp


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


def _named(out, base, mats, mags, terms):
    """Each matrix as a hp.Bounded value: its rounding bound from the magnitude of what it summed."""
    bounded = [hp.Bounded(m, hp.sum_bound(a, terms)) for m, a in zip(mats, mags)]
    if len(bounded) == 1:
        out[base] = bounded[0]
    else:
        for n, m in enumerate(bounded, start=1):
            out[f"{base}.{n}"] = m


def independent(p) -> dict:
    """Every answer of the conv kind in float64, from the read problem ``p`` alone.

    Each value comes with its rounding bound (hp.Bounded): every sum is repeated on the absolute
    values of its terms, and a sum of n terms is off by at most about n eps times that magnitude
    (hp.sum_bound), so an exact 0 (0.1 + 0.2 - 0.3) agrees with the float route's 2.8e-17.
    """
    x, k, g = _arrays(p)
    t, b, l, r = p.pad
    fill = -np.inf if p.operation == "maxpool" else 0.0
    xp = np.pad(x, ((0, 0), (t, b), (l, r)), constant_values=fill)
    C, Hp, Wp = xp.shape
    (kh, kw), (sh, sw), (dh, dw) = p.window, p.stride, p.dilation
    H = (Hp - (dh * (kh - 1) + 1)) // sh + 1
    W = (Wp - (dw * (kw - 1) + 1)) // sw + 1
    out = {"output_size": np.array([H, W])}
    if p.operation == "conv":
        y, ya, grads = _conv(p, xp, k, g, H, W)
        out_terms, back_terms = C * kh * kw + 1, k.shape[0] * min(H * W, kh * kw)
    else:
        y, ya, grads = _pool(p, xp, g, H, W)
        out_terms, back_terms = kh * kw + 1, min(H * W, kh * kw) + 1
    if grads is not None:
        gxp, gxpa, extra = grads
        for name, (value, magnitude) in extra.items():
            out[name] = hp.Bounded(value, hp.sum_bound(magnitude, H * W))
    _named(out, "output", list(y), list(ya), out_terms)
    if g is not None:
        inner = (slice(None), slice(t, t + x.shape[1]), slice(l, l + x.shape[2]))
        _named(out, "grad.input", list(gxp[inner]), list(gxpa[inner]), back_terms)
    return out


def _conv(p, xp, k, g, H, W):
    """(outputs, their magnitudes, None or (input gradient, its magnitudes, the kernel and bias gradients))."""
    bias = np.array([float(v) for v in p.bias])
    y, ya = np.zeros((k.shape[0], H, W)), np.zeros((k.shape[0], H, W))
    gk, gka = np.zeros_like(k), np.zeros_like(k)
    gxp, gxpa = (np.zeros_like(xp), np.zeros_like(xp)) if g is not None else (None, None)
    for i, j, idx in _slices(p, H, W):
        patch = xp[:, idx[0], idx[1]]                                      # C x kh x kw
        for f in range(k.shape[0]):
            y[f, i, j] = np.sum(k[f] * patch) + bias[f]
            ya[f, i, j] = np.sum(np.abs(k[f] * patch)) + abs(bias[f])
            if g is not None:
                gk[f] += g[f, i, j] * patch
                gka[f] += np.abs(g[f, i, j] * patch)
                gxp[:, idx[0], idx[1]] += g[f, i, j] * k[f]
                gxpa[:, idx[0], idx[1]] += np.abs(g[f, i, j] * k[f])
    if g is None:
        return y, ya, None
    extra = {}
    for f in range(gk.shape[0]):
        for c in range(xp.shape[0]):
            name = "grad.kernel" if gk.shape[:2] == (1, 1) else f"grad.kernel.{f + 1}.{c + 1}"
            extra[name] = (gk[f, c], gka[f, c])
    if p.has_bias:
        extra["grad.bias"] = ((g.sum(axis=(1, 2)), np.abs(g).sum(axis=(1, 2))) if g.shape[0] > 1
                              else (float(g.sum()), float(np.abs(g).sum())))
    return y, ya, (gxp, gxpa, extra)


def _pool(p, xp, g, H, W):
    """(outputs, their magnitudes, None or (input gradient, its magnitudes, {})) of a max or average pool."""
    C = xp.shape[0]
    y, ya = np.zeros((C, H, W)), np.zeros((C, H, W))
    gxp, gxpa = (np.zeros_like(xp), np.zeros_like(xp)) if g is not None else (None, None)
    for i, j, idx in _slices(p, H, W):
        for c in range(C):
            patch = xp[c][idx]
            if p.operation == "maxpool":
                y[c, i, j] = ya[c, i, j] = patch.max()
                ya[c, i, j] = abs(ya[c, i, j])
                if g is not None:
                    u, v = np.unravel_index(np.argmax(patch), patch.shape)   # first max, row-major
                    gxp[c, idx[0][u, 0], idx[1][0, v]] += g[c, i, j]
                    gxpa[c, idx[0][u, 0], idx[1][0, v]] += abs(g[c, i, j])
            else:
                y[c, i, j] = patch.sum() / patch.size
                ya[c, i, j] = np.abs(patch).sum() / patch.size
                if g is not None:
                    gxp[c][idx] += g[c, i, j] / patch.size
                    gxpa[c][idx] += abs(g[c, i, j]) / patch.size
    return y, ya, None if g is None else (gxp, gxpa, {})
