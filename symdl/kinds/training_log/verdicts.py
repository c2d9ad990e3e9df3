"""The training-log verdicts: learning, learning well, overfitting, and what to change next."""

from __future__ import annotations

import sympy

from symdl.notation.display import RelationChain
from symdl.solution import Text

from .batches import same_batch
from .model_b import (change_text, halving_steps, learning_text, learning_words, num, overfitting_text,
                      overfitting_words, same_batch_gaps, same_batch_steps, validation_steps)
from .model_b import pct as pct_math
from .stats import _finite


def _lr_info(log):
    lrs = [r.values.get("lr") for r in log.rows if _finite(r.values.get("lr"))]
    if not lrs:
        return None, False
    return lrs[-1], len(set(lrs)) == 1


def verdicts(an, trends):
    """The booleans and their inputs, from the exact trend numbers."""
    st = an.setup
    f, ft, fg = trends["val"], trends["train"], trends["gap"]
    tcrit, tcrit_e = float(trends["tcrit"]), float(trends["tcrit_e"])
    t_val, t_train, t_gap = float(f.t), float(ft.t), float(fg.t)
    diverged = an.cut is not None or t_train > tcrit_e
    learning = not diverged and t_val < -tcrit
    train_falling = t_train < -tcrit_e
    # the gap is validation minus training: it widens only while the validation loss lies above;
    # a negative gap rising towards 0 (a validation loss below the training loss, approaching it) is not overfitting
    last_gap = trends["complete"][-1].gap
    gap_growing = t_gap > tcrit_e and last_gap > 0
    ys = [p[3] for p in an.val_points]
    k = min(range(len(ys)), key=lambda i: (ys[i], i))
    rise = (ys[-1] - ys[k]) / ys[k]
    val_rising = k < len(ys) - 1 and rise > st.rise_tolerance
    overfitting = not diverged and train_falling and (gap_growing or val_rising)
    slow = learning and abs(float(trends["rate"])) < float(st.slow_rate)
    return dict(diverged=diverged, learning=learning, train_falling=train_falling,
                gap_growing=gap_growing, val_rising=val_rising, overfitting=overfitting, slow=slow,
                min_index=k, rise=rise, val_below=last_gap < 0)


def _t(value, sig=3):
    """t = value, as math."""
    return RelationChain(sympy.Symbol("t"), "=", num(float(value), sig))


def _per_epoch(value):
    return (num(float(value), 3), " per epoch")


def _overfitting_text(sec, an, v, trends):
    """The overfitting verdict in words and math: the training trend, the gap trend, the validation minimum."""
    st, ft, fg, tcrit_e = an.setup, trends["train"], trends["gap"], trends["tcrit_e"]
    ys = [p[3] for p in an.val_points]
    k = v["min_index"]
    trend = ("falls" if v["train_falling"] else "rises" if float(ft.t) > float(tcrit_e)
             else "does not fall significantly")
    parts = [f"mean training loss {trend} (", *_per_epoch(ft.b), ", ", _t(ft.t), "); "]
    if v["val_below"] and float(fg.t) > float(tcrit_e):
        parts += ["gap rises towards zero from below (", *_per_epoch(fg.b), ", ", _t(fg.t), "): the validation "
                  "loss lies below the training loss and approaches it, which is no widening; "]
    else:
        parts += [f"gap {'widens' if v['gap_growing'] else 'does not widen significantly'} (", *_per_epoch(fg.b),
                  ", ", _t(fg.t), ", critical value ", num(float(tcrit_e), 3), "); "]
    where = an.val_points[k]
    if v["val_rising"]:
        parts += ["validation loss turns up: lowest ", num(ys[k], 5),
                  f" at {'iteration ' + str(where[1]) + ' ' if where[1] else ''}(epoch {where[2]}), then ",
                  pct_math(v["rise"]), " higher by the end."]
    elif k == len(ys) - 1:
        parts += ["validation loss lowest at the last evaluation."]
    else:
        parts += [f"validation loss lowest at epoch {where[2]}, the last value ", pct_math(v["rise"]),
                  " above it (the key's tolerance: ", pct_math(st.rise_tolerance), ")."]
    head = ("Overfitting: not assessed as such, a diverging run is not fitting the training data: "
            if v["diverged"] else "Overfitting: yes: " if v["overfitting"] else "Overfitting: no: ")
    sec.add(Text(head, *parts))


def instructor_section(sol, an, v, trends, timing):
    """How the verdicts were decided (t tests, the validation minimum), for the instructor."""
    st = an.setup
    f, ft, tcrit, tcrit_e = trends["val"], trends["train"], trends["tcrit"], trends["tcrit_e"]
    sec = sol.section("How the verdicts were decided", audience="instructor")
    if v["diverged"]:
        if an.cut is not None:
            sec.add(Text(f"Learning: no, the run diverges: the loss became NaN or Inf at line {an.cut.line}."))
        else:
            sec.add(Text("Learning: no, the run diverges: the mean training loss rises by ", *_per_epoch(ft.b),
                         " (", _t(ft.t), ", critical value ", num(float(tcrit_e), 3), ")."))
    else:
        sec.add(Text(f"Learning: {'yes' if v['learning'] else 'no'}. Validation-loss slope ",
                     *_per_epoch(trends["per_epoch"]), ", ", _t(f.t), " against the one-sided critical value ",
                     num(-float(tcrit), 3), "; ", pct_math(trends["rate"]), " per epoch over the run."))
    if v["learning"]:
        sec.add(Text(f"Learning well: {'no' if v['slow'] else 'yes'}. The key recommends a larger learning "
                     "rate below a fall of ", pct_math(st.slow_rate), " per epoch (the slow_rate setting); the "
                     "model answer argues from the halving time instead, and graders should not apply the "
                     "threshold."))
    _overfitting_text(sec, an, v, trends)
    sol.assume("'Overfitting' means the validation loss rising above its minimum by more than the tolerance, or "
               "the gap (validation minus training) positive and widening, while the training loss falls; a "
               "validation loss below the training loss and approaching it is not overfitting.")


def verdict_section(sol, an, timing, trends):
    """Part b's model answer (the same mini-batch, the validation loss, the verdicts, the change) and
    the instructor's account of how each verdict was decided."""
    v = verdicts(an, trends)
    sb = same_batch(an.log.rows[:an.cut_index], an.iterations, an.setup.shuffle)
    sec = sol.section("Is it learning, is it overfitting, what to change", part="b")
    if an.setup.shuffle != "every-epoch" and sb is not None:
        sol.assume("The training set is not reshuffled between epochs (MATLAB's default, Shuffle 'once'), so "
                   "a mini-batch's position in the epoch names the same samples in every epoch."
                   if an.setup.framework == "matlab" else
                   "The training set is not reshuffled between epochs, so a mini-batch's position in the epoch "
                   "names the same samples in every epoch.")
    batch_rate = same_batch_steps(sol, sec, an, sb)
    validation_steps(sol, sec, an, trends)
    if v["learning"]:
        halving_steps(sol, sec, an, trends, timing)
    learning_text(sec, v, (trends["rate"], batch_rate), an.val_points[v["min_index"]])
    sol.answer("learning", v["learning"], part="b", label="learning", final=True)
    sol.describe("learning", words=learning_words(v, an.val_points[v["min_index"]]))
    sol.answer("diverging", v["diverged"], part="b", label="diverging")
    gaps = same_batch_gaps(sol, an, sb, trends["complete"])
    overfitting_text(sec, an, v, gaps)
    sol.answer("overfitting", v["overfitting"], part="b", label="overfitting", final=True)
    sol.describe("overfitting", words=overfitting_words(v, gaps))
    sol.answer("gap_growing", v["gap_growing"], part="b", label="the gap widens")
    lr, constant = _lr_info(an.log)
    rec = change_text(sol, sec, an, v, trends, lr, constant)
    sol.answer("recommendation", rec, part="b", label="what to change", final=True)
    instructor_section(sol, an, v, trends, timing)
    return v, sb
