"""The softmax kind's common mistakes: the kind's own algebra (``derive``) run with one thing done wrong.

Computing softmax without subtracting the largest score first is not among them: it gives the same
probabilities (it only risks overflow).
"""

from __future__ import annotations

import sympy as sp

from symdl.solution import Mistake

from . import derive
from .derive import reg_terms
from .fields import read


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]}: the extra term dropped, the biases forgotten, log base 10 in the loss."""
    p = read(question)
    found = {}

    def add(name, why, key, value):
        if key in solution.answers and value != solution.answers[key]:
            found.setdefault(key, []).append(Mistake(name, value, why))

    for case in p.cases:
        cid, regs = case.id, reg_terms(p, case.regularization)
        wrong = {}
        if case.regularization != "none":
            wrong["the extra term dropped"] = ("the scores computed without the extra term",
                                              derive.scores(p, case, reg_terms(p, "none")))
        no_bias = derive.scores(p, case, regs) - p.B
        wrong["the biases forgotten"] = ("the scores computed without B", no_bias)
        for name, (why, s) in wrong.items():
            sm = derive.softmax(list(s))
            add(name, why, f"{cid}.scores", sp.Matrix(s))
            add(name, why, f"{cid}.probs", sm.probs)
            add(name, why, f"{cid}.predicted", sm.kmax + 1)
        if case.label is not None and "cross_entropy" in p.losses:
            prefix = cid if p.losses[0] == "cross_entropy" else f"{cid}.cross_entropy"
            sm = derive.softmax(list(derive.scores(p, case, regs)))
            loss, g = derive.cross_entropy(sm, case.label)
            why = "the loss computed with the base-10 logarithm instead of the natural one"
            add("log base 10 in the loss", why, f"{prefix}.loss", loss / sp.log(10))
            add("log base 10 in the loss", why, f"{prefix}.grad.scores", g / sp.log(10))
    return found
