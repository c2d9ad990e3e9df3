"""After solving: each answer's points, its tolerance from the displayed rounding, its common mistakes.

Run by derive.solve_question once a solution is verified. The rules (docs/answers-json.md):

- **points**: an answer keeps the points its kind gave it; otherwise a *final* answer gets
  an even share (an exact Fraction) of its part's points left after the kind's own; a
  question without parts is one part worth the question's points. Other answers get none.
- **tolerance**, when the kind gave none, from the rounding the documents show: an integer
  (or a list of them) is exact, ``{"abs": 0, "rel": 0}``; any other number is accepted within
  half a unit of its last shown digit (the last decimal of an exact decimal such as 0.02, the
  last of the ``digits`` significant digits, default :data:`SIG_DIGITS`, of a rounded one):
  ``abs``; ``rel`` is the same width relative to the value shown; for a vector, a matrix or a
  list, both are lists shaped as the value, entry by entry. Exact Fractions.
  Yes/no and text answers have none.
- **mistakes**: the kind's ``mistakes(question, solution)`` hook; a mistake whose value equals
  the right answer (relatively, at high precision, or within its tolerance) is dropped, the
  others are stored on ``solution.meta[name].mistakes``. A hook that raises is a bug.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import sympy

from symdl import hp
from symdl.solution import Mistake

SIG_DIGITS = 5            # significant digits of a rounded value (printer.value_tex's default)
SAME_RTOL = 1e-12         # a mistake this close to the right answer is no mistake


def grade(question, solution, kind) -> None:
    """Fill in every answer's points and tolerance, and its mistakes (in place)."""
    assign_points(question, solution)
    for answer in solution.meta.values():
        if answer.tolerance is None:
            answer.tolerance = display_tolerance(answer.value, answer.digits)
    if kind.mistakes is not None:
        attach_mistakes(solution, kind.mistakes(question, solution) or {}, kind)


# ------------------------------------------------------------------------- points ----

def exact_points(points):
    """Points (int, float or Fraction) as an exact Fraction; None stays None."""
    if points is None:
        return None
    if isinstance(points, float):
        return Fraction(repr(points))
    return Fraction(points)


def part_of(question, part):
    """The part of ``question`` an answer (or section, rubric item) naming ``part`` belongs to:
    ``part`` itself, None for a question without parts (one part, the whole question), or
    the string "?" when the question has parts and none is called so."""
    names = {name for name, _, _ in question.part_list()}
    if None in names:
        return None
    return part if part in names else "?"


def assign_points(question, solution) -> None:
    """The part's points, less the kind's own, split evenly over its final answers without points."""
    by_part: dict = {}
    for answer in solution.meta.values():
        part = part_of(question, answer.part)
        if answer.final and part != "?":
            by_part.setdefault(part, []).append(answer)
    for part, answers in by_part.items():
        total = exact_points(question.points_of(part))
        if total is None:
            continue
        given = sum((exact_points(a.points) for a in answers if a.points is not None), Fraction(0))
        free = [a for a in answers if a.points is None]
        for answer in free:
            answer.points = (total - given) / len(free)
    for answer in solution.meta.values():
        if answer.points is not None:
            answer.points = exact_points(answer.points)


# ---------------------------------------------------------------------- tolerance ----

def _entries(value):
    """The numbers of an answer, flat; None when it is not numeric (yes/no, text, empty)."""
    if isinstance(value, (bool, str)) or value is None or isinstance(value, sympy.logic.boolalg.BooleanAtom):
        return None
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    if isinstance(value, (list, tuple)):
        flat = []
        for item in value:
            inner = _entries(item)
            if inner is None:
                return None
            flat.extend(inner)
        return flat
    return [value]


def _half_unit(entry, digits):
    """(half a unit of the last shown digit, the shown value) of one number, exactly; (0, v) for an integer."""
    from symdl.printer import terminating_decimal

    if isinstance(entry, float):
        entry = sympy.Rational(repr(entry))
    elif isinstance(entry, Fraction):
        entry = sympy.Rational(entry.numerator, entry.denominator)
    entry = sympy.sympify(entry)
    if entry.is_Integer:
        return Fraction(0), Fraction(int(entry))
    if entry.is_Rational and digits is None and terminating_decimal(entry) is not None:
        text = terminating_decimal(entry)
        places = len(text.split(".")[1]) if "." in text else 0
        return Fraction(1, 2 * 10**places), Fraction(int(entry.p), int(entry.q))
    with mpmath.workdps(hp.DPS):
        x = hp.to_mp(entry)[1][0]
        if not mpmath.isfinite(x):
            return None
        if x == 0:
            return Fraction(0), Fraction(0)
        sig = digits or SIG_DIGITS
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
        if abs(int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))) >= 10**sig:
            exponent += 1                                  # rounding carries into a new digit
        unit = exponent - sig + 1
        scaled = int(mpmath.nint(x / mpmath.mpf(10) ** unit))
    shown = Fraction(scaled) * (Fraction(10) ** unit)
    return Fraction(10) ** unit / 2, shown


def display_tolerance(value, digits=None):
    """{"abs", "rel"} (exact Fractions) from the rounding shown; None for a non-numeric answer.

    A number gets numbers; a vector, matrix or list gets lists shaped as answers.json writes its
    value (a column or row vector flat, a matrix by rows), entry by entry: each entry is accepted
    within half a unit of its own last shown digit (0.33333 within 0.000005, 2718.3 within 0.05)."""
    entries = _entries(value)
    if not entries:
        return None
    try:
        widths = [_half_unit(e, digits) for e in entries]
    except TypeError:
        return None                                        # not a real number (a verdict's text)
    if all(w is None for w in widths):
        return None                                        # NaN and infinities have no digits
    pairs = []                                             # (abs, rel) per entry
    for width in widths:
        if width is None:                                  # a NaN or infinite entry: no digits
            pairs.append((Fraction(0), Fraction(0)))
        else:
            half, shown = width
            pairs.append((half, half / abs(shown) if shown else Fraction(0)))
    if not _is_collection(value):
        return {"abs": pairs[0][0], "rel": pairs[0][1]}
    return {"abs": _shaped(value, [a for a, _ in pairs]), "rel": _shaped(value, [r for _, r in pairs])}


def _is_collection(value) -> bool:
    return isinstance(value, (sympy.MatrixBase, list, tuple))


def _shaped(value, flat):
    """``flat`` (one item per entry of ``value``, in order) laid out as answers.json lays out ``value``."""
    items = iter(flat)

    def build(v):
        if isinstance(v, sympy.MatrixBase):
            if v.rows == 1 or v.cols == 1:
                return [next(items) for _ in range(len(v))]
            return [[next(items) for _ in range(v.cols)] for _ in range(v.rows)]
        if isinstance(v, (list, tuple)):
            return [build(x) for x in v]
        return next(items)

    return build(value)


def widest(tolerance_part):
    """The largest number in a tolerance's ``abs`` or ``rel`` (a number or nested lists)."""
    if isinstance(tolerance_part, (list, tuple)):
        return max((widest(x) for x in tolerance_part), default=Fraction(0))
    return tolerance_part


# ----------------------------------------------------------------------- mistakes ----

def attach_mistakes(solution, found: dict, kind) -> None:
    """Store the mistakes of ``found`` (answer name -> [Mistake]) that give a wrong value."""
    for name, mistakes in found.items():
        if name not in solution.meta:
            raise KeyError(f"mistakes() names {name!r}, which is no answer of question {solution.question_id}")
        answer = solution.meta[name]
        right = _numbers(answer.value)              # the answer's entries, made once for all its mistakes
        kept = []
        for mistake in mistakes:
            if not isinstance(mistake, Mistake):
                raise TypeError(f"mistakes() of kind {kind.name} gave {type(mistake).__name__}, not a Mistake")
            if not _same(_numbers(mistake.value), right, answer.tolerance, kind.tolerance):
                kept.append(mistake)
        answer.mistakes = kept
    from symdl.mistake_rows import dedupe       # each mistake once per question (symdl/mistake_rows.py)
    dedupe(solution)


def same_value(a, b, tolerance=None, rtol=SAME_RTOL) -> bool:
    """Whether two answers are the same: equal shapes and every entry relatively equal (at 50
    digits), or within the answer's absolute tolerance; non-numbers compared with ==."""
    return _same(_numbers(a), _numbers(b), tolerance, rtol)


def _numbers(value):
    """(value, (shape, entries at 50 digits) or None when it is no number, vector or matrix)."""
    try:
        with mpmath.workdps(hp.DPS):
            return value, hp.to_mp(_listed(value))
    except (TypeError, ValueError):
        return value, None


def _same(a, b, tolerance, rtol) -> bool:
    """same_value on ``_numbers`` of both answers."""
    if a[1] is None or b[1] is None:
        return _plain(a[0]) == _plain(b[0])
    (shape_a, xs), (shape_b, ys) = a[1], b[1]
    try:
        with mpmath.workdps(hp.DPS):
            if hp.squeeze(shape_a) != hp.squeeze(shape_b):
                return False
            floors = _entries(tolerance["abs"]) if tolerance else None
            floors = hp.to_mp(floors)[1] if floors else [0] * len(xs)
            if len(floors) != len(xs):
                floors = [max(floors)] * len(xs)
            return all(hp.close(x, y, max(rtol, SAME_RTOL), f) for x, y, f in zip(xs, ys, floors))
    except (TypeError, ValueError):
        return _plain(a[0]) == _plain(b[0])


def _listed(value):
    return list(value) if isinstance(value, tuple) else value


def _plain(value):
    if isinstance(value, sympy.logic.boolalg.BooleanAtom):
        return bool(value)
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value
