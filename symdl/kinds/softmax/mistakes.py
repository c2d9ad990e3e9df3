"""The mistakes students make with scores and softmax: the kind's own algebra (``derive``) run with one
thing done wrong, each under one name on every answer it changes:

- **extra-term-left-out**: the scores without the extra (regularization) term;
- **extra-term-added-to-every-class** (when the term is read per class): the term of row N (the
  formula's w_{N,i} read literally, N the number of classes) added to every class's score;
  softmax ignores a shift common to all scores, so its probabilities are those without the term,
  its scores are not (the rubric accepts this reading when the student states it);
- **no-normalization**: e^{s_k} given as the probabilities, not divided by their sum.

Computing softmax without subtracting the largest score first is not among them: it gives the same
probabilities (it only risks overflow). Only the answers the exam asks (final answers, or those
the kind marks graded) carry mistakes.
"""

from __future__ import annotations

import sympy as sp

from symdl.grading.mistake_rows import asked_names
from symdl.solution import Mistake

from . import derive
from .derive import reg_terms
from .fields import read


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]}: the extra term left out or added to every class, no normalization."""
    p = read(question)
    asked = set(asked_names(solution))
    found = {}

    def add(name, why, key, value):
        if key in asked and value != solution.answers[key]:
            found.setdefault(key, []).append(Mistake(name, value, why))

    for case in p.cases:
        cid, kind = case.id, case.regularization
        wrong = []
        if kind != "none":
            wrong.append(("extra-term-left-out", "you computed the scores without the extra term",
                          derive.scores(p, case, reg_terms(p, "none"))))
            if p.reading == "row":
                last = reg_terms(p, kind)[-1]          # w_{N,i} read literally: row N's term, for every class
                wrong.append(("extra-term-added-to-every-class", f"you added the term of the last row of W "
                              f"(N = {p.N}) to every class's score instead of each class's own term (accepted "
                              "only when that reading is stated)", derive.scores(p, case, [last] * p.N)))
        for name, why, s in wrong:
            add(name, why, f"{cid}.scores", sp.Matrix(s))
            add(name, why, f"{cid}.probs", derive.softmax(list(s)).probs)
        sm = derive.softmax(list(derive.scores(p, case, reg_terms(p, kind))))
        add("no-normalization", "you gave e to the power of each score as the probabilities, without "
            "dividing by their sum", f"{cid}.probs", sp.Matrix([e * sp.exp(sm.m) for e in sm.exps]))
    return found
