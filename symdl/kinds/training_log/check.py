"""The independent route: a separate, simpler reader of the log and plain float numpy.

It calls nothing of the derivation (no reader, no exact statistics): the log's text (the file,
or the text a ``[question.generate]`` table makes, from the seed ``intended`` chose with the kind's
own reading) comes from ``source``, and is re-read with a regex / csv reader; the slopes come from
np.polyfit, the t quantile from its distribution function solved by Newton's method
(``_t_crit_float``), iterations per epoch and the set size from a brute-force search.
"""

from __future__ import annotations

import csv
import math
import re
from decimal import ROUND_FLOOR, Decimal

import numpy as np

from symdl.check import hp

from .fields import is_generated
from .source import log_text


def _field(question, name, default=None):
    """A field as the schema checked it (its canonical spelling), or as written when not checked."""
    values = question.values or question.fields
    return values.get(name, default)


def _plain_table(question):
    """(epoch, iteration, seconds, train, val, lr) rows as floats, re-read with a regex/csv reader."""
    text, _ = log_text(question)
    fmt = _format(question, text)
    out, skipped = [], 0
    if fmt in ("keras", "pytorch"):
        return _console(text, fmt)
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
        return out, skipped, None
    cols = _field(question, "columns")
    eo, so = _field(question, "epoch_origin", 0), _field(question, "step_origin", 0)
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
    return out, skipped, None


def _format(question, text):
    """The format as named, or guessed from the text by this route's own tests."""
    named = _field(question, "format", "auto")
    if named != "auto":
        return named
    first = next((l for l in text.splitlines() if l.strip()), "")
    if _field(question, "columns") is not None and "," in first:
        return "csv"
    if re.search(r"(?m)^\s*Epoch\s+\d+\s*/\s*\d+\s*$", text) and "loss:" in text:
        return "keras"
    if re.search(r"Epoch\s*\[\s*\d+\s*/\s*\d+\s*\]\s*,?\s*(Step|Batch|Iter)", text, re.I) or \
            re.search(r"Epoch:\s*\[\s*\d+\s*\]\s*\[", text):
        return "pytorch"
    return "matlab"


def _console(text, fmt):
    """(rows, skipped lines, printed steps per epoch) of a Keras or PyTorch console log, by regular expressions."""
    out, skipped, steps, epoch = [], 0, None, None
    meter = bool(re.search(r"Epoch:\s*\[\s*\d+\s*\]\s*\[", text))
    last_test = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if fmt == "keras":
            head = re.match(r"\s*Epoch\s+(\d+)\s*/\s*\d+\s*$", line)
            bar = re.match(r"\s*(\d+)\s*/\s*(\d+)\b", line)
            if head:
                epoch = int(head.group(1))
            elif bar and epoch is not None and bar.group(1) == bar.group(2) and "ETA" not in line \
                    and re.search(r"\bloss:", line) and not (out and out[-1][0] == epoch):
                steps = int(bar.group(2))
                val = re.search(r"\bval_loss:\s*([^\s]+)", line)
                out.append((epoch, None, None, float(re.search(r"\bloss:\s*([^\s]+)", line).group(1)),
                            float(val.group(1)) if val else None, math.nan))
            else:
                skipped += 1
            continue
        if meter:
            m = re.search(r"Epoch:\s*\[(\d+)\]\s*\[\s*(\d+)/(\d+)\].*?Loss\s+(\S+)", line)
            t = re.search(r"Test:\s*\[.*?Loss\s+\S+\s*\(\s*([^\s)]+)", line)
            if m:
                if last_test is not None:
                    out.append(last_test)
                    last_test = None
                epoch, steps = int(m.group(1)) + 1, int(m.group(3))
                out.append((epoch, (epoch - 1) * steps + int(m.group(2)) + 1, None, float(m.group(4)), None, math.nan))
            elif t and epoch is not None:
                last_test = (epoch, epoch * steps, None, None, float(t.group(1)), math.nan)
            else:
                skipped += 1
            continue
        m = re.search(r"Epoch\s*\[(\d+)/\d+\]\s*,?\s*(?:Step|Batch|Iter\w*)\s*\[(\d+)/(\d+)\].*?Loss\s*[:=]\s*(\S+)",
                      line, re.I)
        v = re.search(r"Epoch\s*\[(\d+)/\d+\].*?val\w*[ _]loss\s*[:=]\s*([^\s,]+)", line, re.I)
        if m:
            epoch, steps = int(m.group(1)), int(m.group(3))
            out.append((epoch, (epoch - 1) * steps + int(m.group(2)), None, float(m.group(4).rstrip(",")), None,
                        math.nan))
        elif v and steps:
            out.append((int(v.group(1)), int(v.group(1)) * steps, None, None, float(v.group(2)), math.nan))
        else:
            skipped += 1
    if last_test is not None:
        out.append(last_test)
    return out, skipped, steps


def _test_set(text) -> dict:
    """The test-set answers from the log's text, by this route's own patterns (floats)."""
    out, lines = {}, text.splitlines()
    for line in lines:
        m = re.search(r"Accuracy:\s*(\d+)/(\d+)", line) if "Test set" in line else None
        if m:
            c, n = int(m.group(1)), int(m.group(2))
            out = {"test.accuracy": c / n, "test.correct": c, "test.total": n, "test.errors": n - c}
            loss = re.search(r"Average loss:\s*([\d.eE+-]+)", line)
            if loss:
                out["test.loss"] = float(loss.group(1))
        m = re.search(r"on the (\d+) test images:\s*([\d.]+)\s*%", line)
        if m:
            n, share = int(m.group(1)), float(m.group(2)) / 100
            out = {"test.accuracy": share, "test.total": n}
            if abs(share * n - round(share * n)) < 1e-9:
                out.update({"test.correct": round(share * n), "test.errors": n - round(share * n)})
    ends = [i for i, line in enumerate(lines) if re.match(r"\s*(\d+)/\1\b.*loss:", line) and "ETA" not in line]
    heads = [i for i, line in enumerate(lines) if re.match(r"\s*Epoch\s+\d+\s*/\s*\d+\s*$", line)]
    for a, b in zip(ends, ends[1:]):
        if not any(a < h < b for h in heads):             # two ends with no header between: evaluate()
            out["test.loss"] = float(re.search(r"\bloss:\s*([^\s]+)", lines[b]).group(1))
            acc = re.search(r"\baccuracy:\s*([^\s]+)", lines[b])
            if acc:
                out["test.accuracy"] = float(acc.group(1))
    for line in lines:
        m = re.match(r"\s*Test (loss|accuracy)\s*[:=]?\s*([^\s]+)\s*$", line, re.I)
        if m:
            out["test." + m.group(1).lower()] = float(m.group(2))
    return out


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
    """t quantile: with x = sqrt(df) tan(u) the Student-t density is proportional to cos(u)^(df - 1)
    on [0, pi/2]; its integral (``_cos_power_integral``) is solved for the share 1 - 2 alpha of the
    whole by Newton's method kept inside a shrinking bracket (bisection where Newton leaves it).
    Within 1e-14 of the quantile (a 2,000,001-point trapezoid rule before: 1e-12 to 1e-10, 500 times slower)."""
    n = df - 1
    target = (1 - 2 * alpha) * _cos_power_integral(n, math.pi / 2)       # P(0 < T < t) = 1/2 - alpha
    lo, hi, u = 0.0, math.pi / 2, math.pi / 4
    for _ in range(200):
        excess = _cos_power_integral(n, u) - target
        lo, hi = (lo, u) if excess > 0 else (u, hi)
        slope = math.cos(u) ** n
        step = u - excess / slope if slope > 0 else None
        following = step if step is not None and lo < step < hi else (lo + hi) / 2
        done = abs(following - u) <= 1e-16 * max(1.0, u)
        u = following
        if done:
            break
    return math.sqrt(df) * math.tan(u)


def _cos_power_integral(n, u):
    """The integral of cos(s)^n over [0, u] for a whole n >= 0, by the reduction formula
    I_k = cos(u)^(k-1) sin(u) / k + (k-1)/k I_(k-2), from I_0 = u or I_1 = sin(u)."""
    c, s = math.cos(u), math.sin(u)
    value = u if n % 2 == 0 else s
    for k in range(2 if n % 2 == 0 else 3, n + 1, 2):
        value = c ** (k - 1) * s / k + (k - 1) / k * value
    return value


def independent(question) -> dict:
    """Every numeric and boolean answer again: a separate reader, floats, np.polyfit, brute force.

    Should this simpler route fail on a log the solver accepted, it returns nothing, and the
    verifier reports every answer as unchecked (never a silent pass)."""
    try:
        out = _independent(question)
    except (ValueError, IndexError, KeyError, StopIteration, ZeroDivisionError, TypeError, OSError, csv.Error):
        return {}
    if is_generated(question):
        # the ground truth of a generated log: it was made to be read as its behaviour (source.EXPECTED)
        out["generated.as_intended"] = True
    return out


def _brute_force_iterations(with_it):
    """The iterations per epoch that every logged (epoch, iteration) allows, tried one by one; None when not one."""
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
    return i_last // e_last if (i_last % e_last == 0 and i_last // e_last in ok) else (ok[0] if len(ok) == 1 else None)


def _independent(question) -> dict:
    rows, skipped, printed = _plain_table(question)
    fmt = _format(question, log_text(question)[0])
    framework = _field(question, "framework", None) or {"keras": "keras", "pytorch": "pytorch"}.get(fmt, "matlab")
    drop = _field(question, "drop_last", None)
    floor_rule = (framework == "matlab") if drop is None else drop
    B = _field(question, "minibatch")
    alpha = float(_field(question, "significance", "0.05"))
    slow = float(_field(question, "slow_rate", "0.02"))
    rise_tol = float(_field(question, "rise_tolerance", "0.01"))
    out = {"skipped_lines": skipped}
    out.update(_test_set(log_text(question)[0]))

    # iterations per epoch: brute force over every candidate I
    with_it = [r for r in rows if r[1] is not None]
    I = _field(question, "iterations_per_epoch", None) or printed
    if with_it and I is None:
        I = _brute_force_iterations(with_it)
    if I is not None:
        out["iterations_per_epoch"] = I
        sizes = [n for n in range(max(1, (I - 1) * B), (I + 1) * B + 1)
                 if (n // B if floor_rule else -(-n // B)) == I]
        out["train_set_size"] = I * B
        out["train_set_size.min"] = min(sizes)
        out["train_set_size.max"] = max(sizes)

    out.update(_dataset(question, B))
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
    shuffle = _field(question, "shuffle", None) or ("once" if framework == "matlab" else "every-epoch")
    short = _short(good, I, use_it, vx, vy, shuffle)
    if short is not None:
        out.update(short)
        return out
    b, t = bounded_fit(vx / (I if use_it else 1), vy)
    out["val_loss_slope_per_epoch"] = b
    out["val_loss_slope_t"] = t
    tc = _t_crit_float(alpha, len(vx) - 2)
    out["t_critical"] = tc
    out["val_loss_change_total"] = vy[-1] / vy[0] - 1
    span = (vx[-1] - vx[0]) / (I if use_it else 1)
    rate = math.exp(math.log(vy[-1] / vy[0]) / span) - 1
    out["val_loss_change_per_epoch"] = rate

    E, M, G = _epoch_table(good, I, use_it, vx, vy)
    bt, tt = bounded_fit(E, M)
    bg, tg = bounded_fit(E, [g.value for g in G])
    tce = _t_crit_float(alpha, len(E) - 2)
    out.update({"train_loss_slope_per_epoch": bt, "train_loss_slope_t": tt, "gap_slope_per_epoch": bg,
                "gap_slope_t": tg, "t_critical_epochs": tce})
    diverging = cut < len(rows) or tt.value > tce
    out["diverging"] = diverging
    out["learning"] = (not diverging) and t.value < -tc
    vmin = int(np.argmin(vy))
    rising = vmin < len(vy) - 1 and (vy[-1] - vy[vmin]) / vy[vmin] > rise_tol
    # a verdict on a float value: within its rounding bound the value is the exact 0 it may be
    out["gap_growing"] = tg.value > tce and G[-1].value > G[-1].error
    out["overfitting"] = (not diverging) and tt.value < -tce and (out["gap_growing"] or rising)
    out.update(_same_batch(good, I, shuffle, E, G))
    out["val_loss.falls"] = int(np.sum(np.diff(vy) < 0))
    if out["learning"]:
        out["epochs_to_halve_val_loss"] = math.log(0.5) / math.log1p(rate)
        if "seconds_per_epoch" in out:
            out["hours_to_halve_val_loss"] = out["epochs_to_halve_val_loss"] * out["seconds_per_epoch"] / 3600
    slow_run = out["learning"] and abs(rate) < slow
    if not diverging and not out["overfitting"] and (slow_run or not out["learning"]):
        out["forecast.change_per_epoch_10x"] = 10 * rate
    return out


def _epoch_table(good, I, use_it, vx, vy):
    """(epochs, mean logged training loss, validation interpolated to the same position minus that mean)."""
    E, M, G = [], [], []
    vpos = vx / (I if use_it else 1)
    for e in sorted({r[0] for r in good}):
        tr = [r[3] for r in good if r[0] == e and r[3] is not None]
        pos = [(r[1] / I if use_it else e - 0.5) for r in good if r[0] == e and r[3] is not None]
        if not tr:
            continue
        at = float(np.mean(pos))
        if vpos[0] <= at <= vpos[-1]:
            E.append(e)
            M.append(np.mean(tr))
            val = float(np.interp(at, vpos, vy))
            # an exact 0 gap reads as float noise: carry the bound of the interpolation and the mean
            G.append(hp.Bounded(val - np.mean(tr), hp.sum_bound(abs(val) + np.mean(np.abs(tr)), len(tr) + 4)))
    return E, M, G


def _dataset(question, B):
    """The dataset arithmetic by counting: batches cut off one by one, the split by decimal arithmetic,
    the smallest set for a printed accuracy by trying every n with Python's round-half-even and half-up."""
    total = _field(question, "dataset_size", None)
    if total is None:
        return {}
    out, train = {}, total
    split = _field(question, "validation_split", None)
    if split is not None:
        train = int((Decimal(total) * (1 - Decimal(str(split)))).to_integral_value(rounding=ROUND_FLOOR))
        out["dataset.train_size"], out["dataset.val_size"] = train, total - train
    sizes, start = [], 0
    while start < train:
        sizes.append(min(B, train - start))
        start += B
    out["steps_per_epoch.keep_last"] = len(sizes)
    out["steps_per_epoch.drop_last"] = sum(1 for s in sizes if s == B)
    out["last_batch_size"] = sizes[-1]
    if split is not None:
        vb, left, steps = _field(question, "validation_batch", None) or B, total - train, 0
        while left > 0:
            left -= vb
            steps += 1
        out["eval_steps"] = steps
    printed = _field(question, "printed_accuracy", None)
    if printed:
        text = str(printed).strip()
        scale = Decimal(100) if text.endswith("%") else Decimal(1)
        target = Decimal(text.rstrip("%").strip())
        places = Decimal(1).scaleb(target.as_tuple().exponent)
        n = 1
        while not any((Decimal(k) * scale / Decimal(n)).quantize(places, rounding="ROUND_HALF_UP") == target
                      for k in range(n + 1)):
            n += 1
        out["smallest_set_for_accuracy"] = n
    return out


def _short(good, I, use_it, vx, vy, shuffle):
    """The answers of a log too short for trends (fewer than 3 validation points or epochs with both
    losses), or None when it is long enough."""
    epochs = sorted({r[0] for r in good})
    means = {e: np.mean([r[3] for r in good if r[0] == e and r[3] is not None]) for e in epochs
             if any(r[0] == e and r[3] is not None for r in good)}
    if len(vx) >= 3 and len(set(vx)) >= 2:
        vpos = vx / (I if use_it else 1)
        inside = [e for e in means if vpos[0] <= float(np.mean([(r[1] / I if use_it else e - 0.5)
                                                               for r in good if r[0] == e and r[3] is not None]))
                  <= vpos[-1]]
        if len(inside) >= 3:
            return None
    out = _same_batch(good, I, shuffle, None, None)
    if "same_batch.change_per_epoch" in out:
        change = out["same_batch.change_per_epoch"]
    elif len(means) >= 2:
        (e0, m0), (e1, m1) = min(means.items()), max(means.items())
        change = (m1 / m0) ** (1.0 / (e1 - e0)) - 1
        # two means equal in exact arithmetic may differ in their last bit: bound it by the means'
        # relative rounding errors (a mean of n terms), carried through the ratio and the root
        counts = {e: sum(1 for r in good if r[0] == e and r[3] is not None) for e in (e0, e1)}
        rel = sum(float(hp.sum_bound(1.0, counts[e] + 1)) for e in (e0, e1))
        change = out["train_loss_mean.change_per_epoch"] = hp.Bounded(
            change, 2 * rel / (e1 - e0) * abs(change + 1) + 4 * hp.EPS)
    elif means:
        tr = [r[3] for r in good if r[3] is not None]
        change = out["train_loss.change_in_epoch"] = tr[-1] / tr[0] - 1 if len(tr) >= 2 else None
    else:
        change = None
    if len(vy) == 2:
        out["val_loss_change_total"] = vy[1] / vy[0] - 1
    if isinstance(change, hp.Bounded):          # within its rounding bound: the exact 0 it may be
        change = change.value if abs(change.value) > change.error else 0.0
    out["learning_train"] = change is not None and change < 0
    return out


def _same_batch(good, I, shuffle, E, G):
    """The loss of the mini-batch at the position logged in most epochs (same samples when not reshuffled),
    and the validation-minus-training gap at the first and last row holding both for it (else per epoch)."""
    out = {}
    groups = {}
    if I is not None and shuffle != "every-epoch":
        for e, i, _, tr, va, _ in good:
            if i is not None and tr is not None:
                groups.setdefault(i - (e - 1) * I, []).append((e, tr, va))
    ok = [(len(v), p) for p, v in groups.items() if len(v) >= 2 and len({x[0] for x in v}) == len(v)]
    both = []
    if ok:
        p = max(ok)[1]
        pts = sorted(groups[p])
        out["same_batch.position"] = p
        out["same_batch.change_per_epoch"] = (pts[-1][1] / pts[0][1]) ** (1.0 / (pts[-1][0] - pts[0][0])) - 1
        out["same_batch.falls"] = sum(1 for a, b in zip(pts, pts[1:]) if b[1] < a[1])
        both = [x for x in pts if x[2] is not None]
    if E is None:
        return out
    if len(both) >= 2:
        out["gap.first"], out["gap.last"] = both[0][2] - both[0][1], both[-1][2] - both[-1][1]
    else:
        out["gap.first"], out["gap.last"] = G[0], G[-1]
    return out


def bounded_fit(x, y):
    """slope_t's (slope, t) as hp.Bounded values: a slope that is exactly 0 reads in floats as noise
    of about eps times the data, so each carries the bound of its rounding error. The slope is
    sum (x - mean x)(y - mean y) / sum (x - mean x)^2: its numerator sums n terms of at most
    |x - mean x| (|y| + |y_0| + |mean y|) (y read as doubles and shifted by its first value);
    taken four times over for np.polyfit's own least squares. The t statistic scales it by 1 / se."""
    b, t, se = _slope_t_se(x, y)
    if not (math.isfinite(b) and math.isfinite(t)) or se == 0:
        return hp.Bounded(b, 0.0), hp.Bounded(t, 0.0)     # an exact fit: 0 and 0, or +-inf
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx = np.abs(x - x.mean())
    sxx = float((dx ** 2).sum())
    terms = float(np.sum(dx * (np.abs(y) + abs(y[0]) + abs(float(np.mean(y))))))
    error = 4 * float(hp.sum_bound(terms, len(x))) / sxx if sxx > 0 else 0.0
    return hp.Bounded(b, error), hp.Bounded(t, error / se)


def slope_t(x, y):
    """(slope, t statistic) of a float least-squares line, with an exact fit recognised as such.

    y is shifted by its first value first (which changes neither the slope nor the residuals),
    so a constant series is exactly zero in floats: slope 0 and t = 0, as in exact arithmetic,
    instead of a t of rounding noise over rounding noise. Residuals at rounding level of the
    data (an exact straight line) give t = +-inf, as the exact route's zero residual does.
    """
    return _slope_t_se(x, y)[:2]


def _slope_t_se(x, y):
    """slope_t's (slope, t) and the slope's standard error (0 for an exact fit)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    y = y - y[0]
    b, a = np.polyfit(x, y, 1)
    res = y - (a + b * x)
    sse = float(res @ res)
    scale = float(np.max(np.abs(y))) if y.size else 0.0
    if sse <= 1e-300 or math.sqrt(sse / len(x)) <= 1e-12 * scale:
        flat = scale == 0 or b == 0
        return (0.0, 0.0, 0.0) if flat else (b, math.copysign(math.inf, b), 0.0)
    se = math.sqrt(sse / (len(x) - 2) / float(((x - x.mean()) ** 2).sum()))
    return b, b / se, se
