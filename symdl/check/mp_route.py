"""Helpers of the independent routes that work in high precision (mpmath): exact spec numbers
as Fractions, mpf conversions, and results handed to the verifier. Below all kinds, so two kinds'
routes share them without importing each other; nothing here belongs to any derivation."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

DPS = 50                      # mpmath working digits of a route
STEP_DIGITS = 30              # complex step h = 10^-30: truncation error ~h^2, far below 1e-6


def exact(value):
    """A spec number as an exact Fraction, or (irrational) as an mpf at the working precision."""
    value = sp.sympify(value)
    if value.is_Rational:
        return Fraction(int(value.p), int(value.q))
    with mpmath.workdps(DPS + 20):
        return mpmath.mpf(str(sp.N(value, DPS + 20)))


def mp(value):
    """A Fraction, int or mpf as an mpf (Fractions converted exactly up to the working precision)."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


def number(value):
    """A result for the verifier: Fractions (exact) as they are, an mpf as a SymPy Float of its 50 digits.

    A Float, not the mpf's exact binary fraction: e^-400000 as a Fraction has a denominator of
    half a million digits, which every consumer would then have to divide out.
    """
    if isinstance(value, (Fraction, int)):
        return Fraction(value)
    value = mpmath.mpf(value)
    if not mpmath.isfinite(value):
        raise OverflowError("a non-finite value in the high-precision route")
    return sp.Float(value, DPS)
