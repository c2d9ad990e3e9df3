"""A neuron's active fraction by the second route, exactly: piecewise polynomials convolved in fractions."""

from __future__ import annotations

from fractions import Fraction

# Plain ints 0 and 1 as constants: they mix exactly with Fractions and with mpmath numbers.
ZERO, ONE = 0, 1


def _value(p, x):
    """p(x) for a polynomial given by its coefficients, lowest first (Horner)."""
    out = ZERO
    for c in reversed(p):
        out = out * x + c
    return out


def _integral(p):
    """The antiderivative of p that is 0 at x = 0."""
    return [ZERO] + [Fraction(c, k + 1) if isinstance(c, int) else c / (k + 1) for k, c in enumerate(p)]


def _shifted(p, a):
    """The coefficients of p(x - a) (binomial expansion, exact)."""
    out = [ZERO] * len(p)
    for k, c in enumerate(p):
        term = [ONE]                      # (x - a)^k, built up one factor at a time
        for _ in range(k):
            term = [(term[i - 1] if i > 0 else ZERO) - a * (term[i] if i < len(term) else ZERO)
                    for i in range(len(term) + 1)]
        for i, t in enumerate(term):
            out[i] += c * t
    return out


def _minus(p, q):
    n = max(len(p), len(q))
    return [(p[i] if i < len(p) else ZERO) - (q[i] if i < len(q) else ZERO) for i in range(n)]


def exact_cdf(W, lows, highs, b, t):
    """P(W.x + b <= t) for x uniform on the box (Fractions in, a Fraction out; or all mpf).

    The CDF of b + sum W_i x_i is built one uniform term at a time: adding a term uniform on
    [a0, a1] replaces the CDF G by (H(s - a0) - H(s - a1)) / (a1 - a0), H the integral of G.
    Every piece is a polynomial with exact coefficients on its interval between breaks.
    """
    breaks = [b]
    pieces = [[ZERO], [ONE]]             # pieces[j] on [breaks[j-1], breaks[j])
    shifts = [tuple(sorted((w * lo, w * hi))) for w, lo, hi in zip(W, lows, highs) if w != 0]
    for index, (a0, a1) in enumerate(shifts):
        limit = t - sum((s0 for s0, _ in shifts[index + 1:]), ZERO)
        H, acc = [[ZERO]], ZERO
        for j, p in enumerate(pieces[1:], start=1):
            q = _integral(p)
            H.append(_minus(q, [_value(q, breaks[j - 1]) - acc]))
            if j < len(breaks):
                acc = _value(H[-1], breaks[j])
        new_breaks = sorted(set([bk + a0 for bk in breaks] + [bk + a1 for bk in breaks]))
        points = ([new_breaks[0] - 1] + [(u + v) / 2 for u, v in zip(new_breaks, new_breaks[1:])]
                  + [new_breaks[-1] + 1])
        new_pieces = []
        for s in points:
            j0 = sum(1 for bk in breaks if bk <= s - a0)
            j1 = sum(1 for bk in breaks if bk <= s - a1)
            s0 = _shifted(H[j0], a0) if j0 else [ZERO]
            s1 = _shifted(H[j1], a1) if j1 else [ZERO]
            new_pieces.append([c / (a1 - a0) for c in _minus(s0, s1)])
        keep = sum(1 for bk in new_breaks if bk <= limit) + 1
        breaks, pieces = new_breaks[:keep], new_pieces[:keep + 1]
    j = sum(1 for bk in breaks if bk <= t)
    return min(ONE, max(ZERO, _value(pieces[j], t)))
