"""High-precision reading of any numeric answer (exact, float, mpmath, numpy, nested lists) as mpf."""

from __future__ import annotations

import decimal
import numbers

import mpmath
import numpy as np
import sympy

DPS = 50          # digits every comparison is made with
TINY = sympy.Float("1e-30")   # below this an evalf result may be the noise of an exact zero
EPS = 2.0 ** -52   # float64's machine epsilon (the spacing of doubles at 1)
MAXN = 6000       # digits evalf may work with to get past a cancellation (e^-10000 ~ 10^-4343)


def ratio(p: int, q: int):
    """p / q as an mpf at the working precision, fast for numbers of any length.

    Both are cut to a few more bits than the precision before dividing (mpmath's own
    conversion of a million-bit integer takes seconds); the error is far below one ulp.
    """
    keep = mpmath.mp.prec + 64
    shift_p = max(abs(p).bit_length() - keep, 0)
    shift_q = max(q.bit_length() - keep, 0)
    sign = -1 if p < 0 else 1
    top, bottom = abs(p) >> shift_p, q >> shift_q
    return sign * mpmath.ldexp(mpmath.mpf(top) / bottom, shift_p - shift_q)


def _scalar(value):
    """One number as an mpf (or mpf inf/nan) at the working precision; TypeError when not real."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str) or value is None:
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int):
        return ratio(value, 1)
    if isinstance(value, float):
        return mpmath.mpf(value)
    if isinstance(value, mpmath.mpf):
        return +value
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise TypeError("complex value")
        return +value.real
    if isinstance(value, numbers.Rational):                  # fractions.Fraction
        return ratio(value.numerator, value.denominator)
    if isinstance(value, decimal.Decimal):
        return mpmath.mpf(str(value)) if value.is_finite() else mpmath.mpf(str(value).lower())
    if isinstance(value, sympy.Basic):
        return _sympy(value)
    if isinstance(value, numbers.Real):
        return mpmath.mpf(float(value))
    raise TypeError(f"not a numeric value: {type(value).__name__}")


def _sympy(value):
    if isinstance(value, sympy.Rational):                    # exact: no decimal string, no float
        return ratio(int(value.p), int(value.q))
    if value is sympy.nan:
        return mpmath.nan
    if value in (sympy.oo, -sympy.oo):
        return mpmath.inf if value is sympy.oo else -mpmath.inf
    if value is sympy.zoo:
        raise TypeError("complex infinity")
    if not isinstance(value, sympy.Expr):
        raise TypeError(f"not a number: {type(value).__name__}")
    if value.free_symbols:
        raise TypeError(f"has free symbols: {', '.join(sorted(map(str, value.free_symbols)))}")
    number = value.evalf(DPS + 10, maxn=MAXN)    # past SymPy's default 100 digits: 1 - sigma(400)
    if number is not sympy.nan and number.is_number and abs(number) < TINY:
        # an unevaluated exact zero (-2 + 2) evalfs to noise: decide it exactly. Only here:
        # doit() on an unevaluated power of big rationals would factor their integers.
        value = value.doit()
        if isinstance(value, sympy.Rational):
            return ratio(int(value.p), int(value.q))
        number = value.evalf(DPS + 10, maxn=MAXN)
    if number is sympy.nan:
        return mpmath.nan
    re, im = number.as_real_imag()
    if im != 0 and abs(sympy.N(im, 10)) > 0:
        raise TypeError("complex value")
    if not isinstance(re, sympy.Float):
        re = sympy.Float(re, DPS + 10)
    return mpmath.mpf(re._mpf_)


def to_mp(value):
    """(shape, flat list of mpf) for a number, matrix, array or (nested) list; TypeError if none."""
    if isinstance(value, sympy.MatrixBase):
        return tuple(value.shape), [_scalar(v) for v in value]
    if isinstance(value, mpmath.matrix):
        return (value.rows, value.cols), [_scalar(value[i, j]) for i in range(value.rows)
                                          for j in range(value.cols)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufO":
            raise TypeError(f"array of {value.dtype}")
        if value.dtype.kind == "b":
            raise TypeError("array of bools")
        return value.shape, [_scalar(v) for v in value.ravel()]
    if isinstance(value, (list, tuple)):
        parts = [to_mp(v) for v in value]
        shapes = {shape for shape, _ in parts}
        if len(shapes) > 1:
            raise ValueError("a ragged list")
        inner = shapes.pop() if shapes else ()
        return (len(parts),) + inner, [x for _, flat in parts for x in flat]
    return (), [_scalar(value)]


class Bounded:
    """An independent value computed in floating point, with the bound of its rounding error
    (a number, or an array of the value's shape): the verifier accepts a derived value within
    that bound (or the relative tolerance), so an exact 0 is not failed by float noise while
    a wrong value beyond the route's own error still is."""

    def __init__(self, value, error):
        self.value, self.error = value, error

    def __repr__(self):
        return f"Bounded({self.value!r}, error={self.error!r})"

    def __array__(self, dtype=None, copy=None):
        """The value as an array (np.asarray, np.size): a reader that wants the number gets it."""
        return np.asarray(self.value, dtype=dtype)


def sum_bound(magnitude, terms):
    """The rounding bound of a float64 sum of ``terms`` terms whose absolute values add to
    ``magnitude`` (a number or an array): each term is a product of at most two decimals read
    as doubles (three roundings) and the sum rounds once per term (|error| <= n eps/2 sum|terms|,
    Higham's gamma_n), taken twice over for safety. Scaled to the terms, so an exact 0 summed
    from terms of size 1 may read 1e-17 while a 1e-141 where the terms are 1e-174 still fails."""
    return 2 * (terms + 3) * EPS * np.abs(np.asarray(magnitude, dtype=float))


def mp_bound(magnitude, digits, terms=1):
    """The rounding bound of a value summed from ``terms`` terms of total size ``magnitude`` in
    ``digits``-digit arithmetic (mpmath): the same reasoning as sum_bound at that precision."""
    return sympy.Float(2 * (terms + 3) * mpmath.mpf(10) ** (1 - digits) * abs(mpmath.mpf(magnitude)), 30)


def squeeze(shape):
    return tuple(n for n in shape if n != 1)


def close(a, b, rtol, atol=0) -> bool:
    """Two mpf agree: |a - b| <= max(rtol max(|a|, |b|), atol) (``atol``: the absolute floor or the
    route's rounding bound); equal infinities; NaN with NaN."""
    if mpmath.isnan(a) or mpmath.isnan(b):
        return bool(mpmath.isnan(a) and mpmath.isnan(b))
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= max(rtol * max(abs(a), abs(b)), atol)
