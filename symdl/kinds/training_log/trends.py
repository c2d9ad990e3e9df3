"""The training-log trend section: least-squares slopes, their t statistics, the relative change, the gap."""

from __future__ import annotations

import weakref
from fractions import Fraction

import numpy as np
import sympy

from symdl.notation.display import LogFixed
from symdl.kinds.training_log.notation import LogCompoundRate, LogEpochSpan, LogFitSums, LogFitTerm, LogTCritical
from symdl.notation.printer import substitute
from symdl.solution import Step, Table, Text

from .numbers import fnum, shown, slope_formula, slope_values, sym
from .stats import _q, fit, t_critical


def _fit_steps(sec, xs, ys, xname, yname, lhs="b", unit="per epoch"):
    """Steps for the least-squares slope, the sums shown and then substituted; returns the Fit."""
    f = fit(xs, ys)
    sec.add(Text(f"Sums over the n = {f.n} points (x = {xname}, y = {yname}): ",
                 LogFitSums(shown(f.sx), shown(f.sy), shown(f.sxx), shown(f.sxy)), "."))
    slope = slope_formula()
    sec.add(Step(f"Least-squares slope ({unit}):", lhs=sym(lhs), formula=slope,
                 substituted=substitute(slope, slope_values(f)), result=_q(f.b)))
    return f


def _t_steps(sec, f, bname="b"):
    b, sse, n, sxxc = sym(bname), sym("SSE"), sym("n"), sym(r"S_{xx}^{c}")
    with sympy.evaluate(False):
        t = b / sympy.sqrt(sse / ((n - 2) * sxxc))
    vals = {b: shown(f.b), sse: shown(f.sse), n: sympy.Integer(f.n), sxxc: shown(f.sxx_centered)}
    sec.add(Text("Residual sum of squares ", LogFitTerm("sse", shown(f.sse)),
                 " with intercept ", LogFitTerm("intercept", shown(f.a)), ", and ",
                 LogFitTerm("centered", shown(f.sxx_centered)), "."))
    sec.add(Step("t statistic of the slope (slope over its standard error):", lhs=sym("t"),
                 formula=t, substituted=substitute(t, vals), result=f.t))


def trend_section(sol, an):
    """The trends of the validation loss, the epoch-mean training loss and the gap; their numbers for the verdicts."""
    st = an.setup
    sec = sol.section("Trends in the losses", audience="instructor")
    f, tcrit, per_epoch = _val_trend(sol, sec, an)
    rate, total = _relative_change(sol, sec, an)
    ft, fg, tcrit_e, complete = _epoch_trends(sol, sec, an)
    sec.add(Text(f"The trend tests treat the points as independent noise around a straight line (one-sided t "
                 f"tests at level {fnum(st.alpha)}); smooth curves have correlated residuals, so the t values "
                 f"overstate the certainty, and only their sign and rough size are used. The validation loss is "
                 f"taken to change linearly between two validation rows (to compare it with the epoch-mean "
                 f"training loss at the same point of training)."
                 + ("" if an.x_unit == "iteration" else " A training loss without an iteration number is the "
                    "average over its epoch (as Keras logs it), placed at the middle of the epoch.")))
    for name, unit, label in (
            ("val_loss_slope_per_epoch", "loss per epoch", "least-squares slope of the validation loss"),
            ("val_loss_slope_t", None, "t statistic of the validation-loss slope"),
            ("t_critical", None, "one-sided critical t value (validation points)"),
            ("train_loss_slope_per_epoch", "loss per epoch", "least-squares slope of the epoch-mean training loss"),
            ("train_loss_slope_t", None, "t statistic of the training-loss slope"),
            ("gap_slope_per_epoch", "loss per epoch", "least-squares slope of the gap"),
            ("gap_slope_t", None, "t statistic of the gap's slope"),
            ("t_critical_epochs", None, "one-sided critical t value (epochs)")):
        sol.describe(name, part="b", unit=unit, label=label)
    trends = {"val": f, "tcrit": tcrit, "rate": rate, "total": total, "train": ft, "gap": fg,
              "tcrit_e": tcrit_e, "complete": complete, "per_epoch": per_epoch}
    key = id(sol)
    _FOUND[key] = (weakref.ref(sol, lambda _, key=key: _FOUND.pop(key, None)), trends)
    return trends


_FOUND: dict = {}   # id(Solution) -> (weak reference to it, its trends): kept while the Solution lives


def found_trends(sol):
    """The trends trend_section found for ``sol`` (the mistakes reuse them rather than fit again), or None."""
    ref, trends = _FOUND.get(id(sol), (None, None))
    return trends if ref is not None and ref() is sol else None


def _val_trend(sol, sec, an):
    """The validation loss's least-squares slope per epoch and its t test."""
    st = an.setup
    I = an.iterations
    pts = an.val_points
    xs = [p[0] for p in pts]
    ys = [p[3] for p in pts]
    if an.x_unit == "iteration":
        sec.add(Text(f"Validation loss y at iteration x ({len(pts)} validation rows). The slope per "
                     f"iteration times I = {I} gives the slope per epoch; keeping x in whole iterations "
                     f"keeps every sum an exact decimal."))
        f = _fit_steps(sec, xs, ys, "iteration", "validation loss", lhs=r"b_{it}", unit="per iteration")
        per_epoch = f.b * I
        b_it, I_ = sym(r"b_{it}"), sym("I")
        sec.add(Step("Slope per epoch:", lhs=sym(r"b_{epoch}"), formula=I_ * b_it,
                     substituted=substitute(I_ * b_it, {I_: sympy.Integer(I), b_it: shown(f.b)}),
                     result=_q(per_epoch)))
    else:
        sec.add(Text(f"Validation loss y at the end of epoch x ({len(pts)} epochs)."))
        f = _fit_steps(sec, xs, ys, "epoch", "validation loss")
        per_epoch = f.b
    sol.answer("val_loss_slope_per_epoch", _q(per_epoch))
    _t_steps(sec, f, r"b_{it}" if an.x_unit == "iteration" else "b")
    df = f.n - 2
    tcrit = t_critical(st.alpha, df)
    sec.add(Text(f"One-sided test at level {fnum(st.alpha)} with n - 2 = {df} degrees of freedom: "
                 f"the critical value is ", LogTCritical(sympy.Float(tcrit, 6), _q(1 - st.alpha), df), "."))
    sol.answer("val_loss_slope_t", f.t)
    sol.answer("t_critical", tcrit)
    return f, tcrit, per_epoch


def _relative_change(sol, sec, an):
    """The validation loss's relative change over the run and per epoch (the compound rate)."""
    I, pts = an.iterations, an.val_points
    xs = [p[0] for p in pts]
    # relative change
    y0, y1 = pts[0][3], pts[-1][3]
    span = (xs[-1] - xs[0]) / (I if an.x_unit == "iteration" else 1)
    Y0, Y1 = sym("y_{first}"), sym("y_{last}")
    with sympy.evaluate(False):
        rho = (Y1 - Y0) / Y0
    total = (y1 - y0) / y0
    sec.add(Step("Relative change of the validation loss over the run:", lhs=sym("rho"), formula=rho,
                 substituted=substitute(rho, {Y0: _q(y0), Y1: _q(y1)}), result=_q(total)))
    De = LogEpochSpan()
    if an.x_unit == "iteration":
        X0, X1, I_ = sym("i_{last}"), sym("i_{first}"), sym("I")
        with sympy.evaluate(False):
            span_formula = (X0 - X1) / I_
        span_vals = {X0: sympy.Integer(pts[-1][1]), X1: sympy.Integer(pts[0][1]), I_: sympy.Integer(I)}
        sec.add(Step("Epochs between the first and the last validation row:", lhs=De, formula=span_formula,
                     substituted=substitute(span_formula, span_vals), result=_q(span)))
    # unevaluated: SymPy would raise the ratio's integers to the power's numerator (1500 -> 97 s)
    ratio = _q(y1) / _q(y0)
    rate = sympy.Integer(0) if ratio == 1 else sympy.Pow(ratio, 1 / _q(span), evaluate=False) - 1
    formula = LogCompoundRate(Y1, Y0, De)
    numbers = LogCompoundRate(_q(y1), _q(y0), shown(span))
    sec.add(Step("Relative change per epoch (the compound rate that gives the whole change over "
                 "the epochs between the first and the last validation row):", lhs=sym("r"),
                 formula=formula, substituted=numbers, result=rate))
    sol.answer("val_loss_change_total", _q(total))
    sol.answer("val_loss_change_per_epoch", rate)
    return rate, total


def _epoch_trends(sol, sec, an):
    """The per-epoch table, and the trends of the epoch-mean training loss and of the gap."""
    st = an.setup
    # per-epoch table, training trend and gap
    complete = [e for e in an.epochs if e.train and e.val_mid is not None]
    rows = []
    listed = complete if len(complete) <= 40 else complete[:20] + [None] + complete[-19:]
    for e in listed:
        if e is None:
            rows.append(["...", "", "", "", "", "", ""])
            continue
        spread = e.spread
        rows.append([str(e.number), str(len(e.train)), LogFixed(e.mean, 2),
                     LogFixed(spread, 1) if spread is not None else "--",
                     LogFixed(e.position, 2), LogFixed(e.val_mid, 2),
                     LogFixed(e.gap, 2)])
    sec.add(Text("Per epoch: the training loss is the mean of the mini-batch losses logged in that epoch "
                 "(single mini-batch values are noisy; their sample standard deviation s shows how much). "
                 "That mean describes the model at the mean position of those mini-batches ('at epoch', in "
                 "epochs of training), so the validation loss is interpolated linearly to the same position; "
                 "the gap is validation minus training. Comparing with the end-of-epoch validation instead would "
                 "bias the gap by about half an epoch's fall of the loss."))
    sec.add(Table(["epoch", "mini-batches", "mean train loss", "s", "at epoch", "validation", "gap"], rows,
                  align="rrrrrrr", small=True, caption="Values rounded for display; the fits use the exact values."))
    spreads = [float(e.spread) for e in complete if e.spread is not None]
    means = [float(e.mean) for e in complete]
    ex = [Fraction(e.number) for e in complete]
    ft = fit(ex, [e.mean for e in complete])
    fg = fit(ex, [e.gap for e in complete])
    tcrit_e = t_critical(st.alpha, len(complete) - 2)
    if spreads:
        sec.add(Text(f"The mini-batch losses scatter with a standard deviation of {fnum(min(spreads), 3)} to "
                     f"{fnum(max(spreads), 3)} within an epoch (median {fnum(np.median(spreads), 3)}), "
                     f"against a mean of {fnum(np.mean(means), 4)}: one mini-batch value says little, the "
                     f"epoch mean and its trend say more."))
    sec.add(Text("Training trend: least squares of the epoch-mean training loss over the epoch number."))
    _fit_steps(sec, ex, [e.mean for e in complete], "epoch", "mean training loss", lhs=r"b_{train}")
    _t_steps(sec, ft, r"b_{train}")
    sec.add(Text("Gap trend: the same least squares for the gap (validation minus mean training loss) "
                 "over the epoch number."))
    _fit_steps(sec, ex, [e.gap for e in complete], "epoch", "gap", lhs=r"b_{gap}")
    _t_steps(sec, fg, r"b_{gap}")
    sec.add(Text(f"Critical value for these {len(complete)} epochs ({len(complete) - 2} degrees of freedom): ",
                 LogTCritical(sympy.Float(tcrit_e, 6)), "."))
    sol.answer("train_loss_slope_per_epoch", _q(ft.b))
    sol.answer("train_loss_slope_t", ft.t)
    sol.answer("gap_slope_per_epoch", _q(fg.b))
    sol.answer("gap_slope_t", fg.t)
    sol.answer("t_critical_epochs", tcrit_e)
    return ft, fg, tcrit_e, complete
