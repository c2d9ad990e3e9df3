"""The architecture kind's independent route: a zero tensor through numpy sliding windows; arrays counted.

It reads the layers through ``fields`` (the spec as read) and shares nothing with the
derivation: no formula, no shape helper, no layout table.
"""

from __future__ import annotations

import math

from . import check_more, check_seq
from .fields import MERGES, WORK_LIMIT, parse_layers, values_of
from .seqfields import SEQ_TYPES


def _np():
    import numpy as np

    return np


def _windows(x, kernel, stride, dilation, pads):
    """Sliding windows of ``x`` (H, W, c) after zero padding: (Ho, Wo, c, k_h, k_w) view."""
    np = _np()
    from numpy.lib.stride_tricks import sliding_window_view

    (t, b, l, r) = pads
    xp = np.pad(x, ((t, b), (l, r), (0, 0)))
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    view = sliding_window_view(xp, eff, axis=(0, 1))
    return view[::stride[0], ::stride[1], :, ::dilation[0], ::dilation[1]]


def _alloc(shape):
    """A zero float32 array of ``shape``: allocated (lazily, by calloc) up to 2^28 values; past
    that a zero-strided view of the same shape, which counts the same without the memory."""
    np = _np()
    if math.prod(shape) <= 2**28:
        return np.zeros(shape, np.float32)
    return np.broadcast_to(np.float32(0), shape)


def _same_pads(n, k, s, d):
    out = -(-n // s)
    total = max(0, (out - 1) * s + d * (k - 1) + 1 - n)
    return total // 2, total - total // 2


class _Pass:
    """The activation flowing through the network: a zero map (H, W, 1) or None when flat."""

    def __init__(self, convention):
        self.convention = convention
        self.x = None          # spatial zero activation with one channel (H, W, 1); None when flat
        self.channels = None   # the real channel count, or the vector length when flat
        self.extra = {}        # the layer's sheet quantities: 'same' pads, rows a floor drops, sizes before it
        self.seq = None        # a sequence's zeros (T, d), when the activation is one (x is then None)
        self.others = []       # the further inputs' sequences (attention, a decoder's memory)

    def shape(self) -> list:
        if self.seq is not None:
            return list(self.seq.shape)
        if self.x is None:
            return [1, 1, self.channels] if self.convention == "matlab" else [self.channels]
        h, w = self.x.shape[:2]
        return [self.channels, h, w] if self.convention == "pytorch" else [h, w, self.channels]


def _input(state, spec):
    np = _np()
    size = spec.size
    if len(size) == 1:
        state.x, state.channels = None, np.zeros(size[0]).size
        return
    if len(size) == 2:                 # a sequence [T, d]
        state.x, state.seq = None, np.zeros(size)
        state.channels = state.seq.shape[1]
        return
    if state.convention == "pytorch":
        c, h, w = size
    else:
        h, w, c = size
    state.x, state.channels = np.zeros((h, w, 1)), c


def _window_pass(state, spec):
    """Convolution or pooling by sliding windows; returns (weights, bias, macs)."""
    np = _np()
    x, t = state.x, spec.type
    h, w = x.shape[:2]
    kernel, stride, dil = spec.kernel, spec.stride, spec.dilation
    if spec.padding == "same":
        pads = _same_pads(h, kernel[0], stride[0], dil[0]) + _same_pads(w, kernel[1], stride[1], dil[1])
    else:
        pads = spec.padding
    if spec.ceil:
        # room for a last partial window, then drop windows starting past n + p_before
        padded = (pads[0], pads[1] + stride[0] - 1, pads[2], pads[3] + stride[1] - 1)
        win = _windows(x, kernel, stride, dil, padded)
        keep_h = [i for i in range(win.shape[0]) if i * stride[0] < h + pads[0]]
        keep_w = [j for j in range(win.shape[1]) if j * stride[1] < w + pads[2]]
        win = win[keep_h][:, keep_w]
    else:
        win = _windows(x, kernel, stride, dil, pads)
        _floor_losses(state, win.shape[:2], (h + pads[0] + pads[1], w + pads[2] + pads[3]), kernel, stride, dil)
    if spec.padding == "same":
        state.extra["padding"] = list(pads)
    if dil != (1, 1):
        state.extra["effective_kernel"] = check_more.effective_kernel(spec)
    if t in ("depthwise", "separable", "subsampling", "locallyconnected"):
        return win
    if t != "conv":
        if win.size > WORK_LIMIT:
            state.x = np.zeros(win.shape[:3])
        else:
            state.x = win.max(axis=(-2, -1)) if t == "maxpool" else win.mean(axis=(-2, -1))
        return None, None, 0
    weights = (check_more.partial_weights(spec) if spec.table is not None else
               _alloc((kernel[0], kernel[1], state.channels // spec.groups, spec.filters)))
    bias = np.zeros(spec.filters, np.float32) if spec.bias else None
    if win.size <= WORK_LIMIT:
        y = np.einsum("hwcij,ijcf->hwf", win, np.zeros((kernel[0], kernel[1], 1, 1)))
    else:
        y = np.zeros(win.shape[:2] + (1,))
    state.channels = len(spec.table) if spec.table is not None else weights.shape[-1]
    state.x = y
    return weights, bias, y.shape[0] * y.shape[1] * weights.size


def _floor_losses(state, counts, spans, kernel, stride, dil):
    """Rows and columns past the last window's end (measured on the window view), and the
    output size the division gives before the floor: windows counted plus the dropped share."""
    lost = [span - ((m - 1) * s + d * (k - 1) + 1) for m, span, k, s, d in zip(counts, spans, kernel, stride, dil)]
    if any(lost):
        state.extra["dropped"] = lost
        state.extra["unfloored"] = [m + lo / s for m, lo, s in zip(counts, lost, stride)]


def _layer_pass(state, spec):
    """One layer through the pass: (weights, bias, macs, running statistics or None)."""
    np = _np()
    t, x, channels = spec.type, state.x, state.channels
    if t in SEQ_TYPES or (state.seq is not None and t in ("fc", "flatten")):
        return check_seq.seq_pass(state, spec, state.others)
    if t == "input":
        _input(state, spec)
    elif t in ("conv", "maxpool", "avgpool"):
        return _window_pass(state, spec) + (None,)
    elif t in ("depthwise", "separable"):
        weights, bias, macs, pointwise = check_more.depthwise_pass(state, spec, _window_pass)
        w, b, p = check_more.depthwise_shapes(state.convention, spec, weights, bias, pointwise)
        state.extra.update({"_weights": w, "_bias": b, "_more": pointwise.size if p is not None else 0}
                           | ({"pointwise": p} if p is not None else {}))
        return weights, bias, macs, None
    elif t == "zeropad":
        check_more.zeropad_pass(state, spec)
    elif t in ("globalmax", "adaptivepool"):
        check_more.global_pass(state, spec)
    elif t == "upsample":
        check_more.upsample_pass(state, spec)
    elif t == "subsampling":
        weights, bias = check_more.subsampling_pass(state, spec, _window_pass)
        layout = [1, 1, weights.size] if state.convention == "matlab" else list(weights.shape)
        state.extra.update({"_weights": layout, "_bias": layout})
        return weights, bias, 0, None
    elif t == "locallyconnected":
        return check_more.locally_connected_pass(state, spec, _window_pass) + (None,)
    elif t == "rbf":
        return None, None, 0, check_more.rbf_pass(state, spec)
    elif t == "tconv":
        state.x, weights, bias, macs, state.channels = _tconv_pass(spec, x, channels, state.convention)
        return weights, bias, macs, None
    elif t == "gap":
        pooled = x.mean(axis=(0, 1), keepdims=True)       # (1, 1, 1)
        state.x = None if state.convention == "keras" else pooled
    elif t == "fc":
        n_in = _alloc(x.shape[:2] + (channels,)).size if x is not None else channels
        weights = _alloc((spec.nodes, n_in))
        bias = np.zeros(spec.nodes, np.float32) if spec.bias else None
        y = (weights @ np.zeros(n_in, np.float32) if weights.size <= 4_000_000
             else np.zeros(weights.shape[0], np.float32))
        state.x, state.channels = None, y.shape[0]
        return weights, bias, weights.size, None
    elif t == "flatten":
        if x is not None:
            state.x, state.channels = None, _alloc(x.shape[:2] + (channels,)).size
    elif t == "batchnorm":
        run = np.zeros(channels).size + np.ones(channels).size      # running mean, variance
        return np.ones(channels), np.zeros(channels), 0, run        # scale, offset
    # elementwise layers (activations, dropout, soft-max, output) leave x as it is
    return None, None, 0, None


def _independent_pass(question):
    np = _np()
    convention, specs = parse_layers(question)
    bpv = values_of(question)["bytes_per_value"]
    state = _Pass(convention)
    out = {}
    total_learn = total_macs = total_mem = total_run = 0
    any_bn = False
    saved, flat = {}, set()
    for spec in specs:
        t, n = spec.type, spec.name
        state.extra = {}
        if t in MERGES and any(saved[i][2] is not None for i in spec.inputs):
            seqs = [saved[i][2] for i in spec.inputs]
            state.seq = (np.concatenate(seqs, axis=1) if t == "concat" else
                         sum(seqs[1:], seqs[0]) if t == "add" else np.prod(np.stack(seqs), axis=0))
            state.x, state.channels = None, state.seq.shape[1]
            weights = bias = run = None
            macs = 0
        elif t in MERGES:
            check_more.merge_pass(state, spec, [saved[i][:2] for i in spec.inputs])
            weights = bias = run = None
            macs = 0
        else:
            if spec.inputs:
                state.x, state.channels, state.seq = saved[spec.inputs[0]]
            state.others = [saved[i][2] for i in spec.inputs[1:]]
            weights, bias, macs, run = _layer_pass(state, spec)
        saved[n] = (state.x, state.channels, state.seq)
        if state.x is None and state.seq is None:
            flat.add(n)
        shape = state.shape()
        extra = state.extra
        out.update({f"{n}.{key}": value for key, value in extra.items() if not key.startswith("_")})
        out[f"{n}.output"] = shape
        wcount = (weights.size if weights is not None else 0) + extra.get("_more", 0)
        bcount = bias.size if bias is not None else 0
        out[f"{n}.learnables"] = wcount + bcount
        if t not in SEQ_TYPES:      # a sequence layer has several tensors: their count is the answer
            out[f"{n}.weights"] = extra.get("_weights") or (
                _convention_weight_shape(t, weights, convention, spec) if weights is not None else [])
            out[f"{n}.bias"] = extra["_bias"] if "_bias" in extra else (
                _convention_bias_shape(t, bias, convention, spec) if bias is not None else [])
        out[f"{n}.macs"] = macs
        if values_of(question)["connections"] and t in ("conv", "subsampling", "fc", "rbf"):
            out[f"{n}.connections"] = extra.get("_connections", (wcount + bcount) * (
                math.prod(state.x.shape[:2]) if t == "conv" else 1) or run)
        if run is not None:
            any_bn = True
            out[f"{n}.non_learnable"] = run
            total_run += run
        total_learn += wcount + bcount
        total_macs += macs
        total_mem += int(np.prod(shape)) * bpv
    if values_of(question)["receptive_field"]:
        out.update({f"{name}.receptive_field": field
                    for name, field in check_more.receptive_fields(specs, flat).items()})
    out["total.learnables"] = total_learn
    out["total.macs"] = total_macs
    out["total.memory_bytes"] = total_mem
    if any_bn:
        out["total.non_learnable"] = total_run
    return out


def _tconv_pass(spec, x, channels, convention):
    """Transposed convolution by scattering: each input value adds a k_h x k_w patch at (i s, j s)."""
    np = _np()
    h, w = x.shape[:2]
    kernel, stride, dil = spec.kernel, spec.stride, spec.dilation
    g = spec.groups
    weights = _alloc((kernel[0], kernel[1], spec.filters // g, channels))
    bias = np.zeros(spec.filters, np.float32) if spec.bias else None
    full_h = (h - 1) * stride[0] + dil[0] * (kernel[0] - 1) + 1
    full_w = (w - 1) * stride[1] + dil[1] * (kernel[1] - 1) + 1
    if kernel[0] * kernel[1] <= 4096:
        canvas = np.zeros((full_h, full_w))
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                canvas[i * dil[0]: i * dil[0] + (h - 1) * stride[0] + 1: stride[0],
                       j * dil[1]: j * dil[1] + (w - 1) * stride[1] + 1: stride[1]] += x[:, :, 0]
    else:
        # a large kernel: the equivalent stride-1 convolution over the zero-inserted input,
        # padded by the dilated kernel span less one; its window view has the full size
        from numpy.lib.stride_tricks import sliding_window_view

        up = np.zeros(((h - 1) * stride[0] + 1, (w - 1) * stride[1] + 1))
        up[::stride[0], ::stride[1]] = x[:, :, 0]
        eh, ew = dil[0] * (kernel[0] - 1) + 1, dil[1] * (kernel[1] - 1) + 1
        padded = np.pad(up, ((eh - 1, eh - 1), (ew - 1, ew - 1)))
        view = sliding_window_view(padded, (eh, ew))
        canvas = np.zeros(view.shape[:2])
    if spec.padding == "same" or convention == "keras":
        # Keras/MATLAB 'same': the output is n s, cropped evenly (odd crop at the end);
        # Keras 'valid': the full scatter, grown to n s when the kernel is shorter than the stride
        target_h, target_w = h * stride[0], w * stride[1]
        grown = np.zeros((max(full_h, target_h), max(full_w, target_w)))
        grown[:full_h, :full_w] = canvas
        if spec.padding == "same":
            c0, c1 = (grown.shape[0] - target_h) // 2, (grown.shape[1] - target_w) // 2
            canvas = grown[c0:c0 + target_h, c1:c1 + target_w]
        else:
            canvas = grown
    else:
        t0, b0, l0, r0 = spec.padding
        op = spec.output_padding
        grown = np.zeros((full_h + op[0], full_w + op[1]))
        grown[:full_h, :full_w] = canvas
        canvas = grown[t0: grown.shape[0] - b0, l0: grown.shape[1] - r0]
    return canvas[:, :, None], weights, bias, h * w * weights.size, spec.filters


def _convention_weight_shape(t, arr, convention, spec):
    """The allocated array's shape, permuted/split into the convention's layout."""
    np = _np()
    if t == "conv" and spec.table is not None:   # arr: (k_h, k_w, links)
        return list(arr.shape)
    if t == "conv":                      # arr: (k_h, k_w, C_in/G, F)
        if convention == "pytorch":
            return list(np.transpose(arr, (3, 2, 0, 1)).shape)
        if convention == "matlab" and spec.groups > 1:
            kh, kw, cg, f = arr.shape
            return list(arr.reshape(kh, kw, cg, spec.groups, f // spec.groups).transpose(0, 1, 2, 4, 3).shape)
        return list(arr.shape)
    if t == "tconv":                     # arr: (k_h, k_w, F/G, C_in)
        if convention == "pytorch":
            return list(np.transpose(arr, (3, 2, 0, 1)).shape)
        return list(arr.shape)
    if t == "fc":                        # arr: (out, in)
        return list(arr.T.shape) if convention == "keras" else list(arr.shape)
    if t == "batchnorm":
        return [1, 1, arr.size] if convention == "matlab" else list(arr.shape)
    return list(arr.shape)


def _convention_bias_shape(t, arr, convention, spec):
    if convention != "matlab":
        return list(arr.shape)
    if t == "fc":
        return list(arr.reshape(-1, 1).shape)
    if t == "conv" and spec.groups > 1:
        return list(arr.reshape(spec.groups, -1).T.reshape(1, 1, -1, spec.groups).shape)
    return list(arr.reshape(1, 1, -1).shape)


def independent(question) -> dict:
    """Every answer recomputed by a zero-tensor sliding-window pass and by counting arrays."""
    return _independent_pass(question)
