"""The training-log kind: iterations per epoch, training-set size, trends and verdicts read from a log."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
import sympy

from symdl.kinds.log_cells import (PERCENT_KEYS, LogError, check_validation_losses, csv_rows, mapped_positions,
                                   number_text, slope_t)
from symdl.printer import substitute, tex
from symdl.solution import Figure, Solution, Step, Table, Tex, Text

FIELDS = {"log", "format", "framework", "minibatch", "drop_last", "columns", "epoch_origin",
          "step_origin", "iterations_per_epoch", "significance", "slow_rate", "rise_tolerance"}
TOLERANCE = 1e-6
checks_note = ("The log was re-read by a separate, simpler reader; every number was recomputed in floating "
               "point (np.polyfit for the slopes, a brute-force search over every iterations-per-epoch and "
               "training-set size, the t quantile by numerical integration) and every verdict re-decided.")

FORMATS = ("matlab", "csv")
# framework -> (rounding of N/B into iterations per epoch, names of the parameters it uses)
FRAMEWORKS = {
    "matlab": ("floor", {"lr": "InitialLearnRate", "epochs": "MaxEpochs", "l2": "L2Regularization",
                         "patience": "ValidationPatience"}),
    "pytorch": ("ceil", {"lr": "the optimizer's lr", "epochs": "the number of epochs",
                         "l2": "weight_decay", "patience": "early-stopping patience"}),
    "keras": ("ceil", {"lr": "learning_rate", "epochs": "epochs", "l2": "the L2 kernel_regularizer",
                       "patience": "EarlyStopping(patience)"}),
}
COLUMN_KEYS = ("epoch", "iteration", "elapsed", "train_loss", "val_loss", "train_metric",
               "val_metric", "lr")
REQUIRED_COLUMNS = ("epoch", "train_loss", "val_loss")
COLUMN_WORDS = {"epoch": "epoch", "iteration": "iteration", "elapsed": "elapsed time",
                "train_loss": "mini-batch (training) loss", "val_loss": "validation loss",
                "train_metric": "mini-batch metric", "val_metric": "validation metric",
                "lr": "learning rate"}

# MATLAB trainNetwork verbose headers (lower case, parentheses dropped) -> column keys.
MATLAB_HEADERS = {
    "epoch": "epoch", "iteration": "iteration", "time elapsed": "elapsed",
    "mini-batch loss": "train_loss", "validation loss": "val_loss",
    "mini-batch rmse": "train_metric", "validation rmse": "val_metric",
    "mini-batch accuracy": "train_metric", "validation accuracy": "val_metric",
    "base learning rate": "lr", "learning rate": "lr",
}

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NONFINITE = {"nan": math.nan, "+nan": math.nan, "-nan": math.nan, "inf": math.inf,
              "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf, "-infinity": -math.inf}
_CLOCK = re.compile(r"(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)")


# ---------------------------------------------------------------------------------------
# Reading the log (exact: every decimal becomes a Fraction)
# ---------------------------------------------------------------------------------------
@dataclass
class Row:
    """One row of the table: its line number and its values (Fraction, non-finite float or None)."""

    line: int
    epoch: int
    iteration: int | None
    values: dict


@dataclass
class Log:
    """A parsed training log."""

    name: str
    fmt: str
    rows: list
    skipped: list            # (line number, text) of non-blank lines that are not rows
    blank: int
    columns: dict            # column key -> the name it has in the file
    metric: str = ""         # 'RMSE', 'Accuracy' or the CSV column name


def _number(cell, where, percent=False):
    """An exact Fraction (or a non-finite float) from a decimal cell; None when empty."""
    text = number_text(cell, where, percent)
    if not text:
        return None
    low = text.lower()
    if low in _NONFINITE:
        return _NONFINITE[low]
    if not _NUMBER.fullmatch(text):
        raise LogError(f"{where}: '{_short(text)}' is not a number")
    return Fraction(text)


def _seconds(cell, where):
    """Elapsed time 'hh:mm:ss' (or plain seconds) as exact seconds."""
    text = number_text(cell, where)
    if not text:
        return None
    match = _CLOCK.fullmatch(text)
    if match:
        h, m, s = match.groups()
        return 3600 * int(h) + 60 * int(m) + Fraction(s)
    value = _number(text, where)
    if isinstance(value, float):
        raise LogError(f"{where}: '{_short(text)}' is not a time")
    return value


def _integer(cell, where, what):
    value = _number(cell, where)
    if value is None or isinstance(value, float) or value.denominator != 1 or value < 0:
        raise LogError(f"{where}: '{_short(cell.strip())}' is not a whole {what} number")
    return int(value)


def _short(text, n=24):
    return text if len(text) <= n else text[: n - 3] + "..."


def _cells(line):
    """The cells of a table line: '|'-framed, tab-separated or whitespace-separated."""
    text = line.rstrip("\r\n")
    if "|" in text:
        parts = text.split("|")
        if parts and not parts[0].strip():
            parts = parts[1:]
        if parts and not parts[-1].strip():
            parts = parts[:-1]
        return [p.strip() for p in parts]
    if "\t" in text:
        return [p.strip() for p in text.split("\t")]
    return text.split()


def _header_key(text):
    name = re.sub(r"\(.*?\)", " ", text.lower())
    name = re.sub(r"\s+", " ", name).strip()
    return MATLAB_HEADERS.get(name)


def read_matlab(text, name):
    """MATLAB trainNetwork verbose output (the table, possibly interrupted by page headers)."""
    lines = text.splitlines()
    header_at = None
    for index, line in enumerate(lines):
        low = line.lower()
        if "epoch" in low and "iteration" in low:
            header_at = index
            break
    if header_at is None:
        raise LogError("no table header (a line naming 'Epoch' and 'Iteration') found")
    names = _cells(lines[header_at])
    # A '|'-framed header is spread over several lines: join them column by column.
    nxt = header_at + 1
    while "|" in lines[header_at] and nxt < len(lines) and "|" in lines[nxt]:
        extra = _cells(lines[nxt])
        if len(extra) != len(names) or (extra and re.fullmatch(r"\d+", extra[0])):
            break
        names = [f"{a} {b}".strip() for a, b in zip(names, extra)]
        nxt += 1
    columns, positions, metric = {}, {}, ""
    for pos, cell in enumerate(names):
        key = _header_key(cell)
        if key and key not in positions:
            positions[key] = pos
            columns[key] = re.sub(r"\s+", " ", cell).strip()
            if key == "train_metric":
                metric = "Accuracy" if "accuracy" in cell.lower() else "RMSE"
    for key in ("epoch", "iteration", "train_loss", "val_loss"):
        if key not in positions:
            raise LogError(f"the table has no '{_matlab_name(key)}' column")
    val_positions = {positions[k] for k in ("val_loss", "val_metric") if k in positions}
    rows, skipped, blank = [], [], 0
    for index, line in enumerate(lines):
        number = index + 1
        if header_at <= index < nxt:
            continue
        if not line.strip():
            blank += 1
            continue
        cells = _cells(line)
        candidate = len(cells) >= 2 and re.fullmatch(r"\d+", cells[0]) and re.fullmatch(r"\d+", cells[1])
        if index < header_at or not candidate:
            skipped.append((number, line.strip()))
            continue
        if len(cells) == len(names) - len(val_positions) and "\t" not in line and "|" not in line:
            full = iter(cells)   # whitespace-separated row without validation cells
            cells = ["" if pos in val_positions else next(full) for pos in range(len(names))]
        if len(cells) != len(names):
            raise LogError(f"line {number}: a table row with {len(cells)} cells; "
                           f"the header has {len(names)}")
        rows.append(_row(number, {k: cells[p] for k, p in positions.items()}, columns))
    return _finish(Log(name, "matlab", rows, skipped, blank, columns, metric))


def _matlab_name(key):
    return {"epoch": "Epoch", "iteration": "Iteration", "train_loss": "Mini-batch Loss",
            "val_loss": "Validation Loss"}[key]


def read_csv(text, name, mapping, epoch_origin, step_origin):
    """A CSV log (Keras CSVLogger, Lightning CSVLogger, ...) through the spec's column mapping."""
    lines = text.splitlines()
    header, rows, skipped, blank = None, [], [], 0
    positions = {}
    for number, cells in csv_rows(lines):
        index = number - 1
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        cells = [c.strip() for c in cells]
        if header is None:
            header = cells
            positions = mapped_positions(header, mapping, number)
            continue
        if cells == header:
            skipped.append((number, lines[index].strip()))
            continue
        if len(cells) != len(header):
            raise LogError(f"line {number}: {len(cells)} cells; the header has {len(header)}")
        raw = {k: cells[p] for k, p in positions.items()}
        if not raw["epoch"]:
            skipped.append((number, lines[index].strip()))
            continue
        rows.append(_row(number, raw, mapping, epoch_origin, step_origin))
    if header is None:
        raise LogError("the file is empty (no CSV header)")
    # loggers may write rows out of order (Lightning's epoch-level rows): order by epoch, iteration
    rows.sort(key=lambda r: (r.epoch, r.iteration if r.iteration is not None else 0))
    return _finish(Log(name, "csv", rows, skipped, blank, dict(mapping),
                       mapping.get("train_metric", "")))


def _row(number, raw, columns, epoch_origin=1, step_origin=1):
    values = {}
    for key, cell in raw.items():
        where = f"line {number}, column '{columns[key]}'"
        if key == "epoch":
            values[key] = _integer(cell, where, "epoch") - epoch_origin + 1
        elif key == "iteration":
            values[key] = None if not cell.strip() else _integer(cell, where, "iteration") - step_origin + 1
        elif key == "elapsed":
            values[key] = _seconds(cell, where)
        else:
            values[key] = _number(cell, where, percent=key in PERCENT_KEYS)
    epoch = values.pop("epoch")
    iteration = values.pop("iteration", None)
    if epoch < 1 or (iteration is not None and iteration < 1):
        raise LogError(f"line {number}: epoch/iteration below the origin given in the spec")
    return Row(number, epoch, iteration, values)


def _finish(log):
    if not log.rows:
        raise LogError("no rows of the table found")
    if not any(r.values.get("val_loss") is not None for r in log.rows):
        raise LogError("the validation loss column holds no values")
    if not any(r.values.get("train_loss") is not None for r in log.rows):
        raise LogError("the training loss column holds no values")
    for a, b in zip(log.rows, log.rows[1:]):
        if b.epoch < a.epoch or (a.iteration is not None and b.iteration is not None
                                 and b.iteration < a.iteration):
            raise LogError(f"line {b.line}: epoch or iteration goes backwards")
    check_validation_losses(log)
    return log


# ---------------------------------------------------------------------------------------
# The spec
# ---------------------------------------------------------------------------------------
@dataclass
class Setup:
    fmt: str
    framework: str
    batch: int
    rounding: str            # 'floor' (last partial batch dropped) or 'ceil' (kept)
    names: dict
    given_iterations: int | None
    alpha: Fraction
    slow_rate: Fraction
    rise_tolerance: Fraction


def setup(question) -> Setup:
    fmt = question.get("format", str, "matlab")
    if fmt not in FORMATS:
        raise question.error("format", f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
    framework = question.get("framework", str, "matlab" if fmt == "matlab" else None)
    if framework is None:
        raise question.error("framework", "missing required field (matlab, pytorch or keras)")
    if framework not in FRAMEWORKS:
        raise question.error("framework", f"unknown framework '{framework}' (known: {', '.join(FRAMEWORKS)})")
    batch = question.get("minibatch", int)
    if batch < 1:
        raise question.error("minibatch", "must be a positive whole number")
    rounding, names = FRAMEWORKS[framework]
    drop_last = question.get("drop_last", bool, None)
    if drop_last is not None:
        rounding = "floor" if drop_last else "ceil"
    given = question.get("iterations_per_epoch", int, None)
    if given is not None and given < 1:
        raise question.error("iterations_per_epoch", "must be a positive whole number")
    alpha = _fraction(question, "significance", "0.05")
    if not 0 < alpha < Fraction(1, 2):
        raise question.error("significance", "must lie between 0 and 0.5")
    slow = _fraction(question, "slow_rate", "0.02")
    rise = _fraction(question, "rise_tolerance", "0.01")
    for key, value in (("slow_rate", slow), ("rise_tolerance", rise)):
        if not 0 < value < 1:
            raise question.error(key, "must lie between 0 and 1")
    return Setup(fmt, framework, batch, rounding, names, given, alpha, slow, rise)


def _fraction(question, name, default):
    value = question.get(name, (int, float, str), default)
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise question.error(name, f"'{value}' is not a number") from None


def read_log(question, fmt=None) -> Log:
    """The question's log, parsed exactly; malformed logs raise the one-line SpecError."""
    fmt = fmt or question.get("format", str, "matlab")
    path = question.data_path("log")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise question.error("log", f"{path.name}: not a UTF-8 text file") from None
    except OSError as exc:
        raise question.error("log", f"{path.name}: cannot read: {exc.strerror}") from None
    try:
        if fmt == "matlab":
            if question.has("columns"):
                raise question.error("columns", "a column mapping is for CSV logs only (format = \"csv\")")
            return read_matlab(text, path.name)
        mapping = question.get("columns", dict, None)
        if mapping is None:
            raise question.error("columns", "a CSV log needs a column mapping, e.g. "
                                            "columns = {epoch = \"epoch\", train_loss = \"loss\", "
                                            "val_loss = \"val_loss\"}")
        for key, value in mapping.items():
            if key not in COLUMN_KEYS:
                raise question.error("columns", f"unknown key '{key}' (known: {', '.join(COLUMN_KEYS)})")
            if not isinstance(value, str) or not value.strip():
                raise question.error("columns", f"columns.{key} must be a column name (a string)")
        for key in REQUIRED_COLUMNS:
            if key not in mapping:
                raise question.error("columns", f"missing columns.{key} ({COLUMN_WORDS[key]})")
        origins = []
        for key in ("epoch_origin", "step_origin"):
            value = question.get(key, int, 0)
            if value not in (0, 1):
                raise question.error(key, "must be 0 (counts from 0) or 1 (counts from 1)")
            origins.append(value)
        return read_csv(text, path.name, mapping, *origins)
    except LogError as exc:
        raise question.error("log", f"{path.name}: {exc}") from None


# ---------------------------------------------------------------------------------------
# Exact statistics
# ---------------------------------------------------------------------------------------
@dataclass
class Fit:
    """Least squares y = a + b x with its sums, residual sum of squares and t statistic."""

    n: int
    sx: Fraction
    sy: Fraction
    sxx: Fraction
    sxy: Fraction
    b: Fraction
    a: Fraction
    sse: Fraction
    t: object                # exact SymPy number (sqrt of a rational involved), or +-oo

    @property
    def sxx_centered(self):
        return self.sxx - self.sx * self.sx / self.n


def fit(xs, ys) -> Fit:
    n = len(xs)
    sx, sy = sum(xs, Fraction(0)), sum(ys, Fraction(0))
    sxx = sum((x * x for x in xs), Fraction(0))
    sxy = sum((x * y for x, y in zip(xs, ys)), Fraction(0))
    den = n * sxx - sx * sx
    b = (n * sxy - sx * sy) / den
    a = (sy - b * sx) / n
    sse = sum(((y - a - b * x) ** 2 for x, y in zip(xs, ys)), Fraction(0))
    if sse == 0:
        t = sympy.oo * sympy.sign(_q(b)) if b else sympy.Integer(0)
    else:
        se2 = sse / (n - 2) / (den / n)
        t = _q(b) / sympy.sqrt(_q(se2))
    return Fit(n, sx, sy, sxx, sxy, b, a, sse, t)


def t_critical(alpha, df):
    """One-sided Student-t critical value t_{1-alpha, df}: the root of CDF(t) = 1 - alpha,
    found by Newton's method on mpmath's incomplete beta (the density is the derivative),
    started from the normal quantile and kept in a bisection bracket."""
    with mpmath.workdps(30):
        target = 1 - mpmath.mpf(alpha.numerator) / alpha.denominator
        nu = mpmath.mpf(df)

        def cdf(t):
            return 1 - mpmath.betainc(nu / 2, mpmath.mpf(1) / 2, 0, nu / (nu + t * t), regularized=True) / 2

        def pdf(t):
            return (mpmath.gamma((nu + 1) / 2) / (mpmath.sqrt(nu * mpmath.pi) * mpmath.gamma(nu / 2))
                    * (1 + t * t / nu) ** (-(nu + 1) / 2))

        lo, hi = mpmath.mpf(0), mpmath.mpf(1000)
        t = mpmath.sqrt(2) * mpmath.erfinv(2 * target - 1)
        for _ in range(200):
            f = cdf(t) - target
            if abs(f) < mpmath.mpf(10) ** -25:
                break
            if f < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            step = t - f / pdf(t)
            t = step if lo < step < hi else (lo + hi) / 2
        return sympy.Float(str(t), 25)


def _q(value):
    """A Fraction (or int) as an exact SymPy Rational."""
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def _finite(v):
    return isinstance(v, Fraction)


# ---------------------------------------------------------------------------------------
# The analysis (exact), shared by the solution's steps
# ---------------------------------------------------------------------------------------
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


def _ceil_div(a, b):
    return -((-a) // b)


def iterations_per_epoch(question, log, given):
    """(I, (lo, hi), (row giving lo, row giving hi), method) from the epoch/iteration columns."""
    rows = [r for r in log.rows if r.iteration is not None]
    if not rows:
        if given is None:
            return None, (None, None), (None, None), "none"
        return given, (None, None), (None, None), "given"
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
            raise question.error("iterations_per_epoch", f"{given} contradicts the log, which allows "
                                                         f"{lo} to {hi if hi is not None else 'any'}")
        return given, (lo, hi), (lo_row, hi_row), "given"
    if last.iteration % last.epoch == 0 and lo <= last.iteration // last.epoch and (
            hi is None or last.iteration // last.epoch <= hi):
        return last.iteration // last.epoch, (lo, hi), (lo_row, hi_row), "final"
    if hi is not None and lo == hi:
        return lo, (lo, hi), (lo_row, hi_row), "bounds"
    raise question.error("log", f"{log.name}: the log allows {lo} to {hi if hi is not None else 'any number of'} "
                                f"iterations per epoch; give iterations_per_epoch in the spec")


def analyse(question) -> Analysis:
    st = setup(question)
    log = read_log(question, st.fmt)
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
        raise question.error("log", f"{log.name}: need at least 3 finite validation losses for a trend, "
                                    f"found {len(an.val_points)}")
    if len({x for x, *_ in an.val_points}) < 2:
        raise question.error("log", f"{log.name}: all validation losses are logged at the same point")
    where = [((x / an.iterations) if use_iterations else x, y) for x, _, _, y in an.val_points]
    for e in an.epochs:
        if e.train:
            e.val_mid = interpolate(where, e.position)
    complete = [e for e in an.epochs if e.train and e.val_mid is not None]
    if len(complete) < 3:
        raise question.error("log", f"{log.name}: need at least 3 epochs with both a training and a "
                                    f"validation loss, found {len(complete)}")
    return an


# ---------------------------------------------------------------------------------------
# Display helpers
# ---------------------------------------------------------------------------------------
def shown(value):
    """A number for a substituted formula: exact when it prints as a short decimal, else rounded."""
    from symdl.printer import terminating_decimal

    q = _q(value) if isinstance(value, (Fraction, int)) else value
    if q.is_Rational and terminating_decimal(q) is not None and len(terminating_decimal(q)) <= 16:
        return q
    return sympy.Float(float(q), 6)


def fnum(value, digits=4):
    """Plain-text number for sentences and plot coordinates."""
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


def pct(value, digits=2):
    v = float(value) * 100
    return f"{v:.0f} %" if abs(v) >= 10 ** digits else f"{v:.{digits}g} %"


def clock(seconds):
    s = int(round(float(seconds)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def sym(name):
    return sympy.Symbol(name)


def slope_formula():
    """b = (n S_xy - S_x S_y) / (n S_xx - S_x^2), kept in textbook order."""
    n, Sx, Sy, Sxx, Sxy = sym("n"), sym(r"S_{x}"), sym(r"S_{y}"), sym(r"S_{xx}"), sym(r"S_{xy}")
    with sympy.evaluate(False):
        return (n * Sxy - Sx * Sy) / (n * Sxx - Sx ** 2)


def slope_values(f):
    return {sym("n"): sympy.Integer(f.n), sym(r"S_{x}"): shown(f.sx), sym(r"S_{y}"): shown(f.sy),
            sym(r"S_{xx}"): shown(f.sxx), sym(r"S_{xy}"): shown(f.sxy)}


# ---------------------------------------------------------------------------------------
# The solution
# ---------------------------------------------------------------------------------------
def solve(question) -> Solution:
    an = analyse(question)
    st, log = an.setup, an.log
    sol = Solution(question.id, question.kind)
    _read_section(sol, an)
    _size_section(sol, an)
    timing = _time_section(sol, an)
    trends = _trend_section(sol, an)
    _plots(sol, an, trends)
    _verdict_section(sol, an, timing, trends)
    return sol


def _read_section(sol, an):
    log = an.log
    sec = sol.section("Reading the log")
    found = sorted(COLUMN_WORDS[k] + f" ('{v}')" for k, v in log.columns.items())
    sec.add(Text(f"{log.name}: {len(log.rows)} rows of the table read; columns used: "
                 f"{', '.join(found)}."))
    n = len(log.skipped)
    if n:
        shown_lines = "; ".join(f"line {ln}: '{_short(t, 40)}'" for ln, t in log.skipped[:8])
        more = f" and {n - 8} more" if n > 8 else ""
        sec.add(Text(f"{n} non-blank line{'s' if n != 1 else ''} that are not rows of the table "
                     f"(page headers, banners, frames) were skipped and counted"
                     f"{f' ({log.blank} blank lines also ignored)' if log.blank else ''}: "
                     f"{shown_lines}{more}."))
    else:
        sec.add(Text("Every non-blank line after the header is a row of the table; nothing was skipped."))
    sol.answer("skipped_lines", sympy.Integer(n))
    if an.cut is not None:
        sec.add(Text(f"Line {an.cut.line} (epoch {an.cut.epoch}) holds a non-finite loss (NaN or Inf): "
                     f"the run diverged there. Trends below use the rows before it."))
    sol.assume("A line is a row of the table when it starts with two whole numbers (epoch, iteration) "
               "and has as many cells as the header; any other line (page header, date, banner) is "
               "skipped, never read as data." if log.fmt == "matlab" else
               "Each CSV row is one logging event; empty cells mean the value was not logged in that row.")


def _size_section(sol, an):
    st, log = an.setup, an.log
    sec = sol.section("Iterations per epoch and the size of the training set", part="a")
    I_ = sym("I")
    if an.iterations is None:
        sec.add(Text("The log has no iteration column and the spec gives no iterations_per_epoch, so "
                     "the number of mini-batches per epoch (and with it the training-set size) cannot "
                     "be read from it."))
        return
    if an.method in ("final", "bounds", "given"):
        rows = [r for r in log.rows if r.iteration is not None]
        last = rows[-1] if rows else None
        if an.method == "final":
            i_f, E = sym("i_{final}"), sym("E")
            sec.add(Step("Training ends with the last iteration of the last epoch, so the iterations "
                         "per epoch are the final iteration divided by the number of epochs:",
                         lhs=I_, formula=i_f / E,
                         substituted=substitute(i_f / E, {i_f: sympy.Integer(last.iteration),
                                                          E: sympy.Integer(last.epoch)}),
                         result=sympy.Integer(an.iterations)))
            sol.assume(f"The last row (line {last.line}, iteration {last.iteration}) is the final "
                       f"iteration of training: the run completed {last.epoch} full epochs"
                       + (" (MATLAB always prints the final iteration)." if log.fmt == "matlab" else "."))
        elif an.method == "given":
            sec.add(Text(f"The spec gives I = {an.iterations} iterations per epoch."))
        lo, hi = an.bounds
        if lo is not None:
            lo_row, hi_row = an.bound_rows
            parts = ["Check against every row: a row of epoch e at iteration i needs ",
                     Tex(r"(e-1)\,I < i \le e\,I"), ", so ",
                     Tex(r"I \ge \lceil i/e \rceil"), " and ",
                     Tex(r"I \le \lfloor (i-1)/(e-1) \rfloor"), f". The tightest rows are line {lo_row.line} "
                     f"(epoch {lo_row.epoch}, iteration {lo_row.iteration}): ",
                     Tex(rf"I \ge \lceil {lo_row.iteration}/{lo_row.epoch} \rceil = {lo}")]
            if hi is not None:
                parts += [f", and line {hi_row.line} (epoch {hi_row.epoch}, iteration {hi_row.iteration}): ",
                          Tex(rf"I \le \lfloor {hi_row.iteration - 1}/{hi_row.epoch - 1} \rfloor = {hi}")]
            parts.append(f". {'Only' if lo == hi else 'The value'} I = {an.iterations} " +
                         ("fits." if lo == hi else
                          f"lies in {lo} to {hi if hi is not None else 'infinity'}: consistent."))
            sec.add(Text(*parts))
        if an.method == "bounds":
            sec.add(Step("The rows allow exactly one whole number of iterations per epoch:",
                         lhs=I_, result=sympy.Integer(an.iterations)))
        spacing = an.val_spacing
        later = spacing[1:] if spacing and spacing[0] != an.iterations else spacing
        if later and all(d == an.iterations for d in later):
            sec.add(Text(f"Validation rows come every {an.iterations} iterations"
                         f"{' after the first one' if later is not spacing else ''} "
                         f"(iterations {', '.join(str(v[1]) for v in an.val_points[:4])}, ...): "
                         f"one validation pass per epoch, which confirms I = {an.iterations}."))
        elif spacing:
            sec.add(Text(f"Validation rows are {', '.join(sorted({str(d) for d in spacing}))} iterations apart, "
                         f"not tied to the epoch length; the epoch column alone fixes I."))
    sol.answer("iterations_per_epoch", sympy.Integer(an.iterations))

    B, N = sym("B"), sym("N")
    vals = {I_: sympy.Integer(an.iterations), B: sympy.Integer(st.batch)}
    if st.rounding == "floor":
        rule = (f"{ {'matlab': 'MATLAB (trainNetwork)', 'pytorch': 'PyTorch with drop_last=True', 'keras': 'Keras/tf.data with drop_remainder=True'}[st.framework]} "
                f"drops the last incomplete mini-batch of every epoch, so I = floor(N/B): the samples left "
                f"over (at most B - 1) are not seen in that epoch.")
        with sympy.evaluate(False):
            lo_expr, hi_expr = I_ * B, sympy.Add(I_ * B, B, -1, evaluate=False)
    else:
        rule = (f"{ {'pytorch': 'PyTorch (DataLoader default, drop_last=False)', 'keras': 'Keras (model.fit default)', 'matlab': 'This MATLAB set-up (drop_last = false)'}[st.framework]} "
                f"keeps the last, smaller mini-batch, so I = ceil(N/B).")
        with sympy.evaluate(False):
            lo_expr, hi_expr = (I_ - 1) * B + 1, I_ * B
    sec.add(Text(f"Rule: {rule} Hence ", Tex(tex(lo_expr) + r" \le N \le " + tex(hi_expr)),
                 ", and ", Tex(r"N \approx I\,B"), "."))
    estimate = an.iterations * st.batch
    with sympy.evaluate(False):
        product = I_ * B
    sec.add(Step("Estimate of the training-set size (mini-batches per epoch times samples per mini-batch):",
                 lhs=sympy.Symbol(r"\hat{N}"), formula=product,
                 substituted=substitute(product, vals), result=sympy.Integer(estimate)))
    low = sympy.sympify(lo_expr.xreplace(vals).doit())
    high = sympy.sympify(hi_expr.xreplace(vals).doit())
    sec.add(Step("Smallest training set the rounding rule allows:", lhs=sym("N_{min}"), formula=lo_expr,
                 substituted=substitute(lo_expr, vals), result=low))
    sec.add(Step("Largest training set the rounding rule allows:", lhs=sym("N_{max}"), formula=hi_expr,
                 substituted=substitute(hi_expr, vals), result=high))
    sec.add(Text(f"Answer: the training set holds roughly {estimate} samples; exactly, "
                 f"{low} <= N <= {high}."))
    sol.answer("train_set_size", sympy.Integer(estimate))
    sol.answer("train_set_size.min", low)
    sol.answer("train_set_size.max", high)
    sol.assume(f"Every iteration uses one mini-batch of B = {st.batch} samples"
               + (" (except the last, smaller one of each epoch)" if st.rounding == "ceil" else "")
               + "; no sample is used twice in an epoch, and the validation set is not part of N.")


def _time_section(sol, an):
    log = an.log
    timed = [r for r in log.rows if r.iteration is not None and r.values.get("elapsed") is not None]
    if len(timed) < 2 or an.iterations is None:
        return None
    sec = sol.section("Time per iteration and per epoch")
    first, last = timed[0], timed[-1]
    t1, t0, i1, i0 = sym("t_{last}"), sym("t_{first}"), sym("i_{last}"), sym("i_{first}")
    tau = (t1 - t0) / (i1 - i0)
    vals = {t1: _q(last.values["elapsed"]), t0: _q(first.values["elapsed"]),
            i1: sympy.Integer(last.iteration), i0: sympy.Integer(first.iteration)}
    per_it = (last.values["elapsed"] - first.values["elapsed"]) / (last.iteration - first.iteration)
    sec.add(Text(f"The elapsed-time column reads {clock(first.values['elapsed'])} at iteration "
                 f"{first.iteration} (line {first.line}) and {clock(last.values['elapsed'])} at iteration "
                 f"{last.iteration} (line {last.line}); in seconds:"))
    sec.add(Step("Seconds per iteration (the slope of elapsed time over iterations, end to end):",
                 lhs=sym(r"\tau"), formula=tau, substituted=substitute(tau, vals), result=_q(per_it)))
    I_ = sym("I")
    per_epoch = per_it * an.iterations
    sec.add(Step("Seconds per epoch:", lhs=sym(r"T_{epoch}"), formula=I_ * sym(r"\tau"),
                 substituted=substitute(I_ * sym(r"\tau"), {I_: sympy.Integer(an.iterations),
                                                           sym(r"\tau"): shown(per_it)}),
                 result=_q(per_epoch)))
    sec.add(Text(f"That is about {fnum(per_epoch / 60, 3)} minutes per epoch and "
                 f"{fnum(per_it, 3)} s per mini-batch; the whole log spans {clock(last.values['elapsed'])}."))
    sol.answer("seconds_per_iteration", _q(per_it))
    sol.answer("seconds_per_epoch", _q(per_epoch))
    sol.assume("Elapsed time includes the validation passes and is logged to whole seconds"
               if log.fmt == "matlab" else "Elapsed time includes the validation passes.")
    return {"per_iteration": per_it, "per_epoch": per_epoch}


def _fit_steps(sec, xs, ys, xname, yname, lhs="b", unit="per epoch"):
    """Steps for the least-squares slope, the sums shown and then substituted; returns the Fit."""
    f = fit(xs, ys)
    sec.add(Text(f"Sums over the n = {f.n} points (x = {xname}, y = {yname}): ",
                 Tex(r"S_x = \sum x_k = " + tex(shown(f.sx)) + r",\ S_y = \sum y_k = " + tex(shown(f.sy))
                     + r",\ S_{xx} = \sum x_k^2 = " + tex(shown(f.sxx)) + r",\ S_{xy} = \sum x_k y_k = "
                     + tex(shown(f.sxy))), "."))
    slope = slope_formula()
    sec.add(Step(f"Least-squares slope ({unit}):", lhs=sym(lhs), formula=slope,
                 substituted=substitute(slope, slope_values(f)), result=_q(f.b)))
    return f


def _t_steps(sec, f, bname="b"):
    b, sse, n, sxxc = sym(bname), sym("SSE"), sym("n"), sym(r"S_{xx}^{c}")
    with sympy.evaluate(False):
        t = b / sympy.sqrt(sse / ((n - 2) * sxxc))
    vals = {b: shown(f.b), sse: shown(f.sse), n: sympy.Integer(f.n), sxxc: shown(f.sxx_centered)}
    sec.add(Text("Residual sum of squares ", Tex(r"SSE = \sum (y_k - a - b x_k)^2 = " + tex(shown(f.sse))),
                 " with intercept ", Tex("a = " + tex(shown(f.a))), ", and ",
                 Tex(r"S_{xx}^{c} = S_{xx} - S_x^2/n = " + tex(shown(f.sxx_centered))), "."))
    sec.add(Step("t statistic of the slope (slope over its standard error):", lhs=sym("t"),
                 formula=t, substituted=substitute(t, vals), result=f.t))


def _trend_section(sol, an):
    st, log = an.setup, an.log
    sec = sol.section("Trends in the losses")
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
                 f"the critical value is ", Tex("t_{" + tex(_q(1 - st.alpha)) + r",\," + str(df) + "} \\approx "
                                                + tex(sympy.Float(tcrit, 6))), "."))
    sol.answer("val_loss_slope_t", f.t)
    sol.answer("t_critical", tcrit)

    # relative change
    y0, y1 = pts[0][3], pts[-1][3]
    span = (xs[-1] - xs[0]) / (I if an.x_unit == "iteration" else 1)
    Y0, Y1 = sym("y_{first}"), sym("y_{last}")
    with sympy.evaluate(False):
        rho = (Y1 - Y0) / Y0
    total = (y1 - y0) / y0
    sec.add(Step("Relative change of the validation loss over the run:", lhs=sym(r"\rho"), formula=rho,
                 substituted=substitute(rho, {Y0: _q(y0), Y1: _q(y1)}), result=_q(total)))
    De = sym(r"\Delta e")
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
    formula = Tex(r"\left(\frac{y_{last}}{y_{first}}\right)^{1/\Delta e} - 1")
    numbers = Tex(r"\left(\frac{" + tex(_q(y1)) + "}{" + tex(_q(y0)) + r"}\right)^{1/" + tex(shown(span)) + "} - 1")
    sec.add(Step("Relative change per epoch (the compound rate that gives the whole change over "
                 "the epochs between the first and the last validation row):", lhs=sym("r"),
                 formula=formula, substituted=numbers, result=rate))
    sol.answer("val_loss_change_total", _q(total))
    sol.answer("val_loss_change_per_epoch", rate)

    # per-epoch table, training trend and gap
    complete = [e for e in an.epochs if e.train and e.val_mid is not None]
    rows = []
    listed = complete if len(complete) <= 40 else complete[:20] + [None] + complete[-19:]
    for e in listed:
        if e is None:
            rows.append(["...", "", "", "", "", "", ""])
            continue
        spread = e.spread
        rows.append([str(e.number), str(len(e.train)), Tex(f"{float(e.mean):.2f}"),
                     Tex(f"{float(spread):.1f}") if spread is not None else "--",
                     Tex(f"{float(e.position):.2f}"), Tex(f"{float(e.val_mid):.2f}"),
                     Tex(f"{float(e.gap):.2f}")])
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
                 Tex(r"t_{crit} \approx " + tex(sympy.Float(tcrit_e, 6))), "."))
    sol.answer("train_loss_slope_per_epoch", _q(ft.b))
    sol.answer("train_loss_slope_t", ft.t)
    sol.answer("gap_slope_per_epoch", _q(fg.b))
    sol.answer("gap_slope_t", fg.t)
    sol.answer("t_critical_epochs", tcrit_e)
    sol.assume(f"Trend tests treat the points as independent noise around a straight line (one-sided t tests at "
               f"level {fnum(st.alpha)}); smooth curves have correlated residuals, so the t values overstate "
               f"the certainty, and only their sign and rough size are used.")
    sol.assume("The validation loss changes linearly between two validation rows (used to compare it with the "
               "epoch-mean training loss at the same point of training)."
               + ("" if an.x_unit == "iteration" else " A training loss without an iteration number is the "
                  "average over its epoch (as Keras logs it), placed at the middle of the epoch."))
    return {"val": f, "tcrit": tcrit, "rate": rate, "total": total, "train": ft, "gap": fg,
            "tcrit_e": tcrit_e, "complete": complete, "per_epoch": per_epoch}


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


def _verdict_section(sol, an, timing, trends):
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
# Plots (plain float coordinates for pgfplots)
# ---------------------------------------------------------------------------------------
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


def _plots(sol, an, trends):
    log = an.log
    I = an.iterations
    by_iteration = I is not None and all(r.iteration is not None for r in log.rows)
    xkey = "iteration" if by_iteration else "epoch"
    sec = sol.section("Plots")

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
    sec.add(Figure("gap", {"xlabel": "epoch", "ylabel": "validation - mean training loss",
                           "series": [{"role": "gap", "label": "gap per epoch", "coords": _coords(_thin(gaps)[0])},
                                      {"role": "fit", "label": "least-squares line", "coords": _coords(fitted)}],
                           "xmin": first - 0.5, "xmax": last + 0.5,
                           "ymin": fnum(lo - 0.08 * (hi - lo), 6), "ymax": fnum(hi + 0.08 * (hi - lo), 6)},
                   caption="Gap between the validation loss and the epoch-mean training loss, with its "
                           "least-squares line; a widening gap would slope upwards."))


# ---------------------------------------------------------------------------------------
# Independent route: a separate, simpler reader and plain float numpy
# ---------------------------------------------------------------------------------------
def _plain_table(question):
    """(epoch, iteration, seconds, train, val, lr) rows as floats, re-read with a regex/csv reader."""
    path = question.data_path("log")
    fmt = question.get("format", str, "matlab")
    text = path.read_text(encoding="utf-8-sig")
    out, skipped = [], 0
    if fmt == "matlab":
        lines = text.splitlines()

        def split(line):
            if "|" in line:
                return [c.strip() for c in line.strip().strip("|").split("|")]
            return [c.strip() for c in line.split("\t")] if "\t" in line else line.split()

        start = next(i for i, l in enumerate(lines) if re.search(r"(?i)epoch.*iteration", l))
        head = [h.lower() for h in split(lines[start])]
        j = start + 1
        while "|" in lines[start] and j < len(lines) and "|" in lines[j]:
            more = [h.lower() for h in split(lines[j])]
            if len(more) != len(head) or re.fullmatch(r"\d+", more[0] if more else ""):
                break
            head = [f"{a} {b}" for a, b in zip(head, more)]
            j += 1

        def col(*words):
            return next((i for i, h in enumerate(head) if " ".join(h.split()).startswith(words)), None)

        ce, ci, ct = col("epoch"), col("iteration"), col("time")
        ctl, cvl, clr = col("mini-batch loss"), col("validation loss"), col("base learning", "learning rate")
        val_cols = [c for c in (cvl, col("validation rmse", "validation accuracy")) if c is not None]
        for k, line in enumerate(lines):
            if start <= k < j or not line.strip():
                continue
            cells = split(line)
            if k < start or len(cells) < 2 or not (cells[0].isdigit() and cells[1].isdigit()):
                skipped += 1
                continue
            if len(cells) == len(head) - len(val_cols) and "\t" not in line and "|" not in line:
                it = iter(cells)
                cells = ["" if c in val_cols else next(it) for c in range(len(head))]
            seconds = _clock_float(cells[ct]) if ct is not None else None
            out.append((int(cells[ce]), int(cells[ci]), seconds, _f(cells[ctl]), _f(cells[cvl]),
                        _f(cells[clr]) if clr is not None else math.nan))
        return out, skipped
    cols = question.get("columns", dict)
    eo, so = question.get("epoch_origin", int, 0), question.get("step_origin", int, 0)
    reader = csv.DictReader(text.splitlines())
    header_line = None
    for rec in reader:
        if header_line is None:
            header_line = list(rec.keys())
        if [str(v).strip() for v in rec.values()] == [k.strip() for k in reader.fieldnames]:
            skipped += 1
            continue
        if not str(rec[cols["epoch"]]).strip():
            skipped += 1
            continue
        it = rec.get(cols.get("iteration", ""), "") if "iteration" in cols else ""
        el = rec.get(cols["elapsed"], "") if "elapsed" in cols else ""
        out.append((int(float(rec[cols["epoch"]])) - eo + 1,
                    int(float(it)) - so + 1 if str(it).strip() else None,
                    _clock_float(el), _f(rec[cols["train_loss"]]), _f(rec[cols["val_loss"]]),
                    _f(rec[cols["lr"]]) if "lr" in cols else math.nan))
    out.sort(key=lambda r: (r[0], r[1] if r[1] is not None else 0))
    return out, skipped


def _f(cell):
    cell = (cell or "").strip()
    return float(cell) if cell else None


def _clock_float(cell):
    cell = (cell or "").strip()
    if not cell:
        return None
    if ":" in cell:
        h, m, s = cell.split(":")
        return 3600 * float(h) + 60 * float(m) + float(s)
    return float(cell)


def _t_crit_float(alpha, df):
    """t quantile by numerical integration: with x = sqrt(df) tan(u) the Student-t density is
    proportional to cos(u)^(df - 1) on [0, pi/2]; integrate it (trapezoid) and interpolate."""
    u = np.linspace(0.0, np.pi / 2, 2_000_001)
    dens = np.cos(u) ** (df - 1)
    cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(u))])
    target = (1 - 2 * alpha) * cum[-1]          # P(0 < T < t) = 1/2 - alpha
    return math.sqrt(df) * math.tan(float(np.interp(target, cum, u)))


def independent(question) -> dict:
    """Every numeric and boolean answer again: a separate reader, floats, np.polyfit, brute force.

    Should this simpler route fail on a log the solver accepted, it returns nothing, and the
    verifier reports every answer as unchecked (never a silent pass)."""
    try:
        return _independent(question)
    except (ValueError, IndexError, KeyError, StopIteration, ZeroDivisionError, TypeError, OSError, csv.Error):
        return {}


def _independent(question) -> dict:
    rows, skipped = _plain_table(question)
    fmt = question.get("format", str, "matlab")
    framework = question.get("framework", str, "matlab" if fmt == "matlab" else "pytorch")
    drop = question.get("drop_last", bool, None)
    floor_rule = (framework == "matlab") if drop is None else drop
    B = question.get("minibatch", int)
    alpha = float(question.get("significance", (int, float, str), "0.05"))
    slow = float(question.get("slow_rate", (int, float, str), "0.02"))
    rise_tol = float(question.get("rise_tolerance", (int, float, str), "0.01"))
    out = {"skipped_lines": skipped}

    # iterations per epoch: brute force over every candidate I
    with_it = [r for r in rows if r[1] is not None]
    I = question.get("iterations_per_epoch", int, None)
    if with_it and I is None:
        top = with_it[-1][1]
        # per epoch only its first and last logged iteration constrain I; test every candidate
        ends = {}
        for e, i, *_ in with_it:
            lo_i, hi_i = ends.get(e, (i, i))
            ends[e] = (min(lo_i, i), max(hi_i, i))
        cand = np.arange(1, top + 1, dtype=np.int64)
        good = np.ones(top, dtype=bool)
        for e, pair in ends.items():
            for i in pair:
                good &= ((e - 1) * cand < i) & (i <= e * cand)
        ok = [int(c) for c in cand[good]]
        e_last, i_last = with_it[-1][0], with_it[-1][1]
        I = i_last // e_last if (i_last % e_last == 0 and i_last // e_last in ok) else (ok[0] if len(ok) == 1 else None)
    if I is not None:
        out["iterations_per_epoch"] = I
        sizes = [n for n in range(max(1, (I - 1) * B), (I + 1) * B + 1)
                 if (n // B if floor_rule else -(-n // B)) == I]
        out["train_set_size"] = I * B
        out["train_set_size.min"] = min(sizes)
        out["train_set_size.max"] = max(sizes)

    timed = [r for r in with_it if r[2] is not None]
    if I is not None and len(timed) >= 2:
        # least-squares-free check: time difference over iteration difference, end to end
        spi = (timed[-1][2] - timed[0][2]) / (timed[-1][1] - timed[0][1])
        out["seconds_per_iteration"] = spi
        out["seconds_per_epoch"] = spi * I

    # stop at the first non-finite loss
    cut = next((k for k, r in enumerate(rows) if any(v is not None and not math.isfinite(v) for v in r[3:5])),
               len(rows))
    good = rows[:cut]
    use_it = I is not None and all(r[1] is not None for r in good)
    vx = np.array([(r[1] if use_it else r[0]) for r in good if r[4] is not None], float)
    vy = np.array([r[4] for r in good if r[4] is not None], float)
    b, t = slope_t(vx / (I if use_it else 1), vy)
    out["val_loss_slope_per_epoch"] = b
    out["val_loss_slope_t"] = t
    tc = _t_crit_float(alpha, len(vx) - 2)
    out["t_critical"] = tc
    out["val_loss_change_total"] = vy[-1] / vy[0] - 1
    span = (vx[-1] - vx[0]) / (I if use_it else 1)
    rate = math.exp(math.log(vy[-1] / vy[0]) / span) - 1
    out["val_loss_change_per_epoch"] = rate

    epochs = sorted({r[0] for r in good})
    E, M, G = [], [], []
    vpos = vx / (I if use_it else 1)
    for e in epochs:
        tr = [r[3] for r in good if r[0] == e and r[3] is not None]
        pos = [(r[1] / I if use_it else e - 0.5) for r in good if r[0] == e and r[3] is not None]
        if not tr:
            continue
        at = float(np.mean(pos))
        if vpos[0] <= at <= vpos[-1]:
            E.append(e)
            M.append(np.mean(tr))
            G.append(float(np.interp(at, vpos, vy)) - np.mean(tr))
    bt, tt = slope_t(E, M)
    bg, tg = slope_t(E, G)
    tce = _t_crit_float(alpha, len(E) - 2)
    out.update({"train_loss_slope_per_epoch": bt, "train_loss_slope_t": tt, "gap_slope_per_epoch": bg,
                "gap_slope_t": tg, "t_critical_epochs": tce})
    diverging = cut < len(rows) or tt > tce
    out["diverging"] = diverging
    out["learning"] = (not diverging) and t < -tc
    out["gap_growing"] = tg > tce
    vmin = int(np.argmin(vy))
    rising = vmin < len(vy) - 1 and (vy[-1] - vy[vmin]) / vy[vmin] > rise_tol
    out["overfitting"] = (not diverging) and tt < -tce and (tg > tce or rising)
    return out
