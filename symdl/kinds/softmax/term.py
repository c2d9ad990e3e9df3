"""The softmax kind's discussion of the score's extra term (what it does, the other readings of the
formula, each case with and without it), the notes on the question, and the grader's rubric items."""

from __future__ import annotations

import re

import sympy as sp

from symdl.notation.display import LogFixed, RelationChain, VectorShown
from symdl.kinds.softmax.notation import SoftmaxFormula as F
from symdl.solution import Table, Text, only

from . import derive
from .derive import reg_terms


def notes(sol, sec, question):
    """The instructor's notes on the question (misprints, readings), from the ``notes`` field."""
    for note in question.values.get("notes") or question.fields.get("notes") or ():
        # about the original paper (the sheet symdl writes shows the question as read): the instructor's
        sec.add(*only("instructor", Text("Note on the question: " + note)))


def _three(value):
    """= or approx, then the value with three decimals (0.980, not 0.98)."""
    shown = LogFixed(value, 3)
    return RelationChain("=" if sp.Rational(f"{float(value):.3f}") == value else "~", shown)


def without_term(p, case):
    """The case's probabilities with the extra term left out (exact)."""
    return derive.softmax(derive.scores(p, case, reg_terms(p, "none"))).probs


def discussion(sol, p, rows, twins):
    """What the extra term does, in numbers: the twin cases (same x, with and without it), each
    regularized case against itself without it, and the other readings of the formula."""
    kinds = sorted({c.regularization for c in p.cases} - {"none"})
    if not kinds:
        return
    sec = sol.section("What the extra term does")
    regs = reg_terms(p, kinds[0])
    if p.reading == "row":
        top = max(range(p.N), key=lambda n: regs[n])
        sec.add(Text("The term ", F("r_n"), " does not depend on x: it is a fixed offset added to class n's score, ",
                     F("r_values", VectorShown(sp.Matrix(regs))), ", larger for the classes with larger weights "
                     f"(here class {p.classes[top]}). It favours those classes whatever the input, and it "
                     "regularizes nothing: a penalty on the weights regularizes only when it is added to the loss "
                     "that training minimizes, not to the scores."))
    else:
        sec.add(Text("Read as one constant over all of W, the term adds the same number ", F("r_is", regs[0]),
                     " to every score: softmax ignores it, so the probabilities are those without the term, and it "
                     "regularizes nothing in the scores."))
    by_id = {c.id: c for c in p.cases}
    prob = {r["id"]: r for r in rows}
    exact = {c.id: sol.answers[f"{c.id}.probs"] for c in p.cases}
    for a, b in twins:
        with_id, without_id = (a, b) if by_id[a].regularization != "none" else (b, a)
        k = prob[with_id]["predicted"] - 1
        sec.add(Text(f"Cases {with_id} and {without_id} have the same input: with the term ",
                     F("p_value", k + 1, _three(exact[with_id][k])), f" (case {with_id}), without it ",
                     F("p_value", k + 1, _three(exact[without_id][k])), f" (case {without_id})."))
    twin_ids = {i for pair in twins for i in pair}
    rows = []
    for case in p.cases:
        if case.regularization == "none" or case.id in twin_ids:
            continue
        without = without_term(p, case)
        sol.answer(f"{case.id}.without_term.probs", without, label=f"case {case.id} without the term: probabilities")
        for words, probs in (("with the term", exact[case.id]), ("without it", without)):
            rows.append([f"case {case.id}, {words}"] + [F("fixed4", f"{float(v):.4f}") for v in probs])
    for case in p.cases:         # the model answer: one line per case, the table in the full derivation
        if case.regularization != "none" and case.id not in twin_ids:
            without = sol.answers[f"{case.id}.without_term.probs"]
            sec.add(Text(f"Case {case.id} with the term: ", F("p_vec", VectorShown(sp.Matrix(exact[case.id]), True)),
                         ";"),
                    Text("without it: ", F("p_vec", VectorShown(sp.Matrix(without), True)), "."))
    if rows and p.N <= 8:
        sec.add(*only("full", Text("The other cases with and without the term:"),
                Table(header=["case"] + [F("p_col", k + 1) for k in range(p.N)], rows=rows,
                      align="l" + "r" * p.N, caption="Probabilities rounded to four decimals.")))
    if p.reading == "row":
        sec.add(Text("Other readings of the formula. Read as one norm over all of W, or literally as the norm of "
                     "row ", RelationChain(sp.Symbol("N"), "=", p.N), " alone, it adds the same number to every "
                     "score, and softmax ignores it: every "
                     "case then has the probabilities it has without the term"
                     + (" (case " + twins[0][0] + " would equal case " + twins[0][1] + ")" if twins else "")
                     + ". Read as the usual L1 penalty added to the loss, it changes training, not the "
                     "probabilities of a given W: again those without the term."))


def credit(sol, question, p, twins):
    """The rubric: per case its scores and probabilities (graded entry by entry, weight 2 each) and the
    drawing the question asks for (a criterion, weight 1); the readings of the extra term accepted.
    What the extra term does is discussed in the key but not asked, so it carries no points."""
    with_term = any(c.regularization != "none" for c in p.cases)
    asks_drawing = _asks_drawing(question)
    for case in p.cases:
        part = case.id if case.id in question.parts else None
        for name in (f"{case.id}.scores", f"{case.id}.probs"):
            sol.describe(name, weight=2)
        probs = sol.answers[f"{case.id}.probs"]
        top = max(range(len(probs)), key=lambda k: probs[k])
        if not asks_drawing:
            continue
        slug = "drawn" if part else f"{case.id}.drawn"
        sol.criterion(part, slug, f"Case {case.id}: the distribution drawn as a bar chart.",
                      f"A bar per class, heights the probabilities (summing to 1), the tallest bar class {top + 1} "
                      f"at about {float(probs[top]):.2f}.", weight=1)
    if with_term:
        sol.credit(None, "A reading of the term that adds one constant to every score (or the term put in the loss) "
                         "is accepted when it is stated: the probabilities are then those without the term.",
                   alternative=True)
    sol.credit(None, "Softmax computed with or without subtracting the largest score first: the same "
                     "probabilities.", alternative=True)


_DRAW = {"draw", "drawn", "sketch", "plot", "chart"}


def _asks_drawing(question) -> bool:
    """Whether the question's text or a part's asks for the distributions drawn (DI504 Q3: "Find (and
    draw) ..."): only then is the drawing a criterion with points."""
    texts = [question.text or ""] + [str(t) for t in question.parts.values()]
    return any(_DRAW & set(re.findall("[a-z]+", t.lower())) for t in texts)


__all__ = ["credit", "discussion", "notes", "only", "without_term"]
