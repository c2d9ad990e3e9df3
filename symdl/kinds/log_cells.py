"""Training-log checks beside the exact reader: cell limits, percentages, CSV headers, positive losses, float fits."""

from __future__ import annotations

import csv
import math

import numpy as np

# A logger writes at most ~25 characters per number (17 significant digits, sign, exponent);
# far longer cells are not numbers from a log, and a 5000-digit one would stall exact arithmetic.
MAX_NUMBER_CHARS = 100
PERCENT_KEYS = ("train_metric", "val_metric")   # MATLAB prints accuracies as '93.75%'


class LogError(Exception):
    """A malformed log; turned into the question's one-line SpecError on field 'log'."""


def _short(text, n=24):
    return text if len(text) <= n else text[: n - 3] + "..."


def number_text(cell, where, percent=False):
    """The stripped text of a numeric cell; '%' dropped where the column may hold a percentage.

    A '%' anywhere else is refused: a loss, a time or a learning rate has no percent unit, and
    '50%' could mean 50 or 0.5, so any reading of it would be a guess.
    """
    text = cell.strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise LogError(f"{where}: a cell of {len(text)} characters, not a number from a log "
                       f"(at most {MAX_NUMBER_CHARS})")
    if text.endswith("%"):
        if not percent:
            raise LogError(f"{where}: '{_short(text)}' is a percentage; this column takes a plain number")
        text = text[:-1].rstrip()
    return text


def csv_rows(lines):
    """(line number, cells) of a CSV text; a malformed line (a cell over csv's limit) is a LogError."""
    reader = csv.reader(lines)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            why = (f"a cell longer than the CSV reader's limit of {csv.field_size_limit()} characters"
                   if "field limit" in str(exc) else f"not a CSV row ({exc})")
            raise LogError(f"line {reader.line_num}: {why}") from None
        yield reader.line_num, cells


def mapped_positions(header, mapping, line):
    """column key -> position of its column in the CSV header; a mapped name found twice is refused."""
    positions = {}
    for key, column in mapping.items():
        found = [i for i, name in enumerate(header) if name == column]
        if not found:
            raise LogError(f"no column '{column}' (columns.{key}) in the CSV header")
        if len(found) > 1:
            places = ", ".join(str(i + 1) for i in found)
            raise LogError(f"line {line}: the header names column '{column}' (columns.{key}) {len(found)} times "
                           f"(columns {places}): which one is meant is ambiguous")
        positions[key] = found[0]
    return positions


def check_validation_losses(log):
    """Every finite validation loss must be positive: the relative changes divide by them."""
    column = log.columns.get("val_loss", "validation loss")
    for r in log.rows:
        v = r.values.get("val_loss")
        if v is not None and not isinstance(v, float) and v <= 0:
            raise LogError(f"line {r.line}, column '{column}': a validation loss of {v}; the relative "
                           f"changes of the validation loss need every value above 0")


def slope_t(x, y):
    """(slope, t statistic) of a float least-squares line, with an exact fit recognised as such.

    y is shifted by its first value first (which changes neither the slope nor the residuals),
    so a constant series is exactly zero in floats: slope 0 and t = 0, as in exact arithmetic,
    instead of a t of rounding noise over rounding noise. Residuals at rounding level of the
    data (an exact straight line) give t = +-inf, as the exact route's zero residual does.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    y = y - y[0]
    b, a = np.polyfit(x, y, 1)
    res = y - (a + b * x)
    sse = float(res @ res)
    scale = float(np.max(np.abs(y))) if y.size else 0.0
    if sse <= 1e-300 or math.sqrt(sse / len(x)) <= 1e-12 * scale:
        flat = scale == 0 or b == 0
        return (0.0, 0.0) if flat else (b, math.copysign(math.inf, b))
    se = math.sqrt(sse / (len(x) - 2) / float(((x - x.mean()) ** 2).sum()))
    return b, b / se
