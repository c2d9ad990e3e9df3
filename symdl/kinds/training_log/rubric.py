"""The grader's side of a training-log question: credit items, accepted alternatives, common mistakes.

Each mistake is derived by the kind's own functions with one thing done wrong (the last-batch rule
flipped, the iterations per epoch off by one, the epoch means of different mini-batches compared
instead of the same mini-batch), so its value is what a student who made it would write.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from symdl.solution import Mistake

from .analysis import analyse, size_range
from .batches import compound, epoch_mean_rate


def _pct(rate) -> str:
    return f"{abs(float(rate)) * 100:.2g} %"


def rubric(sol, question, an):
    """The criteria of parts a and b (each with its model sentence from the log's numbers), the weights
    of the graded answers, and the accepted alternatives. Part a: I weight 2, the range's ends 1 each,
    the last-batch rule 1; part b: the two yes/no verdicts 1 each, each argued 2, the change and why 2
    each. The rates of change are the key's evidence, not asked: they carry no points."""
    answers = sol.answers
    for name, weight in (("iterations_per_epoch", 2), ("train_set_size.min", 1), ("train_set_size.max", 1),
                         ("learning", 1), ("overfitting", 1)):
        if name in sol.meta:
            sol.describe(name, weight=weight)
    for name, answer in sol.meta.items():
        if answer.part == "b" and answer.final and name not in ("learning", "overfitting"):
            answer.graded = False
    if "iterations_per_epoch" in answers and "train_set_size.min" in answers:
        rule = ("the last incomplete mini-batch is dropped" if an.setup.rounding == "floor"
                else "the last, smaller mini-batch is kept")
        sol.criterion("a", "last-batch-rule", "The size as a range from I and B with the framework's last-batch "
                      "rule, not I times B given as the size.",
                      f"I = {answers['iterations_per_epoch']} iterations per epoch and B = {an.setup.batch}; since "
                      f"{rule}, {answers['train_set_size.min']} <= N <= {answers['train_set_size.max']} samples.")
    learning = answers.get("learning")
    val = answers.get("val_loss_change_per_epoch")
    batch = answers.get("same_batch.change_per_epoch")
    evidence = "; ".join(x for x in (
        f"the validation loss falls by about {_pct(val)} per epoch" if val is not None and val < 0 else "",
        f"the loss of the same mini-batch by about {_pct(batch)} per epoch" if batch is not None and batch < 0 else ""
    ) if x) or "the validation loss and the same mini-batch's loss across epochs"
    sol.criterion("b", "learning-argued", "Learning, argued from the loss of the same mini-batch across epochs or "
                  "from the validation loss (not from losses of different mini-batches), with its rate.",
                  f"{'Yes, it learns' if learning else 'It does not learn'}: {evidence}"
                  + (", which is slow." if learning else "."), weight=2)
    first, last = answers.get("gap.first"), answers.get("gap.last")
    gap = (f" the gap (validation minus training) goes from {float(first):.4g} to {float(last):.4g}"
           if first is not None and last is not None else "")
    over = answers.get("overfitting")
    sol.criterion("b", "overfitting-argued", "Overfitting, argued from the validation loss and the trend of the gap "
                  "between the validation and the training loss.",
                  f"{'Overfitting' if over else 'Not overfitting'}: the validation loss "
                  f"{'rises' if over else 'falls with the training loss'};{gap or ' the gap does not widen'}. A "
                  "validation loss above the training loss is not overfitting by itself.", weight=2)
    rec = str(answers.get("recommendation", ""))
    sol.criterion("b", "change", "A parameter to change, named, with its direction and size.",
                  rec.split(";")[0].strip().rstrip(".") + "." if rec else "A parameter named, with direction and size.",
                  weight=2)
    sol.criterion("b", "why", "Why: the change follows from the verdicts (what limits the run now).",
                  ("The loss falls too slowly for the learning rate used, and it is not overfitting, so a larger "
                   "step is what the run lacks." if rec.startswith("Raise the learning rate") else
                   "The change addresses what the verdicts show limits the run."), weight=2)
    if rec.startswith("Raise the learning rate"):
        sol.credit("b", "Instead of a larger constant rate, a learning-rate schedule (a larger "
                        "initial rate with piecewise drops, or a warm-up and then a decay).", alternative=True)
        sol.credit("b", "Adam (or another adaptive optimizer) instead of SGD with momentum, since its "
                        "steps adapt to the scale of the gradients.", alternative=True)
        if an.log.metric == "RMSE":
            sol.credit("b", "Normalizing the regression targets (the loss is half the squared RMSE, "
                            "of the order of a thousand here), so that a usual learning rate gives steps of "
                            "a useful size.", alternative=True)


def mistakes(question, solution) -> dict:
    """answer name -> [Mistake]: each recomputed with one thing wrong (Kind.mistakes)."""
    an = analyse(question)
    st, answers, out = an.setup, solution.answers, {}

    def add(name, mistake):
        if name in answers:
            out.setdefault(name, []).append(mistake)

    if an.iterations is not None:
        other = "ceil" if st.rounding == "floor" else "floor"
        lo, hi = size_range(an.iterations, st.batch, other)
        why = ("the last, incomplete mini-batch counted as an iteration" if other == "ceil"
               else "the last, smaller mini-batch taken as dropped")
        for name, value in (("train_set_size.min", lo), ("train_set_size.max", hi)):
            add(name, Mistake("last partial mini-batch " + ("counted" if other == "ceil" else "dropped"),
                              sympy.Integer(value), why))
        wrong, why = _off_by_one(an)
        add("iterations_per_epoch", Mistake("iterations per epoch off by one", sympy.Integer(wrong), why))
        lo, hi = size_range(wrong, st.batch, st.rounding)
        for name, value in (("train_set_size.min", lo), ("train_set_size.max", hi),
                            ("train_set_size", wrong * st.batch)):
            add(name, Mistake("iterations per epoch off by one", sympy.Integer(value), why))
    means = epoch_mean_rate(an.epochs)
    if means is not None:
        add("same_batch.change_per_epoch",
            Mistake("means of different mini-batches compared", means[0],
                    "the mean of the mini-batch losses logged in the first and in the last epoch compared: "
                    "different mini-batches, whose losses scatter more than they fall"))
    pts = [(r.iteration, r.values["train_loss"]) for r in an.log.rows[:an.cut_index]
           if r.iteration is not None and r.values.get("train_loss") is not None
           and not isinstance(r.values["train_loss"], float)]
    if len(pts) >= 2 and an.iterations:
        (i0, y0), (i1, y1) = pts[0], pts[-1]
        span = Fraction(i1 - i0, an.iterations)
        if span > 0:
            add("same_batch.change_per_epoch",
                Mistake("first and last logged mini-batch compared", compound(y0, y1, span)[0],
                        "the first and the last logged mini-batch losses compared: different mini-batches"))
    kept = {k: [m for m in v if not _same(m.value, answers[k])] for k, v in out.items()}
    return {k: v for k, v in kept.items() if v}


def _same(a, b):
    """Whether a mistake's value is the right answer (compared in floats: the rates are unevaluated powers)."""
    x, y = float(a), float(b)
    return x == y or abs(x - y) <= 1e-12 * max(abs(x), abs(y))


def _off_by_one(an):
    """The iterations per epoch a student gets by a fence-post error: the distance between the first two
    validation rows when that is one off (a validation pass at iteration 1), else I - 1."""
    I = an.iterations
    its = [p[1] for p in an.val_points if p[1] is not None]
    if len(its) >= 2 and abs((its[1] - its[0]) - I) == 1:
        return its[1] - its[0], (f"the iterations between the first two validation rows "
                                 f"({its[1]} - {its[0]} = {its[1] - its[0]}) taken as one epoch")
    return I - 1, "the last iteration of the epoch not counted"
