"""The grader's side of a training-log question: credit items and accepted alternatives (the
mistakes students make are in mistakes.py)."""

from __future__ import annotations


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
        f"the validation loss falls by about {_pct(val)} per epoch" if val is not None and float(val) < 0 else "",
        f"the loss of the same mini-batch by about {_pct(batch)} per epoch" if batch is not None and float(batch) < 0
        else ""
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

