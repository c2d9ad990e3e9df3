"""Training-log cells and rows: exact numbers (Fractions) from the cells, the row records, the log's last checks."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from fractions import Fraction

from symdl.input.bounded import NumberError, exact

# A logger writes at most ~25 characters per number (17 significant digits, sign, exponent);
# far longer cells are not numbers from a log, and a 5000-digit one would stall exact arithmetic.
MAX_NUMBER_CHARS = 100
PERCENT_KEYS = ("train_metric", "val_metric")   # MATLAB prints accuracies as '93.75%'

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NONFINITE = {"nan": math.nan, "+nan": math.nan, "-nan": math.nan, "inf": math.inf,
              "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf, "-infinity": -math.inf}
_CLOCK = re.compile(r"(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)")


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
    steps: int | None = None            # mini-batches per epoch as the log prints them (Keras 'n/N')
    planned_epochs: int | None = None   # the epochs the run was set to ('Epoch 3/10'), when printed
    style: str = ""                     # which console layout of the format (for the sheet)



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
    try:
        return exact(text)
    except NumberError as exc:
        raise LogError(f"{where}: {exc}") from None


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


def _finish(log, need_val=True):
    if not log.rows:
        raise LogError("no rows of the table found")
    if need_val and not any(r.values.get("val_loss") is not None for r in log.rows):
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
