"""The training-log figures as data: the loss and metric curves and the gap per epoch (drawn by the template)."""

from __future__ import annotations

import math
from fractions import Fraction

from symdl.solution import Figure, only

from .numbers import fnum
from .stats import _finite


PLOT_POINTS = 1000      # more points than this per curve are thinned (TeX's memory is finite)


def _thin(points):
    """(every k-th point, k) so that a curve keeps at most PLOT_POINTS points (the last one kept)."""
    if len(points) <= PLOT_POINTS:
        return points, 1
    k = -(-len(points) // PLOT_POINTS)
    kept = points[::k]
    return (kept + [points[-1]] if kept[-1] is not points[-1] else kept), k


def _coords(points):
    return " ".join(f"({fnum(x, 8)},{fnum(y, 8)})" for x, y in points
                    if math.isfinite(float(x)) and math.isfinite(float(y)))


def plots(sol, an, trends):
    log = an.log
    I = an.iterations
    by_iteration = I is not None and all(r.iteration is not None for r in log.rows)
    xkey = "iteration" if by_iteration else "epoch"
    sec = sol.section("Plots", audience="full")

    def xpos(r):
        return r.iteration if by_iteration else r.epoch

    def mean_x(e):
        return e.position * I if by_iteration else e.position

    for key, word in (("loss", "loss"), ("metric", log.metric or "metric")):
        tkey, vkey = ("train_loss", "val_loss") if key == "loss" else ("train_metric", "val_metric")
        if tkey not in log.columns:
            continue
        batch = [(xpos(r), r.values[tkey]) for r in log.rows if _finite(r.values.get(tkey))]
        val = [(xpos(r), r.values[vkey]) for r in log.rows if _finite(r.values.get(vkey))]
        means = []
        for e in an.epochs:
            vals = [r.values[tkey] for r in log.rows[:an.cut_index]
                    if r.epoch == e.number and _finite(r.values.get(tkey))]
            if vals and e.position is not None:
                means.append((mean_x(e), sum(vals, Fraction(0)) / len(vals)))
        batch, k_batch = _thin(batch)
        means, _ = _thin(means)
        val, k_val = _thin(val)
        if by_iteration:
            series = [{"role": "batch", "label": f"mini-batch {word}", "coords": _coords(batch)},
                      {"role": "mean", "label": f"epoch mean of mini-batch {word}", "coords": _coords(means)}]
        else:   # one training value per epoch, already an average over the epoch
            series = [{"role": "mean", "label": f"training {word} (epoch average)", "coords": _coords(means)}]
        if val:
            series.append({"role": "val", "label": f"validation {word}", "coords": _coords(val)})
        thinned = (f" Every {k_batch}th logged mini-batch is drawn." if k_batch > 1 else "") + (
            f" Every {k_val}th validation value is drawn." if k_val > 1 else "")
        sec.add(Figure("curves", {"xlabel": xkey, "ylabel": word, "series": series,
                                  "epoch_ticks": False},
                       caption=(f"{word[0].upper() + word[1:]} per {xkey}: every logged mini-batch, the mean of "
                                f"each epoch (drawn at the mean position of its mini-batches) and the validation "
                                f"{word}." if by_iteration else
                                f"{word[0].upper() + word[1:]} per epoch: the training {word} averaged over each "
                                f"epoch (drawn mid-epoch) and the validation {word} at the end of each epoch.")
                               + thinned))
    complete = trends["complete"]
    fg = trends["gap"]
    gaps = [(e.number, e.gap) for e in complete]
    first, last = complete[0].number, complete[-1].number
    fitted = [(x, fg.a + fg.b * x) for x in (Fraction(first), Fraction(last))]
    values = [float(g) for _, g in gaps] + [float(y) for _, y in fitted] + [0.0]
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    sec.add(*only("instructor", Figure("gap", {"xlabel": "epoch", "ylabel": "validation - mean training loss",
                           "series": [{"role": "gap", "label": "gap per epoch", "coords": _coords(_thin(gaps)[0])},
                                      {"role": "fit", "label": "least-squares line", "coords": _coords(fitted)}],
                           "first": first, "last": last, "lo": lo, "hi": hi},
                   caption="Gap between the validation loss and the epoch-mean training loss, with its "
                           "least-squares line; a widening gap would slope upwards.")))


# ---------------------------------------------------------------------------------------
