"""Independent verification: compare every derived answer with the kind's second route."""

from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

from symdl import kinds
from symdl.check import hp

RTOL = 1e-6
ATOL = 0          # a kind may declare an absolute floor (Kind.abs_tolerance) for float-noise routes


@dataclass
class Check:
    """One answer compared with its independent recomputation."""

    name: str
    derived: object
    independent: object
    ok: bool
    note: str = ""


def _plain(value):
    """numpy scalars and SymPy booleans as Python bool/int/float; anything else unchanged."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, sympy.logic.boolalg.BooleanAtom):
        return bool(value)
    return value


def to_float_array(value):
    """An exact value (number, matrix, list) as a float numpy array; None when not numeric.

    Raises ValueError or TypeError when ``value`` has no real numeric reading (a free
    symbol, a complex number, a ragged list).
    """
    value = _plain(value)
    if isinstance(value, bool) or isinstance(value, str) or value is None:
        return None
    if isinstance(value, sympy.MatrixBase):
        return np.array([[_real(v) for v in row] for row in value.tolist()], dtype=float).reshape(value.shape)
    if isinstance(value, sympy.Basic):
        return np.array(_real(value))
    if isinstance(value, (list, tuple)):
        parts = [to_float_array(v) for v in value]
        if any(p is None for p in parts):
            raise TypeError("a list mixing numbers and non-numbers")
        return np.array(parts, dtype=float)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"array of {value.dtype}")
        return value.astype(float)
    if isinstance(value, (numbers.Real, decimal.Decimal)):   # int, float, Fraction, Decimal
        return np.array(float(value), dtype=float)
    raise TypeError(f"not a numeric value: {type(value).__name__}")


def _real(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, sympy.Rational):       # exact fraction: correctly rounded, no evalf
        return float(value)
    number = sympy.N(sympy.sympify(value), 30)
    if number.free_symbols:
        raise TypeError(f"has free symbols: {', '.join(sorted(map(str, number.free_symbols)))}")
    if number is sympy.nan:
        return math.nan
    if number.is_extended_real is False or (number.is_number and sympy.im(number) != 0):
        raise TypeError("complex value")
    return float(number)


def agree(derived, independent, rtol=RTOL, atol=ATOL) -> bool:
    """True when two answers agree: bools and strings exactly, numbers to ``rtol``.

    Numbers agree when equal shapes (after dropping length-1 axes) hold entries with
    |derived - independent| <= max(``rtol`` times the larger, the floor), the floor being
    ``atol`` (0 unless a kind declares one) or, for an hp.Bounded value of a float route, its
    rounding bound; compared with mpmath at hp.DPS digits, so nothing under- or overflows a
    float. Equal infinities and NaN against NaN agree; a NaN or an infinity of the independent
    route against a finite derived value never does, and says so (verify's note). A value with
    no numeric reading never agrees.
    """
    return _compare(derived, independent, rtol, atol)[0]


def _compare(derived, independent, rtol, atol):
    """(agree, note) for two answers."""
    derived, independent = _plain(derived), _plain(independent)
    if isinstance(derived, bool) or isinstance(independent, bool):
        ok = isinstance(derived, bool) and isinstance(independent, bool) and derived == independent
        return ok, "" if ok or type(derived) is type(independent) else "a bool against a non-bool"
    if isinstance(derived, str) or isinstance(independent, str):
        return derived == independent, ""
    if derived is None or independent is None:
        return False, "no value"
    error = None
    if isinstance(independent, hp.Bounded):
        independent, error = independent.value, independent.error
    with mpmath.workdps(hp.DPS):
        try:
            (shape_a, a), (shape_b, b) = hp.to_mp(derived), hp.to_mp(independent)
            floors = [mpmath.mpf(atol)] * len(b)
            if error is not None:
                _, bound = hp.to_mp(error)
                if len(bound) == 1:
                    bound = bound * len(b)
                if len(bound) != len(b):
                    raise ValueError(f"{len(bound)} rounding bounds for {len(b)} entries")
                floors = [max(f, abs(e)) for f, e in zip(floors, bound)]
        except (TypeError, ValueError, OverflowError) as exc:
            return False, f"not comparable: {exc}"
        if hp.squeeze(shape_a) != hp.squeeze(shape_b):
            return False, f"shape {hp.squeeze(shape_a)} against {hp.squeeze(shape_b)}"
        unusable = _unusable(a, b, floors)
        if unusable:
            return False, unusable
        rtol = mpmath.mpf(rtol)
        ok = all(hp.close(x, y, rtol, floor) for x, y, floor in zip(a, b, floors))
    return ok, ""


def _unusable(derived, independent, floors):
    """A note when the independent route gave no usable number for an entry (NaN or an infinity
    against a finite derived value, or no finite rounding bound), else "": such an entry is not a
    disagreement but a check that could not be made, and is failed saying so."""
    def entries(test):
        return [k for k, (x, y, f) in enumerate(zip(derived, independent, floors)) if test(x, y, f)]

    def where(found):
        return f"entr{'y' if len(found) == 1 else 'ies'} {', '.join(str(k + 1) for k in found[:3])}" + \
            (f" and {len(found) - 3} more" if len(found) > 3 else "") + f" of {len(derived)}"

    nan = entries(lambda x, y, f: mpmath.isnan(y) and not mpmath.isnan(x))
    if nan:
        return f"the independent route gave no number (NaN) at {where(nan)}: not checked"
    inf = entries(lambda x, y, f: mpmath.isinf(y) and not mpmath.isinf(x))
    if inf:
        return f"the independent route overflowed (infinite) at {where(inf)}: not checked"
    loose = entries(lambda x, y, f: not mpmath.isfinite(f))
    if loose:
        return f"the independent route's rounding bound is not finite at {where(loose)}: not checked"
    return ""


def _floor(atol, name):
    """A kind's absolute floor for answer ``name``: one number, or a dict by answer name ('*': others)."""
    if isinstance(atol, dict):
        return atol.get(name, atol.get("*", 0))
    return atol


def verify(question, solution, kind=None) -> list:
    """Every answer of ``solution`` against the kind's independent route; one Check each.

    Text answers (recommendations, verdict sentences) have no numeric twin and are skipped;
    any other answer without an independent value fails, so nothing passes unchecked.
    """
    if kind is None:
        kind = kinds.get(question.kind)
    rtol = kind.tolerance
    atol = kind.abs_tolerance
    independent = kind.independent(question)
    if not isinstance(independent, dict):
        raise TypeError(f"{question.kind}.independent returned {type(independent).__name__}, not a dict")
    checks = []
    for name, value in solution.answers.items():
        if isinstance(value, str):
            continue
        if name not in independent:
            checks.append(Check(name, value, None, False, "no independent check"))
            continue
        other = independent[name]
        ok, note = _compare(value, other, rtol, _floor(atol, name))
        checks.append(Check(name, value, other, ok, note))
    return checks


def _short(x, digits) -> str:
    """An mpf in ``digits`` significant digits: as a float would print, past its range mpmath's form."""
    f = float(x) if mpmath.isfinite(x) and abs(x) < mpmath.mpf("1e300") else None
    if f is not None and (x == 0 or abs(f) > 1e-300):
        return f"{f:.{digits}g}"
    return mpmath.nstr(x, digits) if mpmath.isfinite(x) else str(float(x))


def describe(value) -> str:
    """A short plain-text rendering of a value for the check table."""
    value = _plain(value)
    if isinstance(value, hp.Bounded):
        value = _plain(value.value)
    if isinstance(value, bool) or isinstance(value, str) or value is None:
        return str(value)
    with mpmath.workdps(hp.DPS):
        try:
            shape, flat = hp.to_mp(value)
        except (TypeError, ValueError, OverflowError):
            return " ".join(str(value).split())
        if shape == ():
            return _short(flat[0], 10)
        text = ", ".join(_short(x, 6) for x in flat[:6])
    return f"[{text}{', ...' if len(flat) > 6 else ''}]"
