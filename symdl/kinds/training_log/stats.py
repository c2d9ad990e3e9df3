"""Exact statistics: the least-squares line with its t statistic, and the t critical value."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy


@dataclass
class Fit:
    """Least squares y = a + b x with its sums, residual sum of squares and t statistic."""

    n: int
    sx: Fraction
    sy: Fraction
    sxx: Fraction
    sxy: Fraction
    b: Fraction
    a: Fraction
    sse: Fraction
    t: object                # exact SymPy number (sqrt of a rational involved), or +-oo

    @property
    def sxx_centered(self):
        return self.sxx - self.sx * self.sx / self.n


def fit(xs, ys) -> Fit:
    n = len(xs)
    sx, sy = sum(xs, Fraction(0)), sum(ys, Fraction(0))
    sxx = sum((x * x for x in xs), Fraction(0))
    sxy = sum((x * y for x, y in zip(xs, ys)), Fraction(0))
    den = n * sxx - sx * sx
    b = (n * sxy - sx * sy) / den
    a = (sy - b * sx) / n
    sse = sum(((y - a - b * x) ** 2 for x, y in zip(xs, ys)), Fraction(0))
    if sse == 0:
        t = sympy.oo * sympy.sign(_q(b)) if b else sympy.Integer(0)
    else:
        se2 = sse / (n - 2) / (den / n)
        t = _q(b) / sympy.sqrt(_q(se2))
    return Fit(n, sx, sy, sxx, sxy, b, a, sse, t)


def t_critical(alpha, df):
    """One-sided Student-t critical value t_{1-alpha, df}: the root of CDF(t) = 1 - alpha,
    found by Newton's method on mpmath's incomplete beta (the density is the derivative),
    started from the normal quantile and kept in a bisection bracket."""
    with mpmath.workdps(30):
        target = 1 - mpmath.mpf(alpha.numerator) / alpha.denominator
        nu = mpmath.mpf(df)

        def cdf(t):
            return 1 - mpmath.betainc(nu / 2, mpmath.mpf(1) / 2, 0, nu / (nu + t * t), regularized=True) / 2

        def pdf(t):
            return (mpmath.gamma((nu + 1) / 2) / (mpmath.sqrt(nu * mpmath.pi) * mpmath.gamma(nu / 2))
                    * (1 + t * t / nu) ** (-(nu + 1) / 2))

        lo, hi = mpmath.mpf(0), mpmath.mpf(1000)
        t = mpmath.sqrt(2) * mpmath.erfinv(2 * target - 1)
        for _ in range(200):
            f = cdf(t) - target
            if abs(f) < mpmath.mpf(10) ** -25:
                break
            if f < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            step = t - f / pdf(t)
            t = step if lo < step < hi else (lo + hi) / 2
        return sympy.Float(str(t), 25)


def _q(value):
    """A Fraction (or int) as an exact SymPy Rational."""
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def _finite(v):
    return isinstance(v, Fraction)


# ---------------------------------------------------------------------------------------
