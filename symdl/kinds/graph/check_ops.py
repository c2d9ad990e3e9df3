"""The independent route's own evaluation of the vector ops (reductions and losses), in mpmath and
in float64: written from the definitions here, sharing nothing with the op table's rules.

A max or min over the entries is a chain of the route's own pairwise max/min, so each comparison
is a kink the differences handle like any other (a tie on the line of the exam's tie convention,
check_prims.extreme); the
hinge's margins are kinks of relu's kind.
"""

from __future__ import annotations

import mpmath
import numpy as np

from . import check_attention
from .check_prims import extreme, filled, map_entries, relu


def _flat(a):
    return list(a.ravel())


def _like(a, entries):
    out = np.empty(a.shape, dtype=object)
    out.ravel()[:] = entries
    return out.reshape(a.shape)


def _scalar(value):
    return filled(np.empty((1, 1)), value)


def _extreme_all(probe, key, a, larger):
    """A chain of pairwise max (min); under "split" the j-th tied entry weighs (j - 1) / j against the
    entries tied before it, so each of k tied entries gets 1/k (a new strict winner starts again)."""
    entries = [np.array([[v]], dtype=object) for v in _flat(a)]
    best, group = entries[0], 1
    for k, entry in enumerate(entries[1:]):
        step = key if k == 0 else probe.next_key()
        if probe.tie_rule(step, (0, 0)) is not None:
            group += 1
        elif (entry[0, 0] > best[0, 0]) if larger else (entry[0, 0] < best[0, 0]):
            group = 1
        best = extreme(probe, step, best, entry, larger, split=mpmath.mpf(group - 1) / group)
    return best


def _softmax(a):
    if 1 not in a.shape:                      # a matrix: each row on its own
        return np.vstack([_softmax(a[i:i + 1, :]) for i in range(a.shape[0])])
    exps = [mpmath.exp(v) for v in _flat(a)]
    total = mpmath.fsum(exps)
    return _like(a, [e / total for e in exps])


def _along_columns(one, a):
    """``one`` (a vector op over all its entries) on each column of ``a``: torch's dim=0."""
    return np.hstack([one(a[:, j:j + 1]) for j in range(a.shape[1])])


def _causal(a):
    out = a.astype(object).copy()
    for i in range(a.shape[0]):
        for j in range(i + 1, a.shape[1]):
            out[i, j] = -mpmath.inf
    return out


def _log_softmax(a):
    entries = _flat(a)
    lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in entries))
    return _like(a, [v - lse for v in entries])


def _cross_entropy(s, t):
    return _scalar(-mpmath.fsum(w * v for w, v in zip(_flat(t), _flat(_log_softmax(s)))))


def _bce(probe, key, p, y):
    probe.singular(key, p)
    probe.singular(probe.next_key(), (1 - p).astype(object))
    ps, ys = _flat(p), _flat(y)
    return _scalar(-mpmath.fsum(b * mpmath.log(q) + (1 - b) * mpmath.log(1 - q) for q, b in zip(ps, ys)) / len(ps))


def _mse(a, b):
    xs, ys = _flat(a), _flat(b)
    return _scalar(mpmath.fsum((u - v) ** 2 for u, v in zip(xs, ys)) / len(xs))


def _hinge(probe, key, s, t):
    scores, label = _flat(s), _flat(t)
    y = max(range(len(label)), key=lambda k: label[k])
    margins = np.array([[scores[j] - scores[y] + 1 for j in range(len(scores)) if j != y]], dtype=object)
    return _scalar(mpmath.fsum(_flat(relu(probe, key, margins))))


# ------------------------------------------------ elementary: trig, steps, clamp, diag ---

def _tan(probe, key, a):
    probe.singular(key, map_entries(mpmath.cos, a))
    return map_entries(mpmath.tan, a)


def _half_even(v):
    k = mpmath.floor(v)
    r = v - k
    if r != mpmath.mpf(1) / 2:
        return k + 1 if r > mpmath.mpf(1) / 2 else k
    return k if int(k) % 2 == 0 else k + 1


_STEP = {"floor": mpmath.floor, "ceiling": mpmath.ceil, "ceil": mpmath.ceil, "round": _half_even}


def _at_jump(name, v):
    """The step function's value at the jump ``v`` lies on (v is within a tiny step of it)."""
    if name != "round":
        return mpmath.nint(v)
    k = mpmath.floor(v)             # the jump is k + 1/2
    return k if int(k) % 2 == 0 else k + 1


def _wave(u):
    """(u - k)(k + 1 - u)(-1)^k for k = floor(u): continuous, 0 exactly at each integer, changing
    sign there (cheap at any precision, unlike sin(pi u))."""
    k = mpmath.floor(u)
    value = (u - k) * (k + 1 - u)
    return value if int(k) % 2 == 0 else -value


def _step(probe, key, a, name):
    """floor, ceil or round; its kink argument (_wave) is 0 exactly at a jump, where the value
    stays the jump's own (the derivative 0)."""
    shift = mpmath.mpf(1) / 2 if name == "round" else mpmath.mpf(0)
    probe.kink(key, map_entries(lambda v: _wave(v + shift), a), what="step")
    out = map_entries(_STEP[name], a)
    for index, _ in probe.lines(key, "step"):
        out[index] = _at_jump(name, a[index])
    return out


def _clamp(probe, key, x, lo, hi):
    """min(max(x, lo), hi); at x = lo or hi the convention's weight of x (SIDES, ONE_SIDED)."""
    x, lo, hi = (v.astype(object) for v in np.broadcast_arrays(x, lo, hi))
    below = probe.kink(key, (x - lo).astype(object), what="clamp_low")
    mid = np.where(map_entries(lambda v: v > 0, below).astype(bool), x, lo).astype(object)
    for index, weight in probe.lines(key, "clamp_low"):
        mid[index] = lo[index] + weight * below[index]
    key = probe.next_key()
    above = probe.kink(key, (mid - hi).astype(object), what="clamp_high")
    out = np.where(map_entries(lambda v: v < 0, above).astype(bool), mid, hi).astype(object)
    for index, weight in probe.lines(key, "clamp_high"):
        out[index] = hi[index] + weight * above[index]
    return out


def _diag(a):
    if 1 in a.shape:
        entries = _flat(a)
        out = filled(np.empty((len(entries), len(entries))), mpmath.mpf(0))
        for k, v in enumerate(entries):
            out[k, k] = v
        return out
    n = min(a.shape)
    return _like(np.empty((n, 1)), [a[k, k] for k in range(n)])


def _elementary(name, values, probe, key):
    a = values[0]
    if name in _STEP:
        return _step(probe, key, a, "ceil" if name == "ceiling" else name)
    table = {"sin": lambda: map_entries(mpmath.sin, a), "cos": lambda: map_entries(mpmath.cos, a),
             "tan": lambda: _tan(probe, key, a), "diag": lambda: _diag(a),
             "clamp": lambda: _clamp(probe, key, a, values[1], values[2])}
    return table[name]() if name in table else None


def apply(name, values, probe, key):
    """Op ``name`` on mpf arrays, or None when it is not one of these."""
    a = values[0]
    elementary = _elementary(name, values, probe, key)
    if elementary is not None:
        return elementary
    table = {"max_all": lambda: _extreme_all(probe, key, a, True),
             "min_all": lambda: _extreme_all(probe, key, a, False),
             "softmax": lambda: _softmax(a), "causal": lambda: _causal(a), "log_softmax": lambda: _log_softmax(a),
             "softmax_col": lambda: _along_columns(_softmax, a),
             "log_softmax_col": lambda: _along_columns(_log_softmax, a),
             "cross_entropy": lambda: _cross_entropy(a, values[1]),
             "bce": lambda: _bce(probe, key, a, values[1]), "mse": lambda: _mse(a, values[1]),
             "hinge": lambda: _hinge(probe, key, a, values[1])}
    return table[name]() if name in table else check_attention.apply(name, values)


# ------------------------------------------------------------------------ float64 ---

def _np_softmax(s):
    if 1 not in s.shape:                      # a matrix: each row on its own
        return np.vstack([_np_softmax(s[i:i + 1, :]) for i in range(s.shape[0])])
    e = np.exp(s - np.max(s))
    return e / np.sum(e)


def _np_columns(s, log=False):
    """softmax (log-softmax) of each column on its own, numpy's own functions (torch's dim=0)."""
    shifted = s - np.max(s, axis=0, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return shifted - lse if log else np.exp(shifted - lse)


def _np_hinge(s, t):
    y = int(np.argmax(t.ravel()))
    m = s.ravel() - s.ravel()[y] + 1.0
    m[y] = 0.0
    return np.array([[np.sum(np.maximum(m, 0.0))]])


NUMPY = {
    "max_all": lambda a: np.array([[np.max(a)]]), "min_all": lambda a: np.array([[np.min(a)]]),
    "softmax": _np_softmax, "log_softmax": lambda s: s - np.max(s) - np.log(np.sum(np.exp(s - np.max(s)))),
    "cross_entropy": lambda s, t: np.array([[-np.sum(t * (s - np.max(s) - np.log(np.sum(np.exp(s - np.max(s))))))]]),
    "bce": lambda p, y: np.array([[-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))]]),
    "mse": lambda a, b: np.array([[np.mean((a - b) ** 2)]]),
    "hinge": _np_hinge,
    "softmax_col": _np_columns, "log_softmax_col": lambda s: _np_columns(s, log=True),
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "floor": np.floor, "ceil": np.ceil, "round": np.round,
    "clamp": lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    "diag": lambda a: np.diag(a.ravel()) if 1 in a.shape else np.diag(a).reshape(-1, 1).copy(),
    "causal": lambda a: np.where(np.triu(np.ones(a.shape, dtype=bool), 1), -np.inf, a),
}


def numpy_error(op, args, errors, value):
    """A rounding bound for these ops' float values: the arguments' errors (each op is at most
    2-Lipschitz in its arguments, the losses scaled by their size) plus a few roundings per entry."""
    eps = float(np.finfo(float).eps)
    if op in ELEMENTARY_ERRORS:
        return ELEMENTARY_ERRORS[op](args, errors, value) + eps * np.abs(value)
    carried = sum(float(np.max(e)) if np.size(e) else 0.0 for e in errors)
    size = sum(a.size for a in args)
    scale = 1.0 + max(float(np.max(np.abs(a), where=np.isfinite(a), initial=0.0)) for a in args)
    return np.full(np.shape(value), 2 * carried * scale + 8 * size * eps * (np.abs(value) + scale))


def _step_error(shift):
    """A step function's value is exact unless its argument's error reaches a jump (then it may be
    off by one): ``shift`` is 0 for floor and ceil (jumps at integers), 1/2 for round."""
    def error(args, errors, value):
        a, ea = args[0], errors[0]
        distance = np.abs((a + shift) - np.round(a + shift))
        return np.where(distance <= ea + 4 * np.finfo(float).eps * np.abs(a), 1.0, 0.0)
    return error


ELEMENTARY_ERRORS = {
    "sin": lambda args, errors, value: errors[0], "cos": lambda args, errors, value: errors[0],
    "tan": lambda args, errors, value: (1 + (np.abs(value) + errors[0]) ** 2) * errors[0] * 2,
    "floor": _step_error(0.0), "ceil": _step_error(0.0), "round": _step_error(0.5),
    "clamp": lambda args, errors, value: np.maximum(np.maximum(np.broadcast_to(errors[0], value.shape),
                                                              np.broadcast_to(errors[1], value.shape)),
                                                   np.broadcast_to(errors[2], value.shape)),
    "diag": lambda args, errors, value: NUMPY["diag"](errors[0]),
    "causal": lambda args, errors, value: np.where(np.isfinite(value), errors[0], 0.0),
}


def _unbroadcast(grad, shape):
    return np.array([[grad.sum()]]) if shape == (1, 1) and grad.shape != (1, 1) else grad


def _clamp_vjp(g, args, y):
    x, lo, hi = args
    inside = (x >= lo) & (x <= hi)                     # torch.clamp: the bounds included
    return [g * inside, _unbroadcast(np.broadcast_to(g * (x < lo), g.shape), lo.shape),
            _unbroadcast(np.broadcast_to(g * (x > hi), g.shape), hi.shape)]


def _diag_vjp(g, args, y):
    a = args[0]
    if 1 in a.shape:
        return [np.diag(g).reshape(a.shape).copy()]
    out = np.zeros(a.shape)
    for k in range(g.shape[0]):
        out[k, k] = g[k, 0]
    return [out]


# the float reverse pass's rules for these ops (numpy's own functions; g the upstream, y the value)
NUMPY_VJP = {
    "sin": lambda g, args, y: [g * np.cos(args[0])], "cos": lambda g, args, y: [-g * np.sin(args[0])],
    "tan": lambda g, args, y: [g * (1.0 + y**2)],
    "floor": lambda g, args, y: [np.zeros_like(args[0])], "ceil": lambda g, args, y: [np.zeros_like(args[0])],
    "round": lambda g, args, y: [np.zeros_like(args[0])],
    "clamp": _clamp_vjp, "diag": _diag_vjp,
    "softmax_col": lambda g, args, y: [y * (g - np.sum(g * y, axis=0, keepdims=True))],
    "log_softmax_col": lambda g, args, y: [g - np.exp(y) * np.sum(g, axis=0, keepdims=True)],
    "causal": lambda g, args, y: [np.where(np.isfinite(y), g, 0.0)],
}
NUMPY.update(check_attention.NUMPY)                 # valid lengths, a given mask, concat
ELEMENTARY_ERRORS.update(check_attention.ERRORS)
NUMPY_VJP.update(check_attention.VJP)
