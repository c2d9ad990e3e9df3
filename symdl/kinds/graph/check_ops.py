"""The independent route's own evaluation of the vector ops (reductions and losses), in mpmath and
in float64: written from the definitions here, sharing nothing with the op table's rules.

A max or min over the entries is a chain of the route's own pairwise max/min, so each comparison
is a kink the differences handle like any other (a tie of two: the mean of both sides); the
hinge's margins are kinks of relu's kind.
"""

from __future__ import annotations

import mpmath
import numpy as np

from . import check_mp as base


def _flat(a):
    return list(a.ravel())


def _like(a, entries):
    out = np.empty(a.shape, dtype=object)
    out.ravel()[:] = entries
    return out.reshape(a.shape)


def _scalar(value):
    return base._full(np.empty((1, 1)), value)


def _extreme_all(probe, key, a, larger):
    entries = [np.array([[v]], dtype=object) for v in _flat(a)]
    best = entries[0]
    for k, entry in enumerate(entries[1:]):
        best = base._extreme(probe, key if k == 0 else probe.next_key(), best, entry, larger)
    return best


def _softmax(a):
    exps = [mpmath.exp(v) for v in _flat(a)]
    total = mpmath.fsum(exps)
    return _like(a, [e / total for e in exps])


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
    return _scalar(mpmath.fsum(_flat(base._relu(probe, key, margins))))


def apply(name, values, probe, key):
    """Op ``name`` on mpf arrays, or None when it is not one of these."""
    a = values[0]
    table = {"max_all": lambda: _extreme_all(probe, key, a, True),
             "min_all": lambda: _extreme_all(probe, key, a, False),
             "softmax": lambda: _softmax(a), "log_softmax": lambda: _log_softmax(a),
             "cross_entropy": lambda: _cross_entropy(a, values[1]),
             "bce": lambda: _bce(probe, key, a, values[1]), "mse": lambda: _mse(a, values[1]),
             "hinge": lambda: _hinge(probe, key, a, values[1])}
    return table[name]() if name in table else None


# ------------------------------------------------------------------------ float64 ---

def _np_softmax(s):
    e = np.exp(s - np.max(s))
    return e / np.sum(e)


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
}


def numpy_error(op, args, errors, value):
    """A rounding bound for these ops' float values: the arguments' errors (each op is at most
    2-Lipschitz in its arguments, the losses scaled by their size) plus a few roundings per entry."""
    eps = float(np.finfo(float).eps)
    carried = sum(float(np.max(e)) if np.size(e) else 0.0 for e in errors)
    size = sum(a.size for a in args)
    scale = 1.0 + max(float(np.max(np.abs(a))) for a in args)
    return np.full(np.shape(value), 2 * carried * scale + 8 * size * eps * (np.abs(value) + scale))
