"""The dropout kind's independent route: numpy arrays in float64, x * mask / (1 - p) and its backward
written as one would in a framework (it never imports the derivation)."""

from __future__ import annotations

import numpy as np


def _a(m):
    return np.array([[float(v) for v in row] for row in m.tolist()])


def independent(d) -> dict:
    x = _a(d.x)
    p = float(d.drop)
    out = {"keep": 1.0 - p}
    inverted = d.scaling == "inverted"
    if inverted:
        out["scale"] = 1.0 / (1.0 - p)
    g = _a(d.upstream) if d.upstream is not None else None
    if d.train:
        mask = _a(d.mask).astype(bool)
        factor = 1.0 / (1.0 - p) if inverted else 1.0
        out["train.output"] = np.where(mask, x * factor, 0.0)
        if g is not None:
            out["train.grad"] = np.where(mask, g * factor, 0.0)
    if d.eval:
        factor = 1.0 if inverted else 1.0 - p
        out["eval.output"] = x * factor
        if g is not None:
            out["eval.grad"] = g * factor
    return out
