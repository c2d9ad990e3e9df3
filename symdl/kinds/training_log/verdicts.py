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
    gap_growing = t_gap > tcrit_e
    ys = [p[3] for p in an.val_points]
    k = min(range(len(ys)), key=lambda i: (ys[i], i))
    rise = (ys[-1] - ys[k]) / ys[k]
    val_rising = k < len(ys) - 1 and rise > st.rise_tolerance
    overfitting = not diverged and train_falling and (gap_growing or val_rising)
    slow = learning and abs(float(trends["rate"])) < float(st.slow_rate)
    return dict(diverged=diverged, learning=learning, train_falling=train_falling,
                gap_growing=gap_growing, val_rising=val_rising, overfitting=overfitting, slow=slow,
                min_index=k, rise=rise)


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


def verdict_section(sol, an, timing, trends):
    st, log = an.setup, an.log
    v = verdicts(an, trends)
    f, ft, fg = trends["val"], trends["train"], trends["gap"]
    tcrit, tcrit_e = trends["tcrit"], trends["tcrit_e"]
    names = st.names
    sec = sol.section("Is it learning, is it overfitting, what to change", part="b")
    t_val = float(f.t)
    per_epoch = trends["per_epoch"]
    rate = float(trends["rate"])

    # learning
    if v["diverged"]:
        why = (f"the loss became NaN or Inf at line {an.cut.line}" if an.cut is not None else
               f"the mean training loss rises by {fnum(ft.b, 3)} per epoch (t = {fnum(ft.t, 3)} > "
               f"{fnum(tcrit_e, 3)})")
        sec.add(Text(f"Learning: no, the run diverges: {why}."))
    elif v["learning"]:
        sec.add(Text(f"Learning: yes. The validation loss falls by {fnum(-per_epoch, 3)} per epoch, and the "
                     f"slope is significantly below zero (t = {fnum(t_val, 3)} < -{fnum(tcrit, 3)}). Over the "
                     f"run it changed by {pct(trends['total'], 3)}, i.e. {pct(rate, 2)} per epoch."))
    else:
        ys = [p[3] for p in an.val_points]
        k = v["min_index"]
        turn = (f" It did fall, to its lowest value at epoch {an.val_points[k][2]}, and then rose again "
                f"(see overfitting below)." if v["val_rising"] else "")
        sec.add(Text(f"Learning: no. The validation-loss slope {fnum(per_epoch, 3)} per epoch over the whole run is "
                     f"not significantly below zero (t = {fnum(t_val, 3)}, needs < -{fnum(tcrit, 3)}).{turn}"))
    sol.answer("learning", v["learning"])
    sol.answer("diverging", v["diverged"])

    # well? (rate)
    lr, constant = _lr_info(log)
    lr_text = f"{fnum(lr, 3)}" if lr is not None else None
    if v["learning"]:
        halve = math.log(0.5) / math.log(1 + rate) if rate < 0 else math.inf
        hours = (f", about {fnum(halve * float(timing['per_epoch']) / 3600, 2)} h of training"
                 if timing and math.isfinite(halve) else "")
        if v["slow"]:
            how = "far too slowly" if -rate < float(st.slow_rate) / 2 else "too slowly"
            sec.add(Text(f"Learning well: no, {how}. {pct(-rate, 2)} per epoch is below the "
                         f"{pct(st.slow_rate, 2)} per epoch taken here as the least for a healthy run; at this "
                         f"rate halving the validation loss would take ln(1/2) / ln(1 + r) = "
                         f"{fnum(halve, 3)} epochs{hours}."
                         + (f" The learning rate is {'constant at ' if constant else ''}{lr_text}." if lr_text else "")))
        else:
            sec.add(Text(f"Learning well: yes, the validation loss falls {pct(-rate, 2)} per epoch."))

    # overfitting
    _overfitting_text(sec, an, v, trends)
    sol.answer("overfitting", v["overfitting"])
    sol.answer("gap_growing", v["gap_growing"])

    # recommendation
    rec, why = recommendation(an, trends, v, lr, constant)
    sec.add(Text("What to change next: " + rec))
    sec.add(Text("Why: " + why))
    sol.answer("recommendation", rec)
    sol.assume(f"'Learning' means a validation-loss slope significantly below zero; 'learning well' means a fall "
               f"of at least {pct(st.slow_rate, 2)} per epoch (spec field slow_rate); 'overfitting' means the "
               f"validation loss rising by more than {pct(st.rise_tolerance, 2)} above its minimum (rise_tolerance) "
               f"or the gap widening significantly, while the training loss falls.")


def recommendation(an, trends, v, lr, constant):
    """(sentence naming the parameter, reasons) from the verdicts."""
    names = an.setup.names
    rate = float(trends["rate"])
    lr_now = f" from {fnum(lr, 3)} to {fnum(lr / 10, 3)}" if lr is not None else ""
    if v["diverged"]:
        return (f"Lower the learning rate ({names['lr']}) by a factor of 10{lr_now} and consider gradient "
                f"clipping; check that the training loss falls steadily, without spikes or NaN, in the first "
                f"epoch.",
                "a diverging loss means the steps overshoot: smaller steps are the first fix.")
    if v["overfitting"]:
        k = v["min_index"]
        stop = an.val_points[k][2]
        return (f"Regularize: raise {names['l2']} (weight decay) or add dropout / data augmentation, and stop "
                f"at the validation minimum (epoch {stop}; {names['patience']}); check that the validation loss "
                f"stops rising while the training loss falls.",
                "the model keeps fitting the training set while the validation loss gets worse, so it fits "
                "noise; more regularization or fewer epochs attack exactly that.")
    if v["slow"] or not v["learning"]:
        target = rate * 10
        now = f", now {'constant at ' if constant else ''}{fnum(lr, 3)}," if lr is not None else ""
        trial = (f" ({', '.join(fnum(lr * k, 3) for k in (10, 30, 100))})" if lr is not None else "")
        return (f"Raise the learning rate ({names['lr']}){now} by a factor of 10"
                f"{f' to {fnum(lr * 10, 3)}' if lr is not None else ''}; settle the value with a short "
                f"range test of 1 to 2 epochs each at 10x, 30x and 100x{trial}, keeping the largest rate whose "
                f"training loss falls clearly faster without spikes or NaN, and check that the validation "
                f"loss falls faster too.",
                (f"the loss falls only {pct(-rate, 2)} per epoch and there is no sign of overfitting, so the "
                 f"model is under-trained, not over-fitted; for small steps the fall per epoch grows about in "
                 f"proportion to the learning rate, so 10x should give roughly {pct(-target, 2)} per epoch. "
                 f"The range test guards against going past the stable rate."
                 if v["learning"] else
                 "the validation loss does not fall significantly and nothing diverges, so the steps are too "
                 "small to move the loss; if a 10x larger rate still does not help, check the data, the labels "
                 "and the loss."))
    return (f"Keep the learning rate and train for more epochs ({names['epochs']}), with a learning-rate "
            f"decay once the validation loss levels off; check that the gap stays flat.",
            f"the validation loss still falls {pct(-rate, 2)} per epoch with no sign of overfitting, so more "
            f"training is still paying off.")


# ---------------------------------------------------------------------------------------
