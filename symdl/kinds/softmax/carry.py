"""Error carried forward for the softmax kind: the probabilities (and the predicted class) from a
student's scores, the loss and its gradient from a student's probabilities (``derive``'s algebra)."""

from __future__ import annotations

import sympy as sp

from . import derive
from .fields import read

DIGITS = 30
_READ: dict = {}        # id(question) -> (question, Problem)


def _problem(question):
    hit = _READ.get(id(question))
    if hit is None or hit[0] is not question:
        hit = _READ[id(question)] = (question, read(question))
    return hit[1]


def _numeric(m):
    return sp.Matrix(m).applyfunc(lambda v: v if v.is_Rational else sp.Float(sp.N(v, DIGITS), DIGITS))


def _from_probs(p, case, probs, prefix, solution, out):
    """The cross-entropy loss -ln p_y and its gradient p - e_y, from probabilities ``probs``."""
    y = case.label
    if y is None or f"{prefix}.loss" not in solution.meta:
        return
    p_y = sp.sympify(probs[y])
    if p_y > 0:
        out[f"{prefix}.loss"] = sp.Float(sp.N(-sp.log(p_y), DIGITS), DIGITS)
    g = sp.Matrix([probs[k] - (1 if k == y else 0) for k in range(len(probs))])
    out[f"{prefix}.grad.scores"] = g
    out[f"{prefix}.grad.B"] = g
    out[f"{prefix}.grad.W"] = _numeric(derive.grad_W(p, case, g))


def carry(question, solution, given: dict) -> dict:
    """{answer: value recomputed from the student's scores or probabilities} for every dependent answer."""
    p = _problem(question)
    out = {}
    for case in p.cases:
        cid = case.id
        probs = None
        if f"{cid}.scores" in given:
            s = sp.Matrix(given[f"{cid}.scores"])
            sm = derive.softmax(list(s))
            probs = _numeric(sm.probs)
            out[f"{cid}.probs"] = probs
            out[f"{cid}.predicted"] = [k for k in range(len(s)) if s[k] == sm.m][0] + 1
        if f"{cid}.probs" in given:
            probs = sp.Matrix(given[f"{cid}.probs"])
        if probs is not None:
            _from_probs(p, case, probs, cid, solution, out)
    return {name: value for name, value in out.items() if name in solution.meta}
