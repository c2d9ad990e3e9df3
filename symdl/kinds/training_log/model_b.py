"""Part b's model answer: the same mini-batch and the validation loss across epochs, the verdicts, what to change."""

from __future__ import annotations

import sympy

from symdl.notation.display import Percent, ValueShown
from symdl.kinds.training_log.notation import LogCompoundRate, LogEpochSpan
from symdl.solution import Step, Text

from .batches import compound
from .numbers import fnum, shown, sym
from .stats import _q

_SHUFFLE_WORDS = {
    "once": "shuffles the training set once, before the first epoch (Shuffle 'once'), so",
    "never": "does not shuffle the training set, so",
}


def pct(rate, sig=2):
    """A relative change (a fraction) in per cent, rounded: a math object for a sentence."""
    return Percent(sympy.Float(float(rate) * 100, 15), approx=True, sig=sig)


def num(value, sig=5):
    return ValueShown(sympy.Float(float(value), 15) if not isinstance(value, int) else sympy.Integer(value),
                      sig, bare=True)


def same_batch_steps(sol, sec, an, sb):
    """The loss of the same mini-batch in the first and the last epoch that logged it, as a rate per epoch."""
    if sb is None:
        return None
    e0, i0, y0, _ = sb.first
    e1, i1, y1, _ = sb.last
    who = "MATLAB" if an.setup.framework == "matlab" else "The training loop"
    lows = [r.values["train_loss"] for r in an.log.rows[:an.cut_index]
            if r.values.get("train_loss") is not None and not isinstance(r.values["train_loss"], float)]
    sec.add(Text(f"Assumption: {who} {_SHUFFLE_WORDS[an.setup.shuffle]} the mini-batch at position {sb.position} "
                 f"of an epoch holds the same samples in every epoch. The log bears it out: that mini-batch's "
                 f"loss is lower than in the epoch before ", sympy.Integer(sb.falls), " times out of ",
                 sympy.Integer(sb.steps), ", while the logged losses of different mini-batches scatter from ",
                 num(min(lows)), " to ", num(max(lows)), ", far more than any trend. So learning shows in the "
                 "loss of that same mini-batch from epoch to epoch."))
    exact, rate = compound(y0, y1, e1 - e0)
    Y0, Y1 = sym(f"L_{{{e0}}}"), sym(f"L_{{{e1}}}")
    sec.add(Step(f"Loss of that mini-batch (iterations {i0}, ..., {i1}), change per epoch over the "
                 f"{e1 - e0} epochs between:", lhs=sym("r_{batch}"),
                 formula=LogCompoundRate(Y1, Y0, LogEpochSpan()),
                 substituted=LogCompoundRate(_q(y1), _q(y0), sympy.Integer(e1 - e0)), result=exact))
    sec.add(Text("That is ", pct(rate), " per epoch on average."))
    sol.answer("same_batch.position", sympy.Integer(sb.position), part="b",
               label="position of the compared mini-batch in its epoch")
    sol.answer("same_batch.change_per_epoch", exact, part="b", unit="relative change per epoch",
               label=Text("change per epoch of the same mini-batch's loss ", sym("r_{batch}")), digits=2)
    sol.answer("same_batch.falls", sympy.Integer(sb.falls), part="b", unit="epochs",
               label="epochs in which the same mini-batch's loss fell")
    return rate


def validation_steps(sol, sec, an, trends):
    """The validation loss's change per epoch (the compound rate), as a student computes it."""
    pts = an.val_points
    y0, y1 = pts[0][3], pts[-1][3]
    ys = [p[3] for p in pts]
    falls = sum(1 for a, b in zip(ys, ys[1:]) if b < a)
    span = (pts[-1][0] - pts[0][0]) / (an.iterations if an.x_unit == "iteration" else 1)
    Y0, Y1 = sym("V_{first}"), sym("V_{last}")
    sec.add(Text("The validation loss goes from ", num(y0, 8), " (first evaluation) to ", num(y1, 8),
                 " (last) over ", num(span, 5), " epochs."))
    sec.add(Step("Validation loss, change per epoch:", lhs=sym("r_{val}"),
                 formula=LogCompoundRate(Y1, Y0, LogEpochSpan()),
                 substituted=LogCompoundRate(_q(y1), _q(y0), shown(span)), result=trends["rate"]))
    sec.add(Text("The validation loss is lower than at the evaluation before ", sympy.Integer(falls),
                 " times out of ", sympy.Integer(len(ys) - 1), ", ", pct(trends["rate"]), " per epoch and ",
                 pct(trends["total"]), " over the run."))
    # the evidence for the verdicts, not an answer the exam asks for: no box, no points
    sol.describe("val_loss_change_per_epoch", part="b", unit="relative change per epoch", digits=2,
                 label=Text("change per epoch of the validation loss ", sym("r_{val}")), final=False)
    sol.describe("val_loss_change_total", part="b", unit="relative change", digits=3,
                 label="change of the validation loss over the run")
    sol.answer("val_loss.falls", sympy.Integer(falls), part="b", unit="evaluations",
               label="validation evaluations lower than the one before")
    return falls, len(ys) - 1


def halving_steps(sol, sec, an, trends, timing):
    """Epochs (and hours) the validation loss needs to halve at its present rate; None when it does not fall."""
    rate = trends["rate"]
    if float(rate) >= 0:
        return None
    r = sym("r_{val}")
    with sympy.evaluate(False):
        formula = sympy.log(sympy.Rational(1, 2)) / sympy.log(1 + r)
    # unevaluated: log of a power of a ratio of huge integers would factor them (minutes)
    half = sympy.log(sympy.Rational(1, 2), evaluate=False)
    epochs = sympy.Mul(half, sympy.Pow(sympy.log(sympy.Add(1, rate, evaluate=False), evaluate=False), -1,
                                       evaluate=False), evaluate=False)
    with sympy.evaluate(False):
        numbers = sympy.log(sympy.Rational(1, 2)) / sympy.log(1 + sympy.Float(float(rate), 4))
    sec.add(Step("At this rate, halving the validation loss takes", lhs=sym("n_{1/2}"), formula=formula,
                 substituted=numbers, result=epochs))
    sol.answer("epochs_to_halve_val_loss", epochs, part="b", unit="epochs", digits=3,
               label=Text("epochs for the validation loss to halve at this rate ", sym("n_{1/2}")))
    if timing:
        hours = sympy.Mul(epochs, _q(timing["per_epoch"]) / 3600, evaluate=False)
        sec.add(Text("that is about ", num(hours, 2), " hours of training at ", num(timing["per_epoch"] / 60, 3),
                     " minutes per epoch."))
        sol.answer("hours_to_halve_val_loss", hours, part="b", unit="h", digits=2,
                   label="hours of training for the validation loss to halve")
    return float(epochs)


def learning_text(sec, v, rates, where=None):
    """The boxed learning verdict from the verdict booleans and the rates shown above it."""
    if v["diverged"]:
        sec.add(Text("Learning: no, the run diverges.", boxed=True))
    elif v["learning"]:
        how = ", but slowly" if v["slow"] else ""
        sec.add(Text(f"Learning: yes{how}: the losses fall steadily, by ", pct(-rates[0]),
                     *(() if rates[1] is None else (" (validation) and ", pct(-rates[1]), " (same mini-batch)")),
                     " per epoch.", boxed=True))
    elif v["val_rising"] and where is not None:
        sec.add(Text(f"Learning: only until epoch {where[2]}: the validation loss fell to its lowest value "
                     "there, ", num(where[3]), ", and has risen since.", boxed=True))
    else:
        sec.add(Text("Learning: no, the validation loss does not fall over the run.", boxed=True))


def learning_words(v, where=None) -> str:
    """The learning verdict in the words of the boxed answer (for the summary)."""
    if v["diverged"]:
        return "no, the run diverges"
    if v["learning"]:
        return "yes, but slowly" if v["slow"] else "yes"
    if v["val_rising"] and where is not None:
        return f"only until epoch {where[2]}"
    return "no"


def overfitting_words(v, gaps) -> str:
    """The overfitting verdict in the words of the boxed answer (for the summary)."""
    if v["diverged"]:
        return "cannot be judged (diverging)"
    if v["overfitting"]:
        return "yes"
    if not v["val_below"] and gap_course(gaps[0])[0] == "narrows-then-widens":
        return "not yet"
    return "no"


def same_batch_gaps(sol, an, sb, complete):
    """The gap between the validation and the training loss, epoch by epoch: in the rows where both are
    logged for the same mini-batch when there are such rows, else the epoch table's (interpolated) gaps.
    Returns (series [(epoch, gap), ...], how) with ``how`` "row" or "epoch"; answers gap.first, gap.last."""
    both = [p for p in (sb.points if sb else []) if p[3] is not None]
    if len(both) >= 2:
        series, how = [(p[0], p[3] - p[2]) for p in both], "row"
    else:
        series, how = [(e.number, e.gap) for e in complete], "epoch"
    label = "validation minus training loss"
    sol.answer("gap.first", _q(series[0][1]), part="b", label=f"{label}, epoch {series[0][0]}")
    sol.answer("gap.last", _q(series[-1][1]), part="b", label=f"{label}, epoch {series[-1][0]}")
    return series, how


def gap_course(series):
    """How the gap went, as the sentence's pieces: ("widens"|"narrows"|"narrows-then-widens", points)
    where points are (epoch, gap) pairs the sentence names: first and last, and the turning epoch
    (the narrowest gap) when the gap narrowed to it and then widened by more than a tenth of its fall."""
    (e0, g0), (e1, g1) = series[0], series[-1]
    k = min(range(len(series)), key=lambda i: series[i][1])
    em, gm = series[k]
    if 0 < k < len(series) - 1 and (g1 - gm) > (g0 - gm) / 10:
        return "narrows-then-widens", [(e0, g0), (em, gm), (e1, g1)]
    return ("widens" if g1 > g0 else "narrows"), [(e0, g0), (e1, g1)]


def _gap_words(series, where):
    course, pts = gap_course(series)
    if course == "narrows-then-widens":
        (e0, g0), (em, gm), (e1, g1) = pts
        return (f"its gap to the training loss{where} narrowed from ", num(g0), f" at epoch {e0} to ", num(gm),
                f" at epoch {em} and has widened since, to ", num(g1), f" at epoch {e1}")
    (e0, g0), (e1, g1) = pts
    verb = "widened" if course == "widens" else "narrowed"
    return (f"its gap to the training loss{where} {verb} from ", num(g0), f" at epoch {e0} to ", num(g1),
            f" at epoch {e1}")


def overfitting_text(sec, an, v, gaps):
    series, how = gaps
    (e0, g0), (e1, g1) = series[0], series[-1]
    where = " of the same mini-batch" if how == "row" else ""
    ys = [p[3] for p in an.val_points]
    k = v["min_index"]
    if v["diverged"]:
        sec.add(Text("Overfitting: cannot be judged: a diverging run does not fit even the training data.",
                     boxed=True))
    elif v["overfitting"]:
        if v["val_rising"]:
            sec.add(Text("Overfitting: yes: the training loss keeps falling while the validation loss rose from "
                         "its lowest value ", num(ys[k]), f" (epoch {an.val_points[k][2]}) to ", num(ys[-1]),
                         ", ", pct(v["rise"]), " higher.", boxed=True))
        else:
            sec.add(Text("Overfitting: yes: the training loss keeps falling while ", *_gap_words(series, where),
                         ".", boxed=True))
    elif v["val_below"]:
        sec.add(Text(f"Overfitting: no: the validation loss stays below the training loss{where} (gap ", num(g0),
                     f" at epoch {e0}, ", num(g1), f" at epoch {e1}) and falls with it. A validation loss below "
                     "the training loss comes from what acts in training only (dropout, augmentation) or from a "
                     "training loss averaged over an epoch while the model improves; it is not overfitting.",
                     boxed=True))
    elif gap_course(series)[0] == "narrows-then-widens":
        sec.add(Text("Overfitting: not yet: the validation loss keeps falling, but ", *_gap_words(series, where),
                     ": a first sign of overfitting, to watch if the run is made longer.", boxed=True))
    else:
        sec.add(Text("Overfitting: no: the validation loss keeps falling and ", *_gap_words(series, where), ".",
                     boxed=True))


def change_text(sol, sec, an, v, trends, lr, constant):
    """The boxed change and its reason; returns the recommendation as one plain sentence for answers.json."""
    names, rate = an.setup.names, trends["rate"]
    lr_now = () if lr is None else (", from ", num(lr, 3), " to ", num(lr / 10, 3))
    if v["diverged"]:
        sec.add(Text(f"Change: lower the learning rate ({names['lr']}) tenfold", *lr_now,
                     ", and consider gradient clipping.", boxed=True))
        sec.add(Text("Why: a diverging loss means the steps overshoot; smaller steps are the first fix."))
        return (f"Lower the learning rate ({names['lr']}) tenfold"
                + (f", from {fnum(lr, 3)} to {fnum(lr / 10, 3)}" if lr is not None else "")
                + ", and consider gradient clipping.")
    if v["overfitting"]:
        stop = an.val_points[v["min_index"]][2]
        sec.add(Text(f"Change: regularize: raise {names['l2']} (weight decay) or add dropout or data augmentation, "
                     f"and stop at the validation minimum (epoch {stop}; {names['patience']}).", boxed=True))
        sec.add(Text("Why: the model keeps fitting the training set while the validation loss gets worse, so it "
                     "fits noise; more regularization or fewer epochs attack exactly that."))
        return (f"Regularize ({names['l2']}, dropout or augmentation) and stop at the validation minimum "
                f"(epoch {stop}).")
    if v["slow"] or not v["learning"]:
        lr_up = () if lr is None else (", from ", num(lr, 3), " to ", num(lr * 10, 3))
        sec.add(Text(f"Change: raise the learning rate ({names['lr']}) tenfold", *lr_up, ".", boxed=True))
        steady = ("the losses fall steadily" if v["learning"] else "the validation loss hardly moves")
        forecast = 10 * rate
        sol.answer("forecast.change_per_epoch_10x", forecast, part="b", unit="relative change per epoch", digits=2,
                   label="first-order estimate of the change per epoch with ten times the learning rate")
        sec.add(Text(f"Why: {steady} and nothing overfits or diverges, so the model is under-trained: its steps "
                     "are too small" + (" (the learning rate is constant at " if constant and lr is not None else
                                        "" if lr is None else " (the learning rate starts at "),
                     *(() if lr is None else (num(lr, 3), ")")),
                     ". To first order the fall per epoch is proportional to the learning rate, so ten times the "
                     "rate should give a fall of ", pct(-forecast), " per epoch instead of ", pct(-rate),
                     ". This is a first-order estimate for small steps: a larger rate can also overshoot, so try "
                     "it in short runs (one or two epochs at 10, 30 and 100 times the rate) and keep the largest "
                     "rate whose loss falls faster without spikes."))
        return (f"Raise the learning rate ({names['lr']}) tenfold"
                + (f", from {fnum(lr, 3)} to {fnum(lr * 10, 3)}" if lr is not None else "")
                + "; confirm with short runs at 10, 30 and 100 times the rate.")
    sec.add(Text(f"Change: train for more epochs ({names['epochs']}), with a learning-rate decay once the "
                 "validation loss levels off.", boxed=True))
    sec.add(Text("Why: the validation loss still falls ", pct(-rate), " per epoch with no sign of overfitting, "
                 "so more training still pays off."))
    return f"Train for more epochs ({names['epochs']}), with a learning-rate decay once the validation loss levels off."
