"""The independent route's own attention ops (valid lengths, a given mask, concatenation), in mpmath
and in float64, written from their definitions here and sharing nothing with the op table's rows.

A mask is built as a 0/1 table block by block (sequence b's rows b n .. b n + n - 1 may see its keys
b m .. b m + l - 1) and applied as an additive -inf; a length or a mask entry is read to the nearest
integer, so a difference that moves it by a tiny step changes nothing (its gradient is 0).
"""

from __future__ import annotations

import mpmath
import numpy as np


def keep_table(rows, cols, lengths):
    """A rows x cols 0/1 table: 1 where a query may see a key under valid ``lengths`` (a 2-D array)."""
    counts = [[int(round(float(v))) for v in row] for row in np.asarray(lengths, dtype=object)]
    sequences = len(counts)
    n, m = rows // sequences, cols // sequences
    table = np.zeros((rows, cols), dtype=int)
    for b, row in enumerate(counts):
        for k in range(n):
            length = row[k] if len(row) > 1 else row[0]
            table[b * n + k, b * m:b * m + min(length, m)] = 1
    return table


def _masked(a, table, minus_inf):
    out = np.empty(a.shape, dtype=object)
    for index in np.ndindex(a.shape):
        out[index] = a[index] if table[index] else minus_inf
    return out


def _mp_keep(mask):
    return np.array([[1 if v > mpmath.mpf(1) / 2 else 0 for v in row] for row in mask], dtype=int)


def apply(name, values):
    """Op ``name`` on mpf arrays, or None when it is not one of these."""
    if name == "valid":
        a = values[0]
        return _masked(a, keep_table(a.shape[0], a.shape[1], values[1]), -mpmath.inf)
    if name == "mask":
        return _masked(values[0], _mp_keep(values[1]), -mpmath.inf)
    if name == "concat":
        return np.hstack([values[0], values[1]]).astype(object)
    return None


def _np_valid(a, lengths):
    return np.where(keep_table(a.shape[0], a.shape[1], lengths) == 1, a, -np.inf)


def _np_mask(a, mask):
    return np.where(mask > 0.5, a, -np.inf)


NUMPY = {"valid": _np_valid, "mask": _np_mask, "concat": lambda a, b: np.hstack([a, b])}


def _kept(args, errors, value):
    return np.where(np.isfinite(value), errors[0], 0.0)


ERRORS = {"valid": _kept, "mask": _kept,
          "concat": lambda args, errors, value: np.hstack([np.broadcast_to(errors[0], args[0].shape),
                                                           np.broadcast_to(errors[1], args[1].shape)])}


def _concat_vjp(g, args, y):
    cols = args[0].shape[1]
    return [g[:, :cols].copy(), g[:, cols:].copy()]


VJP = {"valid": lambda g, args, y: [np.where(np.isfinite(y), g, 0.0), np.zeros_like(args[1])],
       "mask": lambda g, args, y: [np.where(np.isfinite(y), g, 0.0), np.zeros_like(args[1])],
       "concat": _concat_vjp}
