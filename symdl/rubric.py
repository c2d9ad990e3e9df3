"""STAND-IN for the rubric (grade helper, issue 23): replaced by the policy helper's symdl/rubric.py at merge."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy


@dataclass(frozen=True)
class Item:
    column: str
    points: Fraction
    part: str | None
    answer: str | None
    entry: tuple
    text: str


def _entries(value):
    """[(entry, number)] of an answer's value, laid out as answers.json lays it out."""
    if isinstance(value, sympy.MatrixBase):
        if value.rows == 1 or value.cols == 1:
            return [((i,), v) for i, v in enumerate(value)]
        return [((i, j), value[i, j]) for i in range(value.rows) for j in range(value.cols)]
    if isinstance(value, (list, tuple)):
        out = []
        for i, v in enumerate(value):
            inner = _entries(v)
            out += [((i,) + e, x) for e, x in inner] if inner != [((), v)] else [((i,), v)]
        return out
    return [((), value)]


def _column(question, name, entry):
    return f"{question.id}.{name}" + "".join(f"[{i}]" for i in entry)


def items(question, solution) -> list:
    """One item per entry of each final answer (its points split equally); a text answer is one criterion."""
    out = []
    for answer in solution.meta.values():
        if not answer.final or answer.points is None:
            continue
        points = Fraction(answer.points)
        label = str(answer.label) if isinstance(answer.label, str) else answer.name
        if isinstance(answer.value, str):
            slug = answer.name.replace("_", "-").replace(".", "-")
            column = f"{question.id}.{answer.part}.{slug}" if answer.part else f"{question.id}.{slug}"
            out.append(Item(column, points, answer.part, None, (), answer.value))
            continue
        if isinstance(answer.value, bool):
            out.append(Item(_column(question, answer.name, ()), points, answer.part, answer.name, (), label))
            continue
        entries = _entries(answer.value)
        for entry, _ in entries:
            out.append(Item(_column(question, answer.name, entry), points / len(entries), answer.part,
                            answer.name, entry, label))
    return out


def _at(value, entry):
    for e, v in _entries(value):
        if e == tuple(entry):
            return v
    raise KeyError(entry)


def _fraction(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, bool)):
        return Fraction(int(x))
    if isinstance(x, float):
        return Fraction(repr(x))
    x = sympy.sympify(x)
    if x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    return Fraction(str(sympy.N(x, 30)))


_CACHE: dict = {}      # (id(value), entry) -> (value, Fraction): the value kept, so its id is not reused


def _right(value, entry) -> Fraction:
    key = (id(value), tuple(entry))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not value:
        hit = _CACHE[key] = (value, _fraction(_at(value, entry)))
    return hit[1]


def judge(question, solution, item, student):
    """(fraction of item.points, "right" | "blank" | "wrong"), by today's answer.tolerance."""
    if student is None:
        return Fraction(0), "blank"
    answer = solution.meta[item.answer]
    if isinstance(answer.value, bool):
        return (Fraction(1), "right") if student is answer.value else (Fraction(0), "wrong")
    if isinstance(student, bool):
        return Fraction(0), "wrong"
    right = _right(answer.value, item.entry)
    tol = answer.tolerance or {"abs": 0, "rel": 0}
    width = max(_right(tol["abs"], item.entry), _right(tol["rel"], item.entry) * abs(right))
    return (Fraction(1), "right") if abs(Fraction(student) - right) <= width else (Fraction(0), "wrong")
