"""The independent route's entrywise primitives in mpmath over numpy object arrays: a map, a filled
array, and the kinked ops (relu, abs, max/min of two) that tell a probe where their kinks are and take a
tied entry on its convention's line. Below check_mp (the route) and check_ops (its vector ops)."""

from __future__ import annotations

import mpmath
import numpy as np


def map_entries(f, a):
    return np.frompyfunc(f, 1, 1)(a).astype(object).reshape(a.shape)


def filled(a, value):
    out = np.empty(a.shape, dtype=object)
    out[...] = value
    return out


def relu(probe, key, a):
    t = probe.kink(key, a, what="relu")
    out = np.where(map_entries(lambda v: v > 0, t).astype(bool), t, filled(t, mpmath.mpf(0)))
    for index, slope in probe.lines(key, "relu"):
        out[index] = slope * t[index]
    return out


def absolute(probe, key, a):
    t = probe.kink(key, a, what="abs")
    out = map_entries(lambda v: v if v >= 0 else -v, t)
    for index, slope in probe.lines(key, "abs"):
        out[index] = slope * t[index]
    return out


def extreme(probe, key, a, b, larger, split=mpmath.mpf(1) / 2):
    """max (min) of a and b; a tied entry on its convention's line, ``split`` a's weight under "split"."""
    a, b = np.broadcast_arrays(a, b)
    d = probe.kink(key, (a - b).astype(object))
    pick_a = map_entries(lambda v: v > 0 if larger else v < 0, d).astype(bool)
    out = np.where(pick_a, a, b).astype(object)
    for (k, index) in probe.sides:
        rule = probe.tie_rule(key, index) if k == key else None
        if rule == "all":
            out[index] = a[index] + b[index] - probe.tie_value(key, index, b[index])
        elif rule is not None:
            out[index] = b[index] + (1 if rule == "first" else split) * d[index]
    return out
