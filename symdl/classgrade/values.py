"""Answer values entry by entry: exact numbers as Fractions, a student's entries put back into the
answer's shape, a tolerance for a recomputed value, and what makes an earlier answer degenerate."""

from __future__ import annotations

import copy
import dataclasses
from fractions import Fraction

import sympy

DIGITS = 30             # an irrational value is compared through its first 30 significant digits
DEFAULT_FIGURES = 3      # a carried value with no figures of its own: 3 significant figures
PLAUSIBLE = 100         # an earlier answer further than this factor from the right size is not carried


def entries(value) -> list:
    """[(entry, number)] of an answer's value, laid out as answers.json lays it out: () for a
    number, (i,) for a vector (a column or a row) or a flat list, (i, j) for a matrix or nested list."""
    if isinstance(value, sympy.MatrixBase):
        if value.rows == 1 or value.cols == 1:
            return [((i,), v) for i, v in enumerate(value)]
        return [((i, j), value[i, j]) for i in range(value.rows) for j in range(value.cols)]
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            if isinstance(v, (list, tuple, sympy.MatrixBase)):
                out += [((i,) + e, x) for e, x in entries(v)]
            else:
                out.append(((i,), v))
        return out
    return [((), value)]


def fraction(x) -> Fraction:
    """An exact number as a Fraction (an irrational one through its first DIGITS significant digits)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("a yes/no value is not a number")
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        return Fraction(repr(x))
    x = sympy.sympify(x)
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    return Fraction(str(sympy.N(x, DIGITS)))


def numbers(value) -> dict | None:
    """{entry: Fraction} of a numeric value; None for a yes/no or text answer, or an empty one."""
    if isinstance(value, (bool, str)) or value is None:
        return None
    found = entries(value)
    if not found:
        return None
    try:
        return {e: fraction(v) for e, v in found}
    except (TypeError, ValueError):
        return None


def shaped(right, student: dict):
    """The student's entries ({entry: Fraction}) in the shape and type of the right value ``right``."""
    if isinstance(right, sympy.MatrixBase):
        flat = [sympy.Rational(student[e].numerator, student[e].denominator) for e, _ in entries(right)]
        return sympy.ImmutableMatrix(right.rows, right.cols, flat)
    if isinstance(right, (list, tuple)):
        return _nested(right, student, ())
    f = student[()]
    return sympy.Rational(f.numerator, f.denominator)


def _nested(right, student, prefix):
    out = []
    for i, v in enumerate(right):
        if isinstance(v, (list, tuple)):
            out.append(_nested(v, student, prefix + (i,)))
        else:
            f = student[prefix + (i,)]
            out.append(int(f) if f.denominator == 1 else f)
    return out


def degenerate(student: dict, right: dict) -> str:
    """Why a student's earlier answer makes the later work trivial or meaningless ('' when it does not):
    zero, the identity (every entry 1, or an identity matrix), or outside the plausible range (its
    largest entry more than PLAUSIBLE times larger or smaller than the right one's; a size or count,
    right as a positive whole number, that is not one)."""
    values = list(student.values())
    if all(v == 0 for v in values):
        return "it is zero"
    if all(v == 1 for v in values) or _identity(student):
        return "it is the identity (ones), which makes the later steps trivial"
    big, right_big = max(abs(v) for v in values), max(abs(v) for v in right.values())
    if right_big and (big > PLAUSIBLE * right_big or big * PLAUSIBLE < right_big):
        return f"it is more than {PLAUSIBLE} times off the size of the answer"
    if all(v.denominator == 1 and v > 0 for v in right.values()) and \
            not all(v.denominator == 1 and v > 0 for v in values):
        return "a size or count must be a positive whole number"
    return ""


def _identity(student: dict) -> bool:
    keys = list(student)
    if not keys or len(keys[0]) != 2:
        return False
    n = max(k[0] for k in keys) + 1
    if n < 2 or n * n != len(keys) or max(k[1] for k in keys) + 1 != n:
        return False
    return all(v == (1 if i == j else 0) for (i, j), v in student.items())


def exponent(q: Fraction) -> int:
    """e with 10^e <= |q| < 10^(e+1), exactly (q not 0)."""
    n, d = abs(q.numerator), q.denominator
    e = len(str(n)) - len(str(d))
    return e - 1 if Fraction(10) ** e > abs(q) else e


def carried_tolerance(answer, value):
    """The tolerance of a recomputed ``value`` in place of ``answer.value``, entry by entry: as many
    significant figures as the answer's own (its absolute width times the power of ten between the
    two values' sizes); an entry that was exact stays exact when the new one is a whole number, and
    otherwise (or when the right entry is 0) takes half a unit of its DEFAULT_FIGURES-th figure."""
    tol = answer.tolerance
    if not tol:
        return tol
    new, old = numbers(value) or {}, numbers(answer.value) or {}
    old_abs = {e: fraction(v) for e, v in entries(tol["abs"])}
    out = {"abs": copy.deepcopy(tol["abs"]), "rel": copy.deepcopy(tol["rel"])}
    for e, n in new.items():
        a, v = old_abs.get(e, Fraction(0)), old.get(e, Fraction(0))
        if n == 0:
            width = Fraction(0) if a == 0 else a
        elif a == 0 and n.denominator == 1:
            width = Fraction(0)
        elif a == 0 or v == 0:
            width = Fraction(10) ** (exponent(n) - DEFAULT_FIGURES + 1) / 2
        else:
            width = a * Fraction(10) ** (exponent(n) - exponent(v))
        out["abs"] = _put(out["abs"], e, width)
        out["rel"] = _put(out["rel"], e, width / abs(n) if n else Fraction(0))
    return out


def _put(struct, entry, value):
    if not entry:
        return value
    struct[entry[0]] = _put(struct[entry[0]], entry[1:], value)
    return struct


def substituted(solution, values: dict):
    """A copy of ``solution`` whose answers in ``values`` have those values (their tolerance scaled by
    carried_tolerance, no mistakes): what the rubric's judge sees for a carried-forward answer."""
    view = copy.copy(solution)
    view.meta, view.answers = dict(solution.meta), dict(solution.answers)
    for name, value in values.items():
        old = solution.meta[name]
        view.meta[name] = dataclasses.replace(old, value=value, tolerance=carried_tolerance(old, value), mistakes=[])
        view.answers[name] = value
    return view
