"""The independent route for the further layers (merges, zero padding, depthwise and separable convolution,
global and adaptive pooling, upsampling) and for the receptive field; numpy arrays, no formula of the derivation."""

from __future__ import annotations

import math


def _np():
    import numpy as np

    return np


def merge_pass(state, spec, sources):
    """``sources``: [(x, channels)] of the named inputs; numpy broadcasting refuses what does not fit."""
    np = _np()
    xs = [x for x, _ in sources]
    channels = [c for _, c in sources]
    if spec.type == "concat":
        if any(x is None for x in xs):
            state.x = None
        else:
            state.x = np.concatenate([x[:, :, :1] for x in xs], axis=2)[:, :, :1]
        state.channels = int(np.concatenate([np.zeros(c) for c in channels]).size)
        return
    if len(set(channels)) != 1 or len({None if x is None else x.shape for x in xs}) != 1:
        raise ValueError(f"layer '{spec.name}': inputs of different shapes")
    out = xs[0]
    for x in xs[1:]:
        out = (out + x) if spec.type == "add" else (out * x) if out is not None else None
    state.x, state.channels = out, channels[0]


def zeropad_pass(state, spec):
    t, b, l, r = spec.padding
    state.x = _np().pad(state.x, ((t, b), (l, r), (0, 0)))


def depthwise_pass(state, spec, windows):
    """(weights, bias, macs, pointwise) after sliding the depthwise windows; ``windows`` is check's own."""
    np = _np()
    c, m = state.channels, spec.multiplier
    win = windows(state, spec)
    weights = np.zeros((spec.kernel[0], spec.kernel[1], c, m), np.float32)
    positions = win.shape[0] * win.shape[1]
    macs = positions * weights.size
    state.x = np.zeros(win.shape[:2] + (1,))
    pointwise = None
    if spec.type == "separable":
        pointwise = np.zeros((1, 1, c * m, spec.filters), np.float32)
        macs += positions * pointwise.size
        state.channels = spec.filters
    else:
        state.channels = c * m
    bias = np.zeros(state.channels, np.float32) if spec.bias else None
    return weights, bias, macs, pointwise


def depthwise_shapes(convention, spec, weights, bias, pointwise):
    """The depthwise kernel (k_h, k_w, C, m), its bias and the pointwise kernel in the convention's layout."""
    np = _np()
    kh, kw, c, m = weights.shape
    if convention == "pytorch":
        w = list(np.transpose(weights, (2, 3, 0, 1)).reshape(c * m, 1, kh, kw).shape)
    elif convention == "matlab":
        w = list(np.transpose(weights.reshape(kh, kw, 1, c, m), (0, 1, 2, 4, 3)).shape)
    else:
        w = list(weights.shape)
    b = [] if bias is None else list(bias.shape)
    if bias is not None and convention == "matlab":
        b = [1, 1, m, c] if pointwise is None else [1, 1, bias.size]
    p = None
    if pointwise is not None:
        p = list(np.transpose(pointwise, (3, 2, 0, 1)).shape) if convention == "pytorch" else list(pointwise.shape)
    return w, b, p


def global_pass(state, spec):
    np = _np()
    x = state.x
    if spec.type == "globalmax":
        pooled = x.max(axis=(0, 1), keepdims=True)
        state.x = None if state.convention == "keras" else pooled
        return
    oh, ow = spec.output_size
    h, w = x.shape[:2]
    # PyTorch's adaptive cells: rows floor(i h / oh) to ceil((i + 1) h / oh)
    rows = [x[(i * h) // oh: -((-(i + 1) * h) // oh)] for i in range(oh)]
    state.x = np.array([[r[:, (j * w) // ow: -((-(j + 1) * w) // ow)].mean(axis=(0, 1)) for j in range(ow)]
                        for r in rows])


def upsample_pass(state, spec):
    np = _np()
    sh, sw = spec.scale
    state.x = np.repeat(np.repeat(state.x, sh, axis=0), sw, axis=1)


def effective_kernel(spec):
    """The rows a dilated kernel spans: its last tap's offset plus one."""
    np = _np()
    return [int((np.arange(k) * d).max()) + 1 for k, d in zip(spec.kernel, spec.dilation)]


_WINDOWED = ("conv", "maxpool", "avgpool", "depthwise", "separable", "locallyconnected", "subsampling")
_BLOCKS = ("gap", "globalmax", "adaptivepool", "tconv", "upsample", "fc", "flatten")


def receptive_fields(specs, flat_names) -> dict:
    """{layer: [r_h, r_w]} by walking back from one output value to the input: a window of k taps
    with dilation d and stride s widens an interval of n positions to (n - 1) s + d (k - 1) + 1."""
    by_name = {s.name: s for s in specs}
    previous = {specs[i].name: specs[i - 1].name for i in range(1, len(specs))}

    def back(name, sizes):
        spec = by_name[name]
        if spec.type == "input":
            return sizes
        if spec.type in _BLOCKS or name in flat_names:
            return None
        if spec.type in _WINDOWED:
            sizes = [(n - 1) * s + (k - 1) * d + 1 for n, s, k, d in zip(sizes, spec.stride, spec.kernel,
                                                                         spec.dilation)]
        found = [back(src, sizes) for src in (spec.inputs or (previous[name],))]
        found = [f for f in found if f is not None]
        return max(found, key=tuple) if found else None

    out = {}
    for spec in specs:
        field = back(spec.name, [1, 1])
        if field is not None and math.prod(field) >= 1:
            out[spec.name] = field
    return out


def partial_weights(spec):
    """A connection table's weights: one k_h x k_w kernel per (filter, input map) pair it marks."""
    np = _np()
    mask = np.zeros((spec.filters, max(max(row) for row in spec.table) + 1), bool)
    for f, row in enumerate(spec.table):
        mask[f, list(row)] = True
    return np.zeros((spec.kernel[0], spec.kernel[1], int(mask.sum())), np.float32)


def subsampling_pass(state, spec, windows):
    """LeNet-5's S layer: window sums, one coefficient and one bias per map; connections counted
    as each output's taps plus its bias."""
    np = _np()
    win = windows(state, spec)
    coefficient, bias = np.ones(state.channels), np.zeros(state.channels)
    taps = win.shape[-2] * win.shape[-1]
    state.extra["_connections"] = win.shape[0] * win.shape[1] * state.channels * (taps + 1)
    state.x = np.zeros(win.shape[:2] + (1,))
    return coefficient, bias


def rbf_pass(state, spec):
    """One fixed parameter vector per class, as long as the input."""
    np = _np()
    n_in = state.channels if state.x is None else state.x.shape[0] * state.x.shape[1] * state.channels
    fixed = np.zeros((spec.nodes, n_in))
    state.x, state.channels = None, fixed.shape[0]
    return fixed.size


def locally_connected_pass(state, spec, windows):
    """One kernel per window position, as Keras allocates it: (positions, k_h k_w C, F), bias (H, W, F)."""
    np = _np()
    win = windows(state, spec)
    ho, wo = win.shape[:2]
    weights = np.zeros((ho * wo, win.shape[-2] * win.shape[-1] * state.channels, spec.filters), np.float32)
    bias = np.zeros((ho, wo, spec.filters), np.float32) if spec.bias else None
    state.x, state.channels = np.zeros((ho, wo, 1)), spec.filters
    state.extra.update({"_weights": list(weights.shape), "_bias": [] if bias is None else list(bias.shape)})
    return weights, bias, weights.size
