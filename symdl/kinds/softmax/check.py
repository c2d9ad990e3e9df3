"""The softmax kind's second route: exact scores in fractions, mpmath log-sum-exp and complex steps.

It reads the problem with ``fields`` and shares nothing with the derivation (``derive``, ``explain``).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from symdl.check.mp_route import DPS, STEP_DIGITS, exact, mp, number  # noqa: F401

from .fields import read









def _sign(w):
    real = w.real if isinstance(w, (mpmath.mpc, complex)) else w
    return 1 if real > 0 else -1 if real < 0 else 0


def _row_reg(row, kind):
    """The regularization term of one row of W, exact or complex (|w| continued as w sign(Re w))."""
    if kind == "l1":
        return sum((w * _sign(w) for w in row), Fraction(0))
    if kind == "l2":
        return sum((w * w for w in row), Fraction(0))
    return Fraction(0)


class Scores:
    """s = W x + B (+ regularization) for one case: exact fractions, and again with one entry bumped."""

    def __init__(self, W, B, x, reg, reading):
        self.W, self.x, self.reg, self.reading = W, x, reg, reading
        rows = [_row_reg(row, reg) for row in W]
        total = sum(rows, Fraction(0))
        self.exact = [sum((w * v for w, v in zip(W[n], x)), Fraction(0)) + B[n]
                      + (rows[n] if reading == "row" else total) for n in range(len(W))]

    def to_mp(self):
        """mpf copies of the scores, W and x (call inside the working precision)."""
        self.s = [mp(v) for v in self.exact]
        self.Wm = [[mp(w) for w in row] for row in self.W]
        self.xm = [mp(v) for v in self.x]
        return self.s

    def bumped_W(self, n, i, ih):
        """The scores with W[n][i] moved by the imaginary step ih: the forward pass, updated where it changes.

        Only the term W[n][i] x_i of s_n and W[n][i]'s own term of the regularization sum change.
        """
        w = self.Wm[n][i]
        d_reg = _row_reg([w + ih], self.reg) - _row_reg([w], self.reg)
        out = list(self.s)
        for k in (range(len(out)) if self.reading == "all" else (n,)):
            out[k] += d_reg
        out[n] += ih * self.xm[i]
        return out

    def bumped(self, k, ih):
        """The scores with s_k (equivalently B_k) moved by the imaginary step."""
        return [v + ih if j == k else v for j, v in enumerate(self.s)]


def cross_entropy(s, y):
    """-ln p_y = ln sum_j e^{s_j - s_y} = log1p(sum_{j != y} e^{s_j - s_y}): no cancellation anywhere."""
    return mpmath.log1p(mpmath.fsum(mpmath.exp(s[j] - s[y]) for j in range(len(s)) if j != y))


def probabilities(s):
    """p_k = exp(s_k - LSE(s)), LSE(s) = m + ln sum_j e^{s_j - m} with m = max s (mpmath)."""
    m = max(s)
    lse = m + mpmath.log(mpmath.fsum(mpmath.exp(v - m) for v in s))
    return [mpmath.exp(v - lse) for v in s]


def case_answers(p, case) -> dict:
    """Every answer of one case: scores exact, the rest at 50 digits, gradients by complex steps."""
    W = [[exact(v) for v in p.W.row(n)] for n in range(p.N)]
    B = [exact(v) for v in p.B]
    x = [exact(v) for v in case.x]
    sc = Scores(W, B, x, case.regularization, p.reading)
    cid, out = case.id, {}
    out[f"{cid}.scores"] = [number(v) for v in sc.exact]
    with mpmath.workdps(DPS):
        s = sc.to_mp()
        out[f"{cid}.probs"] = [number(v) for v in probabilities(s)]
        out[f"{cid}.predicted"] = max(range(p.N), key=lambda k: (sc.exact[k], -k)) + 1
        if case.label is None:
            return out
        h = mpmath.mpf(10) ** -STEP_DIGITS
        ih = mpmath.mpc(0, h)
        y = case.label
        for index, loss in enumerate(p.losses):
            prefix = cid if index == 0 else f"{cid}.{loss}"
            delta = exact(p.margin)
            margins = [sc.exact[j] - sc.exact[y] + delta for j in range(p.N)]

            def L(v, loss=loss, margins=margins):
                return cross_entropy(v, y) if loss == "cross_entropy" else _hinge(v, y, delta, margins)

            out[f"{prefix}.loss"] = number(mpmath.re(L(s)))
            grad_s = [number(mpmath.im(L(sc.bumped(k, ih))) / h) for k in range(p.N)]
            out[f"{prefix}.grad.scores"] = grad_s
            out[f"{prefix}.grad.B"] = list(grad_s)
            out[f"{prefix}.grad.W"] = [[number(mpmath.im(L(sc.bumped_W(n, i, ih))) / h) for i in range(p.D)]
                                       for n in range(p.N)]
    return out


def _hinge(s, y, delta, margins):
    """sum_{j != y} max(0, s_j - s_y + delta), the active terms decided on the exact margins."""
    terms = [s[j] - s[y] + mp(delta) for j in range(len(s)) if j != y and margins[j] > 0]
    return mpmath.fsum(terms) if terms else mpmath.mpf(0)


def answers(p) -> dict:
    """Every answer of every case of the read problem ``p``; a case with the extra term and no twin (the same
    x without it) also without the term."""
    out = {}
    for case in p.cases:
        out.update(case_answers(p, case))
        twinned = any(o.x == case.x and o.regularization != case.regularization for o in p.cases)
        if case.regularization != "none" and not twinned:
            sc = Scores([[exact(v) for v in p.W.row(n)] for n in range(p.N)], [exact(v) for v in p.B],
                        [exact(v) for v in case.x], "none", p.reading)
            with mpmath.workdps(DPS):
                out[f"{case.id}.without_term.probs"] = [number(v) for v in probabilities(sc.to_mp())]
    return out


def independent(question) -> dict:
    """Every answer again, without the symbolic solution: exact scores, mpmath log-sum-exp, complex steps."""
    return answers(read(question))
