"""The analysis (exact) of a parsed log: iterations per epoch, the epochs' means and gaps, the validation points."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from .cells import Log, Row
from .fields import Setup
from .stats import _q


@dataclass
class Epoch:
    number: int
    train: list                       # finite mini-batch losses logged in the epoch
    val: Fraction | None              # the last validation loss logged in the epoch
    positions: list = field(default_factory=list)   # where each train value sits, in epochs
    val_mid: Fraction | None = None   # validation loss interpolated to the mean position

    @property
    def position(self):
        return sum(self.positions, Fraction(0)) / len(self.positions) if self.positions else None

    @property
    def mean(self):
        return sum(self.train, Fraction(0)) / len(self.train) if self.train else None

    @property
    def spread(self):
        """Sample standard deviation (exact SymPy number) of the epoch's mini-batch losses."""
        if len(self.train) < 2:
            return None
        m = self.mean
        var = sum(((x - m) ** 2 for x in self.train), Fraction(0)) / (len(self.train) - 1)
        return sympy.sqrt(_q(var))

    @property
    def gap(self):
        return None if self.val_mid is None or not self.train else self.val_mid - self.mean


def interpolate(points, x):
    """Linear interpolation of (position, value) points at x; None outside their range."""
    if not points or x < points[0][0] or x > points[-1][0]:
        return None
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= x <= x1:
            return y1 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


@dataclass
class Analysis:
    log: Log
    setup: Setup
    iterations: int | None = None
    bounds: tuple = (None, None)
    bound_rows: tuple = (None, None)
    method: str = ""
    val_spacing: list = field(default_factory=list)
    cut: Row | None = None            # first row with a non-finite loss (analysis stops before it)
    cut_index: int | None = None
    epochs: list = field(default_factory=list)
    val_points: list = field(default_factory=list)   # (x, iteration or None, epoch, y)
    x_unit: str = "epoch"             # 'iteration' when the validation x is the iteration
    short: str = ""                   # why the log is too short for trends ("" when it is not)


def size_range(iterations, batch, rounding):
    """(smallest, largest) training-set size N giving ``iterations`` mini-batches of ``batch``:
    'floor' (the last partial batch dropped) I B to I B + B - 1; 'ceil' (kept) (I - 1) B + 1 to I B."""
    if rounding == "floor":
        return iterations * batch, iterations * batch + batch - 1
    return (iterations - 1) * batch + 1, iterations * batch


def _ceil_div(a, b):
    return -((-a) // b)


def iterations_per_epoch(question, log, given):
    """(I, (lo, hi), (row giving lo, row giving hi), method) from the epoch/iteration columns."""
    rows = [r for r in log.rows if r.iteration is not None]
    if given is None and log.steps is not None:
        given, how = log.steps, "printed"
    else:
        how = "given"
    if not rows:
        if given is None:
            return None, (None, None), (None, None), "none"
        return given, (None, None), (None, None), how
    lo, lo_row = 0, None
    hi, hi_row = None, None
    for r in rows:
        low = _ceil_div(r.iteration, r.epoch)
        if low > lo:
            lo, lo_row = low, r
        if r.epoch > 1:
            high = (r.iteration - 1) // (r.epoch - 1)
            if hi is None or high < hi:
                hi, hi_row = high, r
    if hi is not None and lo > hi:
        raise question.error("log", f"{log.name}: epochs and iterations disagree: no whole number of "
                                    f"iterations per epoch fits lines {lo_row.line} and {hi_row.line}")
    last = rows[-1]
    if given is not None:
        if given < lo or (hi is not None and given > hi):
            field = "iterations_per_epoch" if how == "given" else "log"
            raise question.error(field, f"{given} iterations per epoch contradict the log's rows, which allow "
                                        f"{lo} to {hi if hi is not None else 'any'}")
        return given, (lo, hi), (lo_row, hi_row), how
    if last.iteration % last.epoch == 0 and lo <= last.iteration // last.epoch and (
            hi is None or last.iteration // last.epoch <= hi):
        return last.iteration // last.epoch, (lo, hi), (lo_row, hi_row), "final"
    if hi is not None and lo == hi:
        return lo, (lo, hi), (lo_row, hi_row), "bounds"
    raise question.error("log", f"{log.name}: the log allows {lo} to {hi if hi is not None else 'any number of'} "
                                f"iterations per epoch; give iterations_per_epoch in the spec")


def analyse_log(question, st: Setup, log: Log) -> Analysis:
    """The analysis of ``log`` (parsed) under the set-up ``st``; ``question`` names the field of an error."""
    an = Analysis(log, st)
    an.iterations, an.bounds, an.bound_rows, an.method = iterations_per_epoch(question, log, st.given_iterations)
    for index, r in enumerate(log.rows):
        if any(isinstance(r.values.get(k), float) for k in ("train_loss", "val_loss")):
            an.cut, an.cut_index = r, index
            break
    usable = log.rows[:an.cut_index]
    use_iterations = an.iterations is not None and all(r.iteration is not None for r in usable)
    an.x_unit = "iteration" if use_iterations else "epoch"
    by_epoch = {}
    for r in usable:
        ep = by_epoch.setdefault(r.epoch, Epoch(r.epoch, [], None))
        if r.values.get("train_loss") is not None:
            ep.train.append(r.values["train_loss"])
            # a value without an iteration is an epoch average (Keras): it sits mid-epoch
            ep.positions.append(Fraction(r.iteration, an.iterations) if use_iterations
                                else Fraction(2 * r.epoch - 1, 2))
        if r.values.get("val_loss") is not None:
            ep.val = r.values["val_loss"]
    an.epochs = [by_epoch[e] for e in sorted(by_epoch)]
    for r in usable:
        y = r.values.get("val_loss")
        if y is not None:
            x = Fraction(r.iteration) if use_iterations else Fraction(r.epoch)
            an.val_points.append((x, r.iteration, r.epoch, y))
    val_its = [r.iteration for r in log.rows if r.values.get("val_loss") is not None and r.iteration]
    an.val_spacing = [b - a for a, b in zip(val_its, val_its[1:])]
    if len(an.val_points) < 3:
        an.short = (f"it has no validation loss" if not an.val_points else
                    f"it has {len(an.val_points)} validation loss{'es' if len(an.val_points) > 1 else ''}, and a trend "
                    f"needs at least 3")
        return an
    if len({x for x, *_ in an.val_points}) < 2:
        an.short = "all its validation losses are logged at the same point"
        return an
    where = [((x / an.iterations) if use_iterations else x, y) for x, _, _, y in an.val_points]
    for e in an.epochs:
        if e.train:
            e.val_mid = interpolate(where, e.position)
    complete = [e for e in an.epochs if e.train and e.val_mid is not None]
    if len(complete) < 3:
        an.short = (f"it has {len(complete)} epoch{'s' if len(complete) != 1 else ''} with both a training and a "
                    f"validation loss, and a trend needs at least 3")
    return an


# ---------------------------------------------------------------------------------------
