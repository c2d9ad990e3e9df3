"""Part b for a log too short for trends (one or two epochs, or no validation loss): what it supports.

The training loss can still show learning (the same mini-batch across epochs, the epoch means of
the logged mini-batches, or the first and last mini-batch of a single epoch); overfitting needs a
validation loss over at least three epochs, and the answer says so instead of guessing.
"""

from __future__ import annotations

import sympy

from symdl.kinds.training_log.notation import LogCompoundRate, LogEpochSpan
from symdl.solution import Step, Text

from .batches import compound, same_batch
from .model_b import num, pct, same_batch_steps
from .numbers import shown, sym
from .stats import _q


def _epoch_means(sol, sec, an, train):
    a, b = train[0], train[-1]
    exact, rate = compound(a.mean, b.mean, b.number - a.number)
    sec.add(Text("The logged mini-batches are not the same samples from one epoch to the next, so compare "
                 f"the mean of the mini-batch losses logged in each epoch: ", num(a.mean), f" in epoch {a.number} "
                 f"({len(a.train)} values), ", num(b.mean), f" in epoch {b.number} ({len(b.train)} values)."))
    M0, M1 = sym(f"m_{{{a.number}}}"), sym(f"m_{{{b.number}}}")
    sec.add(Step("Mean training loss, change per epoch:", lhs=sym("r_{train}"),
                 formula=LogCompoundRate(M1, M0, LogEpochSpan()),
                 substituted=LogCompoundRate(shown(b.mean), shown(a.mean), sympy.Integer(b.number - a.number)),
                 result=exact))
    sol.answer("train_loss_mean.change_per_epoch", exact, part="b", unit="relative change per epoch", digits=2,
               label=Text("change per epoch of the mean logged training loss ", sym("r_{train}")), final=True)
    return rate


def _one_epoch(sol, sec, an, epoch):
    y0, y1 = epoch.train[0], epoch.train[-1]
    change = (y1 - y0) / y0
    sec.add(Text(f"Only epoch {epoch.number} is logged: its mini-batch loss goes from ", num(y0), " (first line) to ",
                 num(y1), " (last line), a change of ", pct(change), "; these are different mini-batches, so "
                 "this is a noisy comparison."))
    sol.answer("train_loss.change_in_epoch", _q(change), part="b", unit="relative change", digits=2,
               label="change of the logged training loss within the epoch", final=True)
    return float(change)


def _validation(sol, sec, an):
    pts = an.val_points
    if len(pts) != 2:
        return
    (_, _, e0, y0), (_, _, e1, y1) = pts
    change = (y1 - y0) / y0
    sec.add(Text("The validation loss goes from ", num(y0), f" (epoch {e0}) to ", num(y1), f" (epoch {e1}), ",
                 pct(change), "."))
    sol.answer("val_loss_change_total", _q(change), part="b", unit="relative change", digits=3,
               label="change of the validation loss between its two evaluations")


def short_part_b(sol, an, timing):
    """The model answer of part b for a short log; returns the recommendation."""
    sec = sol.section("Is it learning, is it overfitting, what to change", part="b")
    rows = an.log.rows[:an.cut_index]
    sb = same_batch(rows, an.iterations, an.setup.shuffle)
    train = [e for e in an.epochs if e.train]
    if sb is not None:
        change = same_batch_steps(sol, sec, an, sb)
    elif len(train) >= 2:
        change = _epoch_means(sol, sec, an, train)
    elif train and len(train[0].train) >= 2:
        change = _one_epoch(sol, sec, an, train[0])
    else:
        change = None
    _validation(sol, sec, an)
    falls = change is not None and change < 0
    if change is None:
        sec.add(Text("Learning: the log holds a single training loss, which shows no change.", boxed=True))
    else:
        sec.add(Text(f"Learning: {'yes' if falls else 'no'}, on the training data: the training loss "
                     f"{'falls' if falls else 'does not fall'}. Whether the model generalizes needs a "
                     "validation loss over several epochs.", boxed=True))
    sol.answer("learning_train", falls, part="b", label="the training loss falls", final=True)
    sec.add(Text(f"Overfitting: cannot be decided from this log: {an.short}. Overfitting shows as a validation "
                 "loss that rises, or a gap between the validation and the training loss that widens, while the "
                 "training loss falls, and that takes a validation loss in at least three epochs.", boxed=True))
    names = an.setup.names
    rec = (f"Log a validation loss every epoch (a held-out part of the data) and train for more epochs "
           f"({names['epochs']}); change the learning rate or the regularization only once the validation "
           f"curve shows a trend.")
    sec.add(Text("Change: " + rec[0].lower() + rec[1:], boxed=True))
    sec.add(Text("Why: " + ("the training loss still falls, so more epochs pay off on the training data; "
                            if falls else "")
                 + "without a validation curve neither underfitting nor overfitting can be told apart, so any "
                   "other change would be a guess."))
    sol.answer("recommendation", rec, part="b", label="what to change", final=True)
    return rec
