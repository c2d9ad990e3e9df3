"""A neuron's second route at high precision: exact sums in fractions, mpmath complex steps, no float64."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from symdl.check import hp
from symdl.check.mp_route import DPS, STEP_DIGITS, exact, mp, number  # noqa: F401

from .fields import read
from .update_check import update_answers
from .volume_check import exact_cdf









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
            out = _linear_pieces(_piecewise(name, slope), W, x, b, up, z, n.subgradients)
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


def _linear_pieces(A, W, x, b, up, z, subgradients="pytorch"):
    kink = z == 0

    def quotient(f, coef):
        """df/dt at t = 0 where the pre-activation moves by coef * t: exact on one linear piece."""
        if coef == 0:
            return Fraction(0)
        if kink and subgradients == "symmetric":    # the central quotient: the mean of the two slopes
            return (f(1) - f(-1)) / 2
        if kink:    # one-sided, in the direction that lowers z (PyTorch's convention at the kink)
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

    Computed by volume_check.exact_cdf, the piecewise-polynomial convolution in fractions
    (at 50 digits where zsat, irrational, enters), so a fraction of 1e-12 keeps its digits.
    """
    W = [exact(v) for v in n.W]
    if sum(1 for w in W if w != 0) > MAX_EXACT_VOLUME_TERMS:
        return None
    box = (W, [exact(v) for v in n.lows], [exact(v) for v in n.highs], exact(n.b))
    if zsat is None:
        return number(1 - exact_cdf(*box, Fraction(0)))
    with mpmath.workdps(DPS):
        box = ([mp(w) for w in box[0]], [mp(v) for v in box[1]], [mp(v) for v in box[2]], mp(box[3]))
        return number(exact_cdf(*box, mp(zsat)) - exact_cdf(*box, -mp(zsat)))


def independent(question) -> dict:
    """Every answer again: z, y, the gradients, the box's extremes, z_sat and (up to 8 inputs) the active
    fraction exact or at 50 digits (this module, volume_check); past 8 inputs the fraction in floats."""
    n = read(question)
    name = n.activation.name
    W = np.array([float(v) for v in n.W])
    b = float(n.b)
    out = local_answers(n)      # z, y, dy/dz, gradients, dead, saturated: exact / mpmath, no float64
    if n.update is not None:    # one optimizer step from these gradients, entry by entry
        slope = exact(n.slope) if n.slope is not None else Fraction(0)
        forward = ((lambda t: SMOOTH[name](mp(t))) if name in SMOOTH else _piecewise(name, slope))
        out.update(update_answers(n, out, forward, question.fields["update"]))
    lows = np.array([float(v) for v in n.lows])
    highs = np.array([float(v) for v in n.highs])
    out.update(domain_answers(n))   # extremes over the box and the witness, exact
    zmax, zmin = out["domain.z_max"], out["domain.z_min"]
    if name == "identity":
        out["active_fraction"] = 1.0
        out["dead_on_domain"] = False
        return out
    if name in ("relu", "leaky_relu"):
        # P(z > 0): the distribution of z = b + sum W_i x_i, x uniform on the box (exact up to 8 inputs)
        exact_fraction = active_fraction(n)
        if exact_fraction is None:
            below, error = _below(W, lows, highs, b, 0.0)
            exact_fraction = hp.Bounded(1.0 - below, error)
        out["active_fraction"] = exact_fraction
        out["dead_on_domain"] = bool(zmax <= 0) if name == "relu" else False
        return out
    zsat_hp = saturation_point(name, n.threshold)      # bisection at 50 digits
    zsat = float(zsat_hp)
    out["saturation_z"] = sp.Float(zsat_hp, 50)
    exact_fraction = active_fraction(n, zsat_hp)
    if exact_fraction is None:
        (high, e_high), (low, e_low) = _below(W, lows, highs, b, zsat), _below(W, lows, highs, b, -zsat)
        exact_fraction = hp.Bounded(high - low, e_high + e_low)
    out["active_fraction"] = exact_fraction
    out["saturated_on_domain"] = bool(float(zmin) >= zsat or float(zmax) <= -zsat)
    return out


def fourier_below(c, r):
    """P(sum_i c_i U_i < r), U uniform on [0,1], c_i > 0 (see _fourier)."""
    return _fourier(c, r)[0]


def _fourier(c, r):
    """(P(sum_i c_i U_i < r), a bound on its error), U uniform on [0,1], c_i > 0, by inverting the
    characteristic function.

    Centred at mu = sum c / 2 the sum has the real characteristic function
    psi(t) = prod_i sinc(c_i t / 2), and P(S < r) = 1/2 + (1/pi) int_0^inf sin(t (r - mu)) psi(t) / t dt
    (Gil-Pelaez). The integrand decays like t^-(k+1): used for many inputs (k >= 9), where it
    converges fast; composite Gauss-Legendre on [0, T] with T past where |psi| < 1e-15.
    The error bound: the tail past T (|psi| < 1e-15 there and falling like t^-k, so its integral
    is below 1e-15 / k) plus the rounding of the sum (hp.sum_bound over the magnitudes of its
    terms: pairwise within a chunk, one by one across chunks), four times over, over pi.
    """
    c = np.asarray(c, dtype=float)
    mu = c.sum() / 2
    d = r - mu
    if abs(d) >= mu:
        return (1.0 if d > 0 else 0.0), 0.0
    T = 1.0
    while np.sum(np.log(np.minimum(1.0, 2.0 / (c * T)))) > math.log(1e-15):
        T *= 1.5
    width = 0.25 * math.pi / max(abs(d), c.max() / 2)
    n = min(int(math.ceil(T / width)), 200_000)
    nodes, weights = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, T, n + 1)
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    total = magnitude = 0.0
    for start in range(0, n, 4096):
        t = (mid[start:start + 4096, None] + half[start:start + 4096, None] * nodes[None, :]).ravel()
        psi = np.ones_like(t)
        for ci in c:
            psi *= np.sinc(ci * t / (2 * math.pi))
        f = np.sin(t * d) / t * psi
        terms = (f.reshape(-1, 16) * weights[None, :]) * half[start:start + 4096, None]
        total += float(np.sum(terms))
        magnitude += float(np.sum(np.abs(terms)))
    # np.sum adds pairwise (log2(16 x 4096) = 16 levels), the chunks one by one; psi rounds once per factor
    error = 4 * (1e-15 / len(c) + float(hp.sum_bound(magnitude, 16 + n // 4096 + 1 + len(c)))) / math.pi
    return min(1.0, max(0.0, 0.5 + total / math.pi)), error


def float_below(W, lows, highs, b, t):
    """P(W.x + b < t) for x uniform on the box, in floats: piecewise polynomials (few inputs) or Fourier."""
    return _below(W, lows, highs, b, t)[0]


def _below(W, lows, highs, b, t):
    """(float_below, a bound on its error): the Fourier route's own bound; the piecewise
    polynomials (at most 8 terms, used only where the exact route is not) a generous 1e-12."""
    c = [abs(Wi) * (hi - lo) for Wi, lo, hi in zip(W, lows, highs) if Wi != 0]
    if len(c) <= 8:
        return float_cdf(W, lows, highs, b, t), 1e-12
    z_max = b + float(np.sum(np.maximum(W * lows, W * highs)))
    p, error = _fourier(c, z_max - t)
    return 1.0 - p, error


def float_cdf(W, lows, highs, b, t):
    """P(W.x + b <= t) for x uniform on the box, by convolving piecewise polynomials in floats.

    Each term W_i x_i is uniform on an interval; the density of the sum is built term by
    term (the CDF of a sum with one more uniform term is a moving average of the previous
    CDF), every piece kept as an exact numpy polynomial on its interval.
    """
    from numpy.polynomial import Polynomial as P

    # start: the constant b, CDF = step at b
    breaks = [float(b)]
    pieces = [P([0.0]), P([1.0])]        # pieces[j] on [breaks[j-1], breaks[j])
    shifts = [tuple(sorted((Wi * lo, Wi * hi))) for Wi, lo, hi in zip(W, lows, highs) if Wi != 0]
    for index, (a0, a1) in enumerate(shifts):
        # later terms only ever ask for this CDF at s <= t - (their lower ends): drop breaks past that
        limit = t - sum(s0 for s0, _ in shifts[index + 1:])
        width = a1 - a0
        # G_new(s) = (1/width) * int_{s - a1}^{s - a0} G(u) du = (H(s - a0) - H(s - a1)) / width
        H = []
        acc = 0.0
        for j, p in enumerate(pieces):
            q = p.integ()
            left = breaks[j - 1] if j > 0 else None
            if left is None:
                H.append(P([0.0]))      # G = 0 below the first break, so H = 0 there
                continue
            value_left = acc
            H.append(q - q(left) + value_left)
            if j < len(breaks):
                acc = H[-1](breaks[j])
        new_breaks = sorted(set([bk + a0 for bk in breaks] + [bk + a1 for bk in breaks]))

        def piece_at(s, shift):
            u = s - shift
            j = int(np.searchsorted(breaks, u, side="right"))
            return H[j], j

        new_pieces = []
        points = [new_breaks[0] - 1.0] + [(new_breaks[i] + new_breaks[i + 1]) / 2
                                          for i in range(len(new_breaks) - 1)] + [new_breaks[-1] + 1.0]
        for s in points:
            h0, j0 = piece_at(s, a0)
            h1, j1 = piece_at(s, a1)
            if j0 == 0 and j1 == 0:
                new_pieces.append(P([0.0]))
                continue
            shifted0 = h0(P([-a0, 1.0])) if j0 else P([0.0])
            shifted1 = h1(P([-a1, 1.0])) if j1 else P([0.0])
            new_pieces.append((shifted0 - shifted1) / width)
        # beyond the last break the CDF is 1 (H is linear there: the difference is exact)
        keep = int(np.searchsorted(new_breaks, limit, side="right")) + 1
        breaks, pieces = new_breaks[:keep], new_pieces[:keep + 1]
    j = int(np.searchsorted(breaks, t, side="right"))
    return float(min(1.0, max(0.0, pieces[j](t))))
