"""The class's CSV: its header checked against the rubric's columns, one row per student.

Bad input (exit 2, nothing written, the file, row and column named): an unknown or repeated
column, a header without ``student`` first, a row with more cells than the header, a blank or
repeated student, a criterion's points above its maximum or below 0. A cell that is not a
number (or yes/no) is not bad input: it is graded wrong and listed as a problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from symdl.errors import UsageError

from . import cells

MAX_BYTES = 50_000_000


@dataclass
class Row:
    """One student's row: the name, the CSV row number (the header is row 1), cell text by column."""

    student: str
    row: int
    cells: dict = field(default_factory=dict)


@dataclass
class Problem:
    """A cell graded wrong because it holds no number (or no yes/no)."""

    student: str
    row: int
    column: str
    text: str
    why: str


def _error(path, row, column, message):
    where = f"row {row}" + (f", column '{column}'" if column else "")
    return UsageError(f"{where}: {message}", file=path)


def _text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"larger than {MAX_BYTES // 1_000_000} MB", file=path)
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the responses: {exc.strerror or exc}", file=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError("not UTF-8 text (save the sheet as CSV UTF-8)", file=path) from None


def read(path, items_by_column: dict) -> list:
    """Every student's Row, checked against ``items_by_column`` (column -> rubric Item)."""
    path = Path(path)
    try:
        table = list(csv.reader(io.StringIO(_text(path), newline="")))
    except csv.Error as exc:
        raise UsageError(f"not a CSV file: {exc}", file=path) from None
    if not table or not any(c.strip() for c in table[0]):
        raise UsageError("empty: the first row must be the header (python -m symdl grade SPEC --template)", file=path)
    header = [c.strip() for c in table[0]]
    _check_header(path, header, items_by_column)
    rows, seen = [], {}
    for number, cells_ in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells_):
            continue
        if len(cells_) > len(header):
            raise _error(path, number, None, f"{len(cells_)} cells, but the header has {len(header)} columns")
        student = cells_[0].strip()
        if not student:
            raise _error(path, number, "student", "no student named")
        if student in seen:
            raise _error(path, number, "student", f"{student!r} again (first in row {seen[student]})")
        seen[student] = number
        row = Row(student, number, {h: c for h, c in zip(header[1:], cells_[1:])})
        _check_criteria(path, row, items_by_column)
        rows.append(row)
    return rows


def _check_header(path, header, items_by_column):
    if header[0].lower() != "student":
        raise _error(path, 1, header[0], "the first column must be 'student'")
    seen = set()
    for column in header[1:]:
        if column in seen:
            raise _error(path, 1, column, "column given twice")
        seen.add(column)
        if column not in items_by_column:
            raise _error(path, 1, column, "unknown column: no item of the rubric is called so "
                                          "(python -m symdl grade SPEC --template lists them)")


def _check_criteria(path, row, items_by_column):
    """A criterion's points: blank, or a number from 0 to the item's points (not a number: a problem)."""
    for column, text in row.cells.items():
        item = items_by_column[column]
        if item.answer is not None:
            continue
        try:
            points = cells.number(text)
        except cells.NotANumber:
            continue
        if points is not None and not Fraction(0) <= points <= item.points:
            raise _error(path, row.row, column, f"{text.strip()} points: a criterion earns from 0 to "
                                                f"{_points(item.points)} points")


def _points(p: Fraction) -> str:
    return str(p.numerator) if p.denominator == 1 else f"{float(p):g}"
