"""The mistakes students make reading a training log, each derived by the kind's own functions with
one thing done wrong, so that its value is what a student who made it would write:

- **iterations per epoch off by one** (a fence-post error: the iterations between the first two
  validation rows when those are one off, else the last iteration of the epoch not counted), and
  the training-set size range that follows from it;
- **the last-batch rule flipped** (the last, incomplete mini-batch counted when the framework drops
  it, or the other way round): the training-set size range;
- **overfitting read from the validation loss lying above the training loss** (a positive gap,
  whatever its trend): the overfitting verdict and the change the kind's own rule recommends then;
- **the learning rate lowered** (the ups and downs of the mini-batch losses read as steps that
  overshoot): the change the kind recommends for a run whose steps overshoot;
- **different mini-batches compared** (the mean loss of the first and of the last epoch, or the
  first and the last logged mini-batch): the learning verdict that rate gives.

Only the answers the exam asks (final answers, and those the kind marks graded) carry mistakes; a
mistake whose verdict is the right one is dropped by grading.attach_mistakes, a mistake giving
the same values as another by symdl.grading.mistake_rows.
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from symdl.grading.mistake_rows import asked_names
from symdl.solution import Mistake, Solution

from .analysis import size_range
from .batches import compound, epoch_mean_rate
from .model_b import change_text
from .reading import analyse
from .trends import found_trends, trend_section
from .verdicts import _lr_info, verdicts


def mistakes(question, solution) -> dict:
    """answer name -> [Mistake]: each recomputed with one thing wrong (Kind.mistakes)."""
    an = analyse(question)
    out: dict = {}
    # the graded answers, and the final ones graded by criteria (the recommendation, in words)
    asked = set(asked_names(solution)) | {name for name, meta in solution.meta.items() if meta.final}

    def add(slug, why, values):
        for name, value in values.items():
            if name in asked:
                out.setdefault(name, []).append(Mistake(slug, value, why))

    if an.iterations is not None:
        _size_mistakes(an, add)
    if not an.short:
        _verdict_mistakes(an, add, solution)
    return out


def _size_mistakes(an, add):
    """Iterations per epoch off by one, and the last-batch rule flipped: the size range each gives."""
    st = an.setup
    wrong, why = _off_by_one(an)
    lo, hi = size_range(wrong, st.batch, st.rounding)
    add("iterations-per-epoch-off-by-one", why,
        {"iterations_per_epoch": sympy.Integer(wrong), "train_set_size.min": sympy.Integer(lo),
         "train_set_size.max": sympy.Integer(hi), "train_set_size": sympy.Integer(wrong * st.batch)})
    other = "ceil" if st.rounding == "floor" else "floor"
    lo, hi = size_range(an.iterations, st.batch, other)
    why = ("you counted the last, incomplete mini-batch as an iteration, but the framework drops it" if other == "ceil"
           else "you took the last, smaller mini-batch as dropped, but the framework keeps it as an iteration")
    add("last-batch-rule-flipped", why,
        {"train_set_size.min": sympy.Integer(lo), "train_set_size.max": sympy.Integer(hi)})


def _off_by_one(an):
    """The iterations per epoch a student gets by a fence-post error: the distance between the first two
    validation rows when that is one off (a validation pass at iteration 1), else I - 1."""
    I = an.iterations
    its = [p[1] for p in an.val_points if p[1] is not None]
    if len(its) >= 2 and abs((its[1] - its[0]) - I) == 1:
        return its[1] - its[0], (f"you took the iterations between the first two validation rows "
                                 f"({its[1]} - {its[0]} = {its[1] - its[0]}) as one epoch")
    return I - 1, "you did not count the last iteration of the epoch"


def _engine(an, solution):
    """The kind's trends (those the solver found, else fitted again), verdicts and recommendation
    rule, run on a scratch Solution."""
    scratch = Solution("mistakes", "training_log")
    trends = found_trends(solution) or trend_section(scratch, an)
    v = verdicts(an, trends)
    lr, constant = _lr_info(an.log)

    def recommend(wrong_v):
        return change_text(scratch, scratch.section("scratch"), an, wrong_v, trends, lr, constant)
    return trends, v, recommend


def _verdict_mistakes(an, add, solution):
    trends, v, recommend = _engine(an, solution)
    if v["diverged"]:
        return
    last_gap = trends["complete"][-1].gap
    if last_gap is not None:
        wrong = dict(v, overfitting=last_gap > 0)
        add("overfitting-from-val-above-train",
            "you called it overfitting because the validation loss lies above the training loss; "
            "overfitting is the gap widening (or the validation loss turning up) while the training loss falls",
            {"overfitting": wrong["overfitting"], "recommendation": recommend(wrong)})
    if _batch_losses_rise(an):
        add("learning-rate-lowered",
            "you read the ups and downs of the mini-batch losses as steps that overshoot and lowered the "
            "learning rate; different mini-batches scatter, the validation loss shows the trend",
            {"recommendation": recommend(dict(v, diverged=True))})
    for slug, why, rate in _batch_rates(an):
        add(slug, why, {"learning": bool(float(rate) < 0)})


def _train_points(an):
    return [(r.iteration, r.values["train_loss"]) for r in an.log.rows[:an.cut_index]
            if r.iteration is not None and r.values.get("train_loss") is not None
            and not isinstance(r.values["train_loss"], float)]


def _batch_losses_rise(an) -> bool:
    """Whether a logged mini-batch loss is ever above the one logged before it."""
    ys = [y for _, y in _train_points(an)]
    return any(b > a for a, b in zip(ys, ys[1:]))


def _batch_rates(an):
    """(slug, why, change per epoch) of comparing losses of different mini-batches."""
    out = []
    means = epoch_mean_rate(an.epochs)
    if means is not None:
        out.append(("different-batches-compared",
                    "you compared the mean mini-batch loss of the first and of the last epoch: different "
                    "mini-batches, whose losses scatter more than they fall", means[1]))
    pts = _train_points(an)
    if len(pts) >= 2 and an.iterations:
        (i0, y0), (i1, y1) = pts[0], pts[-1]
        span = Fraction(i1 - i0, an.iterations)
        if span > 0:
            out.append(("first-last-batch-compared", "you compared the first and the last logged mini-batch "
                        "losses: different mini-batches", compound(y0, y1, span)[1]))
    return out
