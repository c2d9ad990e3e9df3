"""Independent verification: compare every derived answer with the kind's second route."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy

from symdl.kinds import solver

RTOL = 1e-6
ATOL = 1e-9


@dataclass
class Check:
    """One answer compared with its independent recomputation."""

    name: str
    derived: object
    independent: object
    ok: bool
    note: str = ""


def to_float_array(value):
    """An exact value (number, matrix, list) as a float numpy array; None when not numeric."""
    if isinstance(value, bool) or isinstance(value, str) or value is None:
        return None
    if isinstance(value, sympy.MatrixBase):
        return np.array([[float(sympy.N(v, 30)) for v in row] for row in value.tolist()], dtype=float)
    if isinstance(value, sympy.Basic):
        return np.array(float(sympy.N(value, 30)))
    if isinstance(value, (list, tuple)):
        return np.array([to_float_array(v) for v in value], dtype=float)
    return np.array(value, dtype=float)


def agree(derived, independent, rtol=RTOL, atol=ATOL) -> bool:
    """True when two answers agree: bools and strings exactly, numbers to ``rtol``."""
    if isinstance(derived, bool) or isinstance(independent, bool):
        return isinstance(derived, bool) and isinstance(independent, bool) and derived == independent
    if isinstance(derived, str) or isinstance(independent, str):
        return derived == independent
    a, b = to_float_array(derived), to_float_array(independent)
    a = np.squeeze(a)
    b = np.squeeze(b)
    if a.shape != b.shape:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    close = np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + atol
    return bool(np.all(close | both_nan))


def verify(question, solution) -> list:
    """Every answer of ``solution`` against the kind's independent route; one Check each.

    Text answers (recommendations, verdict sentences) have no numeric twin and are skipped;
    any other answer without an independent value fails, so nothing passes unchecked.
    """
    module = solver(question.kind)
    rtol = getattr(module, "TOLERANCE", RTOL)
    independent = module.independent(question)
    checks = []
    for name, value in solution.answers.items():
        if isinstance(value, str):
            continue
        if name not in independent:
            checks.append(Check(name, value, None, False, "no independent check"))
            continue
        other = independent[name]
        checks.append(Check(name, value, other, agree(value, other, rtol=rtol)))
    return checks


def describe(value) -> str:
    """A short plain-text rendering of a value for the check table."""
    if isinstance(value, bool) or isinstance(value, str) or value is None:
        return str(value)
    arr = to_float_array(value)
    if arr.ndim == 0:
        x = float(arr)
        return f"{x:.10g}" if math.isfinite(x) else str(x)
    flat = ", ".join(f"{x:.6g}" for x in arr.ravel()[:6])
    return f"[{flat}{', ...' if arr.size > 6 else ''}]"
