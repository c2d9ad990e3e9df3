"""The conv kind's exact arithmetic: windows, forward sums, max/average pooling and their gradients."""

from __future__ import annotations

import sympy as sp

PAD = None      # a padded position: zero for convolution and average pooling, never a max


def padded(p, x):
    """Each channel of ``x`` inside its padding (PAD entries), as lists of rows."""
    t, b, l, r = p.pad
    out = []
    for X in x:
        H, W = X.shape
        rows = [[PAD] * (W + l + r) for _ in range(t)]
        rows += [[PAD] * l + [X[i, j] for j in range(W)] + [PAD] * r for i in range(H)]
        rows += [[PAD] * (W + l + r) for _ in range(b)]
        out.append(rows)
    return out


def value(entry):
    return sp.Integer(0) if entry is PAD else entry


def window(p, i, j):
    """The positions (u, v, row, col) of output (i, j)'s window in the padded input (0-based)."""
    (kh, kw), (sh, sw), (dh, dw) = p.window, p.stride, p.dilation
    return [(u, v, i * sh + u * dh, j * sw + v * dw) for u in range(kh) for v in range(kw)]


def outputs(p):
    H, W = p.out_size
    return [(i, j) for i in range(H) for j in range(W)]


def conv_forward(p, xp):
    """Per filter, per output entry: (the (kernel, input) pairs of the window sum, the value)."""
    result = []
    for f, kern in enumerate(p.kernels):
        entries = {}
        for i, j in outputs(p):
            pairs = [(kern[c][u, v], value(xp[c][r][q])) for c in range(p.C) for u, v, r, q in window(p, i, j)]
            entries[i, j] = (pairs, sum((a * b for a, b in pairs), sp.Integer(0)) + p.bias[f])
        result.append(entries)
    return result


def maxpool_forward(p, xp):
    """Per channel, per output entry: (the window's values, the max, its first position row-major)."""
    result = []
    for c in range(p.C):
        entries = {}
        for i, j in outputs(p):
            vals, best, where = [], None, None
            for _, _, r, q in window(p, i, j):
                if xp[c][r][q] is PAD:
                    continue
                vals.append(xp[c][r][q])
                if best is None or xp[c][r][q] > best:      # strictly greater: the first max stays
                    best, where = xp[c][r][q], (r, q)
            entries[i, j] = (vals, best, where)
        result.append(entries)
    return result


def avgpool_forward(p, xp):
    """Per channel, per output entry: (the window's values, zeros of the padding included, the mean)."""
    area = p.window[0] * p.window[1]
    result = []
    for c in range(p.C):
        entries = {}
        for i, j in outputs(p):
            vals = [value(xp[c][r][q]) for _, _, r, q in window(p, i, j)]
            entries[i, j] = (vals, sum(vals, sp.Integer(0)) / area)
        result.append(entries)
    return result


def to_matrix(p, entries, pick):
    H, W = p.out_size
    return sp.Matrix(H, W, lambda i, j: pick(entries[i, j]))


def crop(p, rows):
    """The unpadded part of a padded-grid list of rows, as a matrix."""
    t, _, l, _ = p.pad
    H, W = p.in_size
    return sp.Matrix(H, W, lambda i, j: rows[i + t][j + l])


def covering(p, r, q):
    """Every (i, j, u, v) whose window puts kernel entry (u, v) on padded position (r, q)."""
    (kh, kw), (sh, sw), (dh, dw) = p.window, p.stride, p.dilation
    H, W = p.out_size
    out = []
    for u in range(kh):
        for v in range(kw):
            a, b = r - u * dh, q - v * dw
            if a >= 0 and b >= 0 and a % sh == 0 and b % sw == 0 and a // sh < H and b // sw < W:
                out.append((a // sh, b // sw, u, v))
    return sorted(out)


def conv_grad_kernel(p, xp):
    """dL/dK[f][c][u, v] = sum over outputs of G[f][i, j] times the input under (u, v): (pairs, value)."""
    out = []
    for f in range(p.F):
        per_channel = []
        for c in range(p.C):
            entries = {}
            for u in range(p.window[0]):
                for v in range(p.window[1]):
                    pairs = []
                    for i, j in outputs(p):
                        pos = window(p, i, j)[u * p.window[1] + v]
                        pairs.append((p.upstream[f][i, j], value(xp[c][pos[2]][pos[3]])))
                    entries[u, v] = (pairs, sum((a * b for a, b in pairs), sp.Integer(0)))
            per_channel.append(entries)
        out.append(per_channel)
    return out


def conv_grad_input(p):
    """dL/dX[c] on the input's own positions: (pairs (G, K) of every window covering it, value)."""
    t, _, l, _ = p.pad
    H, W = p.in_size
    out = []
    for c in range(p.C):
        entries = {}
        for a in range(H):
            for b in range(W):
                pairs = [(p.upstream[f][i, j], p.kernels[f][c][u, v]) for f in range(p.F)
                         for i, j, u, v in covering(p, a + t, b + l)]
                entries[a, b] = (pairs, sum((g * k for g, k in pairs), sp.Integer(0)))
        out.append(entries)
    return out


def maxpool_grad_input(p, forward):
    """dL/dX[c]: each window's upstream value routed to its max; (the routed values, their sum)."""
    t, _, l, _ = p.pad
    H, W = p.in_size
    out = []
    for c in range(p.C):
        routed = {}
        for (i, j), (_, _, where) in sorted(forward[c].items()):
            routed.setdefault(where, []).append(p.upstream[c][i, j])
        out.append({(a, b): (routed.get((a + t, b + l), []), sum(routed.get((a + t, b + l), []), sp.Integer(0)))
                    for a in range(H) for b in range(W)})
    return out


def avgpool_grad_input(p):
    """dL/dX[c]: each window spreads G / (k_h k_w) over its cells; (the shares, their sum)."""
    t, _, l, _ = p.pad
    H, W = p.in_size
    area = p.window[0] * p.window[1]
    out = []
    for c in range(p.C):
        entries = {}
        for a in range(H):
            for b in range(W):
                shares = [p.upstream[c][i, j] for i, j, _, _ in covering(p, a + t, b + l)]
                entries[a, b] = (shares, sum(shares, sp.Integer(0)) / area)
        out.append(entries)
    return out
