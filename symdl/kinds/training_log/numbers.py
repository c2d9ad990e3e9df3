"""Numbers as the training-log solution shows them: short exact decimals, plain-text numbers, the slope formula."""

from __future__ import annotations

import math
from fractions import Fraction

import sympy

from symdl.printer import terminating_decimal

from .stats import _q


def shown(value):
    """A number for a substituted formula: exact when it prints as a short decimal, else rounded."""
    q = _q(value) if isinstance(value, (Fraction, int)) else value
    if q.is_Rational and terminating_decimal(q) is not None and len(terminating_decimal(q)) <= 16:
        return q
    return sympy.Float(float(q), 6)


def fnum(value, digits=4):
    """Plain-text number for sentences and plot coordinates."""
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


def pct(value, digits=2):
    v = float(value) * 100
    return f"{v:.0f} %" if abs(v) >= 10 ** digits else f"{v:.{digits}g} %"


def clock(seconds):
    s = int(round(float(seconds)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def sym(name):
    return sympy.Symbol(name)


def slope_formula():
    """b = (n S_xy - S_x S_y) / (n S_xx - S_x^2), kept in textbook order."""
    n, Sx, Sy, Sxx, Sxy = sym("n"), sym(r"S_{x}"), sym(r"S_{y}"), sym(r"S_{xx}"), sym(r"S_{xy}")
    with sympy.evaluate(False):
        return (n * Sxy - Sx * Sy) / (n * Sxx - Sx ** 2)


def slope_values(f):
    return {sym("n"): sympy.Integer(f.n), sym(r"S_{x}"): shown(f.sx), sym(r"S_{y}"): shown(f.sy),
            sym(r"S_{xx}"): shown(f.sxx), sym(r"S_{xy}"): shown(f.sxy)}


# ---------------------------------------------------------------------------------------
