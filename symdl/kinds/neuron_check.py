"""A neuron's second route at high precision: exact sums in fractions, mpmath complex steps, no float64."""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

DPS = 50                      # mpmath working digits of this route
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


def _sigmoid(t):
    """1 / (1 + e^-t) for real or complex t, written so that no exponent is positive."""
    if mpmath.re(t) >= 0:
        return 1 / (1 + mpmath.exp(-t))
    e = mpmath.exp(t)
    return e / (1 + e)


def _tanh(t):
    """tanh t from e^{-2|t|}: (1 - e)/(1 + e), mirrored for negative real part."""
    if mpmath.re(t) < 0:
        return -_tanh(-t)
    e = mpmath.exp(-2 * t)
    return (1 - e) / (1 + e)


SMOOTH = {"sigmoid": _sigmoid, "tanh": _tanh, "identity": lambda t: t}


def _piecewise(name, slope):
    """relu / leaky relu on exact numbers (Fractions stay Fractions)."""
    if name == "relu":
        return lambda t: t if t > 0 else 0 * t
    return lambda t: t if t > 0 else slope * t


def local_answers(n) -> dict:
    """z, y, dy/dz, every gradient, dead and saturated, recomputed without the symbolic solution.

    z is an exact sum of fractions. For sigmoid, tanh and the identity, dy/dz and the
    gradients are complex-step derivatives Im f(v + ih)/h of the forward pass in mpmath at
    50 digits (no cancellation, so e^-400 comes out to full relative precision). For the
    piecewise-linear ReLUs they are exact difference quotients of fractions with a step that
    stays on one linear piece (from the left at the kink z = 0, the stated convention).
    """
    name = n.activation.name
    W = [exact(v) for v in n.W]
    x = [exact(v) for v in n.x]
    b, up = exact(n.b), exact(n.upstream)
    slope = exact(n.slope) if n.slope is not None else Fraction(0)
    z = sum((w * v for w, v in zip(W, x)), Fraction(0)) + b
    with mpmath.workdps(DPS):
        if name in SMOOTH:
            out = _smooth(SMOOTH[name], W, x, b, up, z)
        else:
            out = _linear_pieces(_piecewise(name, slope), W, x, b, up, z)
        out["dead"] = bool(out["dy_dz"] == 0)
        if n.threshold is not None:
            out["saturated"] = bool(abs(mp(out["dy_dz"])) < mp(exact(n.threshold)))
    return {k: v if isinstance(v, bool) else [number(e) for e in v] if isinstance(v, list) else number(v)
            for k, v in out.items()}


def _smooth(A, W, x, b, up, z):
    h = mpmath.mpf(10) ** -STEP_DIGITS
    ih = mpmath.mpc(0, h)
    Wm, xm, bm, upm = [mp(w) for w in W], [mp(v) for v in x], mp(b), mp(up)

    def loss(Wv, xv, bv):
        return upm * A(mpmath.fsum(w * v for w, v in zip(Wv, xv)) + bv)

    def step(f):
        return mpmath.im(f) / h

    def bump(vec, i):
        return [v + ih if j == i else v for j, v in enumerate(vec)]

    zm = mp(z)
    return {
        "z": z,
        "y": mpmath.re(A(zm)),
        "dy_dz": step(A(zm + ih)),
        "grad.z": step(upm * A(zm + ih)),
        "grad.W": [step(loss(bump(Wm, i), xm, bm)) for i in range(len(W))],
        "grad.x": [step(loss(Wm, bump(xm, i), bm)) for i in range(len(x))],
        "grad.b": step(loss(Wm, xm, bm + ih)),
    }


def _linear_pieces(A, W, x, b, up, z):
    kink = z == 0

    def quotient(f, coef):
        """df/dt at t = 0 where the pre-activation moves by coef * t: exact on one linear piece."""
        if coef == 0:
            return Fraction(0)
        if kink:    # one-sided, in the direction that lowers z (the convention at the kink)
            s = 1 if coef > 0 else -1
            return (f(0) - f(-s)) / s
        t = abs(z) / (2 * abs(coef))
        return (f(t) - f(-t)) / (2 * t)

    def loss(Wv, xv, bv):
        return up * A(sum((w * v for w, v in zip(Wv, xv)), Fraction(0)) + bv)

    def along(vec, i, t):
        return [v + t if j == i else v for j, v in enumerate(vec)]

    dydz = quotient(lambda t: A(z + t), 1)
    return {
        "z": z,
        "y": A(z),
        "dy_dz": dydz,
        "grad.z": quotient(lambda t: up * A(z + t), 1),
        "grad.W": [quotient(lambda t, i=i: loss(along(W, i, t), x, b), x[i]) for i in range(len(W))],
        "grad.x": [quotient(lambda t, i=i: loss(W, along(x, i, t), b), W[i]) for i in range(len(x))],
        "grad.b": quotient(lambda t: loss(W, x, b + t), 1),
    }


def domain_answers(n) -> dict:
    """The extremes of z over the input box and the witness point, exact.

    The extreme vertices are searched by enumerating every vertex in floats (few inputs) or
    coordinatewise (many); the z of the chosen vertices, the crossing point of the segment
    between them and its z are then computed in fractions, so a z of exactly 0 stays 0.
    """
    W = [exact(v) for v in n.W]
    lows, highs = [exact(v) for v in n.lows], [exact(v) for v in n.highs]
    b = exact(n.b)

    def z_at(point):
        return sum((w * v for w, v in zip(W, point)), Fraction(0)) + b

    if len(W) <= 16:
        Wf = np.array([float(w) for w in W])
        lo_f, hi_f = np.array([float(v) for v in lows]), np.array([float(v) for v in highs])
        bits = np.array(list(itertools.product([False, True], repeat=len(W))))
        zs = np.where(bits, hi_f, lo_f) @ Wf
        pick = [bits[int(np.argmax(zs))], bits[int(np.argmin(zs))]]
        v_max, v_min = ([hi if bit else lo for bit, lo, hi in zip(p, lows, highs)] for p in pick)
    else:
        v_max = [hi if w > 0 else lo for w, lo, hi in zip(W, lows, highs)]
        v_min = [lo if w > 0 else hi for w, lo, hi in zip(W, lows, highs)]
    zmax, zmin = z_at(v_max), z_at(v_min)
    x_hi = [hi if w > 0 else lo for w, lo, hi in zip(W, lows, highs)]
    x_lo = [lo if w > 0 else hi for w, lo, hi in zip(W, lows, highs)]
    if zmin <= 0 <= zmax:
        t = Fraction(0) if zmax == zmin else -zmin / (zmax - zmin)
        wit = [lo + t * (hi - lo) for lo, hi in zip(x_lo, x_hi)]
    else:
        wit = x_hi if zmax < 0 else x_lo
    return {"domain.z_max": number(zmax), "domain.z_min": number(zmin),
            "witness": [number(v) for v in wit], "witness.z": number(z_at(wit))}


MAX_EXACT_VOLUME_TERMS = 8   # beyond this many nonzero weights the float Fourier route is used


def saturation_point(name, tau):
    """z_sat > 0 where |A'(z_sat)| = tau: bisection at 50 digits on A' computed from A itself."""
    with mpmath.workdps(DPS):
        tau = mp(exact(tau))
        A = SMOOTH[name]

        def slope(t):
            y = A(t)
            return y * (1 - y) if name == "sigmoid" else 1 - y * y

        lo, hi = mpmath.mpf(0), mpmath.mpf(50)
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if slope(mid) > tau else (lo, mid)
        return (lo + hi) / 2


def active_fraction(n, zsat=None):
    """P(z > 0) (zsat None) or P(-zsat < z < zsat) for x uniform on the box; None past 8 inputs.

    Computed by neuron_volume.exact_cdf, the piecewise-polynomial convolution in fractions
    (at 50 digits where zsat, irrational, enters), so a fraction of 1e-12 keeps its digits.
    """
    from symdl.kinds.neuron_volume import exact_cdf

    W = [exact(v) for v in n.W]
    if sum(1 for w in W if w != 0) > MAX_EXACT_VOLUME_TERMS:
        return None
    box = (W, [exact(v) for v in n.lows], [exact(v) for v in n.highs], exact(n.b))
    if zsat is None:
        return number(1 - exact_cdf(*box, Fraction(0)))
    with mpmath.workdps(DPS):
        box = ([mp(w) for w in box[0]], [mp(v) for v in box[1]], [mp(v) for v in box[2]], mp(box[3]))
        return number(exact_cdf(*box, mp(zsat)) - exact_cdf(*box, -mp(zsat)))
