"""The grader's side of a training-log question: credit items and accepted alternatives (the
mistakes students make are in mistakes.py)."""

from __future__ import annotations

from fractions import Fraction

import sympy


def part_points(question, part):
    """The points of ``part`` when the spec gives them (a part table with ``points``), else None."""
    entry = (getattr(question, "parts", None) or {}).get(part)
    if isinstance(entry, dict):
        return entry.get("points")
    table = getattr(question, "part_points", None) or {}
    return table.get(part)


def _share(total, weight, whole):
    return None if total is None else sympy.Rational(Fraction(str(total))) * weight / whole


def rubric(sol, question, an):
    """Credit items of parts a and b (shares of the part's points) and the accepted alternatives."""
    answers = sol.answers
    a_pts, b_pts = part_points(question, "a"), part_points(question, "b")
    if "iterations_per_epoch" in answers:
        rule = ("the last incomplete mini-batch is dropped" if an.setup.rounding == "floor"
                else "the last, smaller mini-batch is kept")
        sol.credit("a", f"Iterations per epoch I = {answers['iterations_per_epoch']} read from the log "
                        "(the last iteration over the number of epochs, or the epoch boundaries).", _share(a_pts, 2, 5))
        sol.credit("a", f"The training-set size as a range from I and B with the framework's last-batch rule "
                        f"({rule}), not I times B given as the size.", _share(a_pts, 2, 5))
        sol.credit("a", f"Result: {answers['train_set_size.min']} to {answers['train_set_size.max']} samples "
                        "(any value in the range, or roughly that, with the rule stated).", _share(a_pts, 1, 5))
    sol.credit("b", "Learning, argued from the loss of the same mini-batch across epochs or from the validation "
                    "loss (not from losses of different mini-batches), with its rate of change.", _share(b_pts, 3, 10))
    sol.credit("b", "Overfitting, argued from the validation loss and the sign and trend of the gap between "
                    "the validation and the training loss.", _share(b_pts, 3, 10))
    sol.credit("b", "A parameter to change, named, with its direction and size.", _share(b_pts, 2, 10))
    sol.credit("b", "Why: the change follows from the verdicts (what limits the run now).", _share(b_pts, 2, 10))
    rec = answers.get("recommendation", "")
    if rec.startswith("Raise the learning rate"):
        sol.credit("b", "Accepted instead of a larger constant rate: a learning-rate schedule (a larger "
                        "initial rate with piecewise drops, or a warm-up and then a decay).", alternative=True)
        sol.credit("b", "Accepted: Adam (or another adaptive optimizer) instead of SGD with momentum, since its "
                        "steps adapt to the scale of the gradients.", alternative=True)
        if an.log.metric == "RMSE":
            sol.credit("b", "Accepted: normalizing the regression targets (the loss is half the squared RMSE, "
                            "of the order of a thousand here), so that a usual learning rate gives steps of "
                            "a useful size.", alternative=True)

