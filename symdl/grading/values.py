"""The answer policy's numbers: intervals of a right answer, exact points, and whether two answers are the same.

A number is right within half a unit of the ``figures``-th significant figure of the EXACT value
(docs/answer-policy.md); symdl.grading.grade applies it to every answer after solving."""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import mpmath
import sympy

from symdl.check import hp
from symdl.notation.printer import terminating_decimal

SIG_DIGITS = 5            # significant digits of a rounded value (printer.value_tex's default)
SAME_RTOL = 1e-12         # a mistake this close to the right answer is no mistake


def exact_points(points):
    """Points (int, float or Fraction) as an exact Fraction; None stays None."""
    if points is None:
        return None
    if isinstance(points, float):
        return Fraction(repr(points))
    if isinstance(points, sympy.Basic):
        points = sympy.Rational(points)
        return Fraction(int(points.p), int(points.q))
    return Fraction(points)


def part_of(question, part):
    """The part of ``question`` an answer (or section, rubric item) naming ``part`` belongs to:
    ``part`` itself, None for a question without parts (one part, the whole question), or
    the string "?" when the question has parts and none is called so."""
    names = {name for name, _, _ in question.part_list()}
    if None in names:
        return None
    return part if part in names else "?"


# ---------------------------------------------------------------------- tolerance ----

def short_decimal(entry, figures) -> bool:
    """Whether an exact number is an integer, or a terminating decimal of at most ``figures``
    significant figures (0, 155, -0.04, 2.15 at 3 figures; not 0.2745): graded only as written."""

    if not (isinstance(entry, sympy.Basic) and entry.is_Rational):
        return False
    if entry.is_Integer:
        return True
    text = terminating_decimal(entry)
    if text is None:
        return False
    digits = text.lstrip("-").replace(".", "").replace(",", "").replace(r"\,", "").lstrip("0")
    return len(digits) <= figures


def _exact(entry):
    if isinstance(entry, float):
        return sympy.Rational(repr(entry))
    if isinstance(entry, Fraction):
        return sympy.Rational(entry.numerator, entry.denominator)
    return sympy.sympify(entry)


def interval(entry, figures):
    """(abs, rel) of one exact number under the policy: (0, 0) for an integer or a short decimal;
    else half a unit of the ``figures``-th significant figure of the exact value, and that width
    relative to the exact value (to 30 figures). None when it is not finite."""
    entry = _exact(entry)
    if short_decimal(entry, figures):
        return Fraction(0), Fraction(0)
    with mpmath.workdps(hp.DPS):
        x = mp_value(entry)
        if not mpmath.isfinite(x):
            return None
        if x == 0:
            return Fraction(0), Fraction(0)
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
        if abs(x) < mpmath.mpf(10) ** exponent:          # log10 rounding just below a power of ten
            exponent -= 1
        elif abs(x) >= mpmath.mpf(10) ** (exponent + 1):
            exponent += 1
        half = Fraction(10) ** (exponent - figures + 1) / 2
        size = Fraction(mpmath.nstr(abs(x), 30, min_fixed=-mpmath.inf, max_fixed=mpmath.inf))
    return half, half / size


@functools.lru_cache(maxsize=4096)
def mp_value(entry):
    """An exact number at hp.DPS digits (cached: a graph's node value may be a long closed form whose
    evaluation the tolerance, the rubric's text and the grader's bounds would otherwise repeat)."""
    with mpmath.workdps(hp.DPS):
        return hp.to_mp(entry)[1][0]


def policy_tolerance(value, figures=3):
    """{"abs", "rel"} (exact Fractions) of the policy's interval; None for a non-numeric answer.
    A vector, matrix or list gets lists shaped as answers.json writes its value, entry by entry."""
    entries = _entries(value)
    if not entries:
        return None
    try:
        pairs = [interval(e, figures) for e in entries]
    except (TypeError, sympy.SympifyError):
        return None                                        # not a real number (a verdict's text)
    if all(p is None for p in pairs):
        return None                                        # NaN and infinities have no figures
    pairs = [p or (Fraction(0), Fraction(0)) for p in pairs]
    if not _is_collection(value):
        return {"abs": pairs[0][0], "rel": pairs[0][1]}
    return {"abs": _shaped(value, [a for a, _ in pairs]), "rel": _shaped(value, [r for _, r in pairs])}


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


def same_value(a, b, tolerance=None, rtol=SAME_RTOL) -> bool:
    """Whether two answers are the same: equal shapes and every entry relatively equal (at 50
    digits), or within the answer's absolute tolerance; non-numbers compared with ==."""
    return same_numbers(numbers_of(a), numbers_of(b), tolerance, rtol)


def numbers_of(value):
    """(value, (shape, entries at 50 digits) or None when it is no number, vector or matrix)."""
    try:
        with mpmath.workdps(hp.DPS):
            return value, hp.to_mp(_listed(value))
    except (TypeError, ValueError):
        return value, None


def same_numbers(a, b, tolerance, rtol) -> bool:
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
