"""The training-log verdicts: learning, learning well, overfitting, and what to change next."""

from __future__ import annotations

import math

from symdl.solution import Text

from .numbers import fnum, pct
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


def _overfitting_text(sec, an, v, trends):
    """The overfitting verdict in words: the training trend, the gap trend, the validation minimum."""
    st, ft, fg, tcrit_e = an.setup, trends["train"], trends["gap"], trends["tcrit_e"]
    ys = [p[3] for p in an.val_points]
    k = v["min_index"]
    words = []
    trend = ("falls" if v["train_falling"] else "rises" if float(ft.t) > float(tcrit_e)
             else "does not fall significantly")
    words.append(f"mean training loss {trend} "
                 f"({fnum(ft.b, 3)} per epoch, t = {fnum(ft.t, 3)})")
    if v["val_below"] and float(fg.t) > float(tcrit_e):
        words.append(f"gap rises towards zero from below ({fnum(fg.b, 3)} per epoch, t = {fnum(fg.t, 3)}): the "
                     f"validation loss lies below the training loss and approaches it, which is no widening")
    else:
        words.append(f"gap {'widens' if v['gap_growing'] else 'does not widen significantly'} "
                     f"({fnum(fg.b, 3)} per epoch, t = {fnum(fg.t, 3)}, needs > {fnum(tcrit_e, 3)})")
    if v["val_rising"]:
        words.append(f"validation loss turns up: lowest {fnum(ys[k], 5)} at "
                     f"{'iteration ' + str(an.val_points[k][1]) if an.val_points[k][1] else 'epoch ' + str(an.val_points[k][2])} "
                     f"(epoch {an.val_points[k][2]}), then {pct(v['rise'], 2)} higher by the end")
    else:
        words.append("validation loss does not rise above its minimum by more than "
                     f"{pct(st.rise_tolerance, 2)}"
                     + (f" (its lowest value is the last one)" if k == len(ys) - 1 else
                        f" (lowest at epoch {an.val_points[k][2]}, last is {pct(v['rise'], 2)} above it)"))
    if v["diverged"]:
        sec.add(Text("Overfitting: not assessed as such: a diverging run is not fitting the training data. "
                     + "; ".join(words) + "."))
    elif v["overfitting"]:
        sec.add(Text("Overfitting: yes: " + "; ".join(words) + "."))
    else:
        sec.add(Text("Overfitting: no: " + "; ".join(words) + ". Overfitting needs the validation loss "
                     "rising or the gap widening while the training loss falls."))


def instructor_section(sol, an, v, trends, timing):
    """How the verdicts were decided (t tests, the validation minimum), for the instructor."""
    st, log = an.setup, an.log
    f, ft, tcrit, tcrit_e = trends["val"], trends["train"], trends["tcrit"], trends["tcrit_e"]
    sec = sol.section("How the verdicts were decided", audience="instructor")
    t_val, rate = float(f.t), float(trends["rate"])
    if v["diverged"]:
        why = (f"the loss became NaN or Inf at line {an.cut.line}" if an.cut is not None else
               f"the mean training loss rises by {fnum(ft.b, 3)} per epoch (t = {fnum(ft.t, 3)} > "
               f"{fnum(tcrit_e, 3)})")
        sec.add(Text(f"Learning: no, the run diverges: {why}."))
    else:
        sec.add(Text(f"Learning: {'yes' if v['learning'] else 'no'}. Validation-loss slope "
                     f"{fnum(trends['per_epoch'], 3)} per epoch, t = {fnum(t_val, 3)} against the one-sided "
                     f"critical value -{fnum(tcrit, 3)}; {pct(rate, 2)} per epoch over the run."))
    if v["learning"]:
        sec.add(Text(f"Learning well: {'no' if v['slow'] else 'yes'}: the key calls a fall of less than "
                     f"{pct(st.slow_rate, 2)} per epoch slow (the slow_rate setting); the model answer argues "
                     f"from the halving time instead, and graders should not apply the threshold."))
    _overfitting_text(sec, an, v, trends)
    sol.assume(f"'Overfitting' means the validation loss rising by more than {pct(st.rise_tolerance, 2)} above "
               f"its minimum, or the gap (validation minus training) positive and widening, while the training "
               f"loss falls; a validation loss below the training loss and approaching it is not overfitting.")


def verdict_section(sol, an, timing, trends):
    """Part b's model answer (the same mini-batch, the validation loss, the verdicts, the change) and
    the instructor's account of how each verdict was decided."""
    from .batches import same_batch
    from .model_b import (change_text, halving_steps, learning_text, overfitting_text, same_batch_gaps,
                          same_batch_steps, validation_steps)

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
    learning_text(sec, v, (trends["rate"], batch_rate))
    sol.answer("learning", v["learning"], part="b", label="learning", final=True)
    sol.answer("diverging", v["diverged"], part="b", label="diverging")
    overfitting_text(sec, an, v, same_batch_gaps(sol, an, sb, trends["complete"]))
    sol.answer("overfitting", v["overfitting"], part="b", label="overfitting", final=True)
    sol.answer("gap_growing", v["gap_growing"], part="b", label="the gap widens")
    lr, constant = _lr_info(an.log)
    rec = change_text(sol, sec, an, v, trends, lr, constant)
    sol.answer("recommendation", rec, part="b", label="what to change", final=True)
    instructor_section(sol, an, v, trends, timing)
    return v, sb
