"""The softmax kind's algebra, exact: scores, the max-shifted softmax, the two losses and their gradients."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.codegen.cfunctions import log1p

from .fields import Problem

MAX_SCORE = 10 ** 6


def reg_terms(p: Problem, kind):
    """The regularization value added to each class's score, exact (a list of N values)."""
    if kind == "none":
        return [sp.Integer(0)] * p.N
    f = (lambda v: abs(v)) if kind == "l1" else (lambda v: v ** 2)
    rows = [sum((f(v) for v in p.W.row(n)), sp.Integer(0)) for n in range(p.N)]
    if p.reading == "all":
        total = sum(rows, sp.Integer(0))
        return [total] * p.N
    return rows


def reg_derivative(p: Problem, kind, g):
    """dL/dW contributed by the regularization term, given g = dL/ds (exact N x D matrix)."""
    N, D = p.N, p.D
    if kind == "none":
        return sp.zeros(N, D)
    d = (lambda v: sp.sign(v)) if kind == "l1" else (lambda v: 2 * v)
    if p.reading == "all":
        total = sp.expand(sum(g, sp.Integer(0)))   # exactly 0 for both losses: expand cancels the terms
        return sp.Matrix(N, D, lambda n, i: d(p.W[n, i]) * total)
    return sp.Matrix(N, D, lambda n, i: d(p.W[n, i]) * g[n])


def scores(p: Problem, case, regs) -> sp.Matrix:
    """s_n = w_n . x + B_n + r_n for every class, exact."""
    return sp.Matrix([sum((p.W[n, i] * case.x[i] for i in range(p.D)), sp.Integer(0)) + p.B[n] + regs[n]
                      for n in range(p.N)])


@dataclass
class Softmax:
    """The probabilities by the max shift: m = max s, e^{s_k - m}, their sum, p_k (exact)."""
    m: object
    kmax: int
    shifted: list
    exps: list
    total: object
    probs: sp.Matrix


def softmax(s) -> Softmax:
    m = max(s)
    shifted = [v - m for v in s]
    exps = [sp.exp(d) for d in shifted]
    total = sp.Add(*exps)
    return Softmax(m, list(s).index(m), shifted, exps, total, sp.Matrix([e / total for e in exps]))


def cross_entropy(sm: Softmax, y):
    """(L, g): -ln p_y and dL/ds = p - e_y, both without cancellation."""
    N = len(sm.exps)
    others = sp.Add(*[sm.exps[j] for j in range(N) if j != y])   # sum_j e^{s_j - m} - e^{s_y - m}
    # when s_y is the maximum, L = ln(1 + others) with others possibly ~e^-1000: log1p keeps it exact
    L = log1p(others) if sm.shifted[y] == 0 else -(sm.shifted[y]) + sp.log(sm.total)
    # p_y - 1 written as -(the other terms) / (the sum): no cancellation when p_y is 1 to many digits
    g = sp.Matrix([-others / sm.total if k == y else sm.probs[k] for k in range(N)])
    return L, g


def hinge(s, y, delta):
    """(L, margins, active classes, g) of the multiclass SVM loss (derivative 0 at a kink)."""
    N = len(s)
    margins = [s[j] - s[y] + delta for j in range(N)]
    L = sum((sp.Max(0, margins[j]) for j in range(N) if j != y), sp.Integer(0))
    active = [j for j in range(N) if j != y and margins[j] > 0]
    g = sp.Matrix([(1 if k in active else 0) if k != y else -len(active) for k in range(N)])
    return L, margins, active, g


def grad_W(p: Problem, case, g):
    """dL/dW = g x^T plus the regularization term's part."""
    return g * case.x.T + reg_derivative(p, case.regularization, g)
