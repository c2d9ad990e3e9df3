"""Which answers an LMS export asks for, and what it says of each: the numbers, tolerances, points, mistakes.

The answers asked are every numeric answer the rubric grades (symdl.grading.rubric: final answers and the
intermediates the kind marks graded, each with its points); a question whose rubric grades none
asks its final numeric answers, or all its numeric answers (numbers, vectors, matrices, lists of
numbers) when none is final. Every blank carries the rubric's points of its entry. Every
number is written exactly as answers.json writes it (the same ``jsonable``), so an LMS grades
against the very value the key states.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import sympy

from symdl.export import asking
from symdl.render.answers_json import Number, jsonable
from symdl.solution import Answer
from symdl.grading import rubric



def answer_meta(result, name, asked=None) -> Answer:
    """The answer ``name`` of ``result`` with its points, tolerance and mistakes, as grading.py
    filled them after solving (the same the rubric and answers.json show).

    An answer without points (a question given no points, or one whose answers are none of them
    final, so that every numeric answer is asked) gets the question's points split evenly over
    the answers asked, or 1 point when the question has none. ``asked``: how many answers the
    question asks, when the caller knows it already.
    """
    sol = result.solution
    meta = sol.meta[name]
    points = meta.points
    if points is None:
        count = asked if asked is not None else len(asked_names(result))
        points = Fraction(result.question.points, count) if result.question.points else Fraction(1)
    if meta.tolerance is None:
        raise ValueError(f"answer {name!r} of question {result.question.id} has no tolerance (not a number?)")
    return Answer(name, meta.value, part=meta.part, label=meta.label, unit=meta.unit, digits=meta.digits,
                  final=meta.final, points=points, tolerance=meta.tolerance, mistakes=list(meta.mistakes or []))


def asked_names(result) -> list:
    """The names of the answers an export asks of ``result``'s question, in the Solution's order:
    every numeric answer the rubric gives points (final or a graded intermediate, such as DI504's Q1
    node values); else the final numeric ones; else every numeric one."""
    sol = result.solution
    numeric = [name for name, meta in sol.meta.items() if is_numeric(sol.answers[name])]
    graded = [name for name in numeric if sol.meta[name].points is not None]     # the rubric's (symdl.grading.rubric)
    if graded:
        return graded
    finals = [name for name in numeric if sol.meta[name].final]
    return finals or numeric


def is_numeric(value) -> bool:
    """A finite real number, or a non-empty vector / matrix / (nested) list of them."""
    if isinstance(value, (bool, str)) or value is None:
        return False
    if isinstance(value, sympy.MatrixBase):
        return len(value) > 0 and all(is_numeric(v) for v in value)
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(is_numeric(v) for v in value)
    if isinstance(value, (int, Fraction)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, sympy.Basic):
        return bool(value.is_number) and value.is_real is True and value.is_finite is not False
    return False


@dataclass
class Blank:
    """One number a student types: where it sits in the answer, the value and the absolute
    tolerance (answers.json's), the key's display of it and the width accepted around that."""

    index: tuple          # () a scalar; (i,) a vector or list entry; (i, j) a matrix entry (0-based)
    value: str            # the number as answers.json writes it
    tolerance: str        # absolute, as a decimal number (the answer policy's)
    shown: str = ""       # as the answer key prints it (symdl.export.asking.shown)
    width: str = "0"      # accepted around ``shown``: every value within ``tolerance`` of the exact one
    exact: object = None  # the exact value as a 40-digit Decimal
    printed: str = ""     # exactly as the key prints it (``shown`` may be finer): what a choice reads
    points: Fraction = Fraction(0)   # the rubric's points of this entry (exact)


@dataclass
class Asked:
    """One answer an export asks: its blanks, points and the mistakes that become distractors."""

    question_id: str
    name: str
    meta: Answer
    shape: tuple          # () scalar, (n,) vector or list, (rows, cols) matrix
    blanks: list
    points: Fraction
    mistakes: list = field(default_factory=list)   # (Mistake, its blanks' values as strings)


_ASKED: dict = {}        # id(result) -> (result, its asked answers): Moodle and Canvas of one run ask the same
MAX_ASKED = 20000


def asked(result) -> list:
    """Every answer of ``result`` an export asks, with its blanks (see :func:`answer_meta`); made
    once per result object and process (the records are read, never changed)."""
    kept = _ASKED.get(id(result))
    if kept is not None and kept[0] is result:
        return kept[1]
    if len(_ASKED) >= MAX_ASKED:
        _ASKED.clear()
    out = _asked(result)
    _ASKED[id(result)] = (result, out)
    return out


def _asked(result) -> list:
    out = []
    names = asked_names(result)
    for name in names:
        meta = answer_meta(result, name, len(names))
        entries = list(_entries(meta.value))
        tolerances = dict(_entries_tolerance(meta.tolerance, meta.value, entries))
        blanks = [_blank(index, v, tolerances[index], meta.digits) for index, v in entries]
        for blank, points in zip(blanks, entry_points(result, name, [i for i, _ in entries],
                                                      Fraction(str(meta.points)))):
            blank.points = points
        mistakes = []
        for mistake in meta.mistakes:
            if is_numeric(mistake.value) and _shape(mistake.value) == _shape(meta.value):
                mistakes.append((mistake, [asking.shown(v, meta.digits) for _, v in _entries(mistake.value)]))
        out.append(Asked(result.question.id, name, meta, _shape(meta.value), blanks,
                         Fraction(str(meta.points)), mistakes))
    return out


def entry_points(result, name, indices, points: Fraction) -> list:
    """The points of each entry ``indices`` of answer ``name``: the rubric's items of that answer
    when it grades it entry by entry (matched by index, else in order), else ``points`` split
    evenly (a whole-value item: a shape, a vector given one point; the LMS then gives each entry
    its share, where the rubric gives all or nothing)."""
    try:
        found = [i for i in rubric.items(result.question, result.solution) if i.answer == name]
    except Exception:  # noqa: BLE001 - a result without a rubric (made by hand in a test): even split
        found = []
    if len(found) == len(indices) > 1 and all(i.entry for i in found) and sum(i.points for i in found) == points:
        by_index = {tuple(i.entry): i.points for i in found}
        if set(by_index) == set(map(tuple, indices)):
            return [by_index[tuple(i)] for i in indices]
        return [i.points for i in found]                       # the same entries, laid out otherwise
    return [points / len(indices)] * len(indices)


def _blank(index, value, tolerance: Decimal, digits) -> Blank:
    exact = asking.exact_decimal(value)
    text = asking.shown_within(value, digits, tolerance)
    width = asking.accepted_width(exact, text, tolerance)
    return Blank(index, number_text(value), asking.plain(tolerance), text, asking.plain(width), exact,
                 asking.shown(value, digits))


def _shape(value) -> tuple:
    if isinstance(value, sympy.MatrixBase):
        return (len(value),) if value.rows == 1 or value.cols == 1 else (value.rows, value.cols)
    if isinstance(value, (list, tuple)):
        return (len(value),)
    return ()


def _entries(value):
    """(index, entry) over a scalar, a vector / flat list, or a matrix (nested lists are flattened)."""
    if isinstance(value, sympy.MatrixBase) and not (value.rows == 1 or value.cols == 1):
        for i in range(value.rows):
            for j in range(value.cols):
                yield (i, j), value[i, j]
    elif isinstance(value, (sympy.MatrixBase, list, tuple)):
        flat = []
        _flatten(value, flat)
        yield from (((i,), v) for i, v in enumerate(flat))
    else:
        yield (), value


def _flatten(value, out):
    for v in value:
        if isinstance(v, (list, tuple, sympy.MatrixBase)):
            _flatten(v, out)
        else:
            out.append(v)


def _entries_tolerance(tolerance, value, entries):
    """(index, absolute tolerance) per entry: the larger of ``abs`` and ``rel`` times the entry's
    size (as answers.json's readers take it), each a number or shaped like the value."""
    absolute = _shaped((tolerance or {}).get("abs"), value)
    relative = _shaped((tolerance or {}).get("rel"), value)
    for index, entry in entries:
        width = Decimal(0)
        if absolute is not None:
            width = _decimal(absolute(index))
        if relative is not None and relative(index):
            width = max(width, _decimal(relative(index)) * abs(asking.exact_decimal(entry)))
        yield index, width


def _decimal(x) -> Decimal:
    """A tolerance (int, Fraction, float, SymPy number) as a Decimal (a Fraction to 40 digits)."""
    if isinstance(x, Fraction) and x.denominator != 1:
        return asking.exact_decimal(sympy.Rational(x.numerator, x.denominator))
    return Decimal(number_text(x))


def _shaped(tolerance, value):
    """index -> the tolerance of that entry (one number for all, or a list shaped as the value)."""
    if tolerance is None:
        return None
    if isinstance(tolerance, (list, tuple)):
        matrix = isinstance(value, sympy.MatrixBase) and not (value.rows == 1 or value.cols == 1)
        shaped = dict(_entries(sympy.Matrix(tolerance) if matrix else tolerance))
        return shaped.__getitem__
    return lambda index: tolerance


def choices(answer) -> list:
    """(fraction, text, feedback): the right value (100 %) then each distinct mistake (0 %)."""
    right = choice_text(answer.shape, [b.printed for b in answer.blanks])   # every choice printed alike
    out, seen = [("100", right, "")], {right}
    for mistake, values in answer.mistakes:
        text = choice_text(answer.shape, values)
        if text not in seen:
            seen.add(text)
            out.append(("0", text, mistake.why))
    return out


def has_choices(answer) -> bool:
    """Whether ``answer`` can be asked as a choice: some mistake reads differently from the right
    value as the key prints them (else the dropdown would hold the answer alone)."""
    return len(choices(answer)) >= 2


def choice_text(shape, values) -> str:
    """A value as a choice reads: the number, or [a, b, c], or [a, b; c, d] row by row."""
    if shape == ():
        return values[0]
    if len(shape) == 2:
        rows, cols = shape
        return "[" + "; ".join(", ".join(values[r * cols:(r + 1) * cols]) for r in range(rows)) + "]"
    return "[" + ", ".join(values) + "]"


def number_text(value) -> str:
    """An exact number as the decimal answers.json writes (shortest round-trip of its double)."""
    if isinstance(value, Fraction):
        value = sympy.Rational(value.numerator, value.denominator)
    try:
        return _number_text(value)
    except TypeError:                   # an unhashable number type: not kept
        return _number_text.__wrapped__(value)


@functools.lru_cache(maxsize=65536)
def _number_text(value) -> str:
    written = jsonable(value)
    if isinstance(written, Number):
        return str(written)
    if isinstance(written, bool) or not isinstance(written, (int, float)):
        raise ValueError(f"not a finite number: {value!r}")
    return str(written) if isinstance(written, int) else repr(written)


# ------------------------------------------------------------------------- points ----
# The one place the export reads points: each asked answer's ``points`` (answer_meta) and the
# question's own; what the LMS cannot mark is what is left.

def question_points(result):
    """The question's exam points as an exact Fraction (None when the spec gives none)."""
    points = result.question.points
    if points is None:
        return None
    return Fraction(repr(points)) if isinstance(points, float) else Fraction(points)


def scale(marks, k: int = 1) -> int:
    """The one factor of an export: the least positive multiple of ``k`` making every mark
    multiplied by it a whole number (1 when every points value is whole already)."""
    for mark in marks:
        k = math.lcm(k, Fraction(mark).denominator)
    return k


def by_hand_points(result) -> Fraction:
    """The points of the question an LMS cannot mark (explanations, verdicts, the rubric's
    criteria): its exam points less those of the answers asked; 0 without exam points."""
    total = question_points(result)
    if total is None:
        return Fraction(0)
    return max(Fraction(0), total - sum((a.points for a in asked(result)), Fraction(0)))
