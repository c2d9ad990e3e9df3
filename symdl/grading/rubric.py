"""The one points scheme: every graded item of a question (numeric entries, yes/no answers, criteria),
with exact points, and how a student's value is judged under the answer policy.

The rule (docs/answer-policy.md):

- A part's **units** are its asked answers (final numbers, vectors, matrices, shapes and yes/no
  answers, or those the kind marks ``graded``; never a text answer) and its criteria (the ideas of
  an explanation, drawing or verdict in words, from the kind's analysis), in that order (a
  criterion "a.drawn" right after the answers "a.*" of its case).
- The part's points go first to the units the spec names in ``[question.parts.<p>.rubric]`` (or
  ``[question.rubric]`` without parts), then the rest over the other units in proportion to their
  weights (the kind's, else 1), each rounded to the policy's ``step`` by largest remainder (ties to
  the earlier unit), so that they add up exactly.
- An answer's points go to its entries the same way (a vector's or matrix's entries, one column
  each); an answer whose points cannot give every entry at least one step, and a shape (a list of
  integers: one blank of a table), is one item for the whole value.
- A question without points gives each unit its weight in points. A unit the step leaves with no
  points (more units than steps) is not graded; a part whose points are no multiple of the step
  is an error naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy

from symdl.check import hp
from symdl.grading.values import exact_points, interval, mp_value, part_of
from symdl.grading.policy import policy_of
from symdl.notation.printer import terminating_decimal
from symdl.solution import Answer, RubricItem, Text


@dataclass(frozen=True)
class Item:
    column: str        # unique in the exam: "Q1.output[0]", "Q1.grad.W[1][0]", "Q2.b.dead-now"
    points: Fraction   # exact, a multiple of the exam's points step
    part: str | None   # the part it belongs to (None: a question without parts)
    answer: str | None  # the answer's name for a numeric or yes/no item; None for a criterion
    entry: tuple       # () for a scalar or a whole value, (i,) or (i, j) into the answer's value
    text: str          # plain text: what earns the points (a criterion: its model sentence)


# ---------------------------------------------------------------------------- units ----

def asked(answer) -> bool:
    """Whether the exam asks for ``answer`` as a graded number or yes/no."""
    if isinstance(answer.value, str) or answer.value is None:
        return False
    if answer.graded is not None:
        return bool(answer.graded)
    return bool(answer.final)


def criteria(question, solution, part) -> list:
    """The criteria (RubricItem with a slug, not an alternative) of ``part``."""
    return [c for c in solution.rubric
            if c.slug and not c.alternative and part_of(question, c.part) == part]


def _units(question, solution, part) -> list:
    """[(key, weight, answer or None, criterion or None)] of ``part``, in order."""
    units = [(a.name, a.weight if a.weight is not None else 1, a, None) for a in solution.meta.values()
             if part_of(question, a.part) == part and asked(a)]
    for c in criteria(question, solution, part):
        unit = (c.slug, c.weight, None, c)
        group = c.slug.rsplit(".", 1)[0] + "." if "." in c.slug else None     # "a.drawn" goes with "a.probs"
        after = [i for i, u in enumerate(units) if group and u[2] is not None and u[0].startswith(group)]
        units.insert(after[-1] + 1 if after else len(units), unit)
    return units


def apportion(total: Fraction, weights: list, step: Fraction, quanta=None) -> list:
    """``total`` split over ``weights`` by largest remainder (ties to the earlier one), each share a
    multiple of its quantum (``quanta``, default ``step``: an answer of n entries split entry by
    entry takes n steps at a time); the shares add up to ``total`` exactly when it is a multiple of
    ``step`` and some unit's quantum is ``step``."""
    weights = [Fraction(w) for w in weights]
    quanta = [Fraction(q) for q in (quanta or [step] * len(weights))]
    whole = sum(weights)
    if not weights or not whole:
        return [Fraction(0)] * len(weights)
    quota = [total * w / whole for w in weights]
    share = [(quota[i] // quanta[i]) * quanta[i] for i in range(len(weights))]
    left = total - sum(share)
    order = sorted(range(len(weights)), key=lambda i: (-(quota[i] - share[i]) / quanta[i], i))
    while left > 0:
        fits = [i for i in order if quanta[i] <= left]
        if not fits:
            break
        share[fits[0]] += quanta[fits[0]]
        left -= quanta[fits[0]]
        order.remove(fits[0])
        if not order:
            order = sorted(range(len(weights)), key=lambda i: (-(quota[i] - share[i]) / quanta[i], i))
    return share


def _spec_split(question, part) -> dict:
    """The points the spec gives units of ``part`` (``rubric`` tables), as Fractions."""
    table = (getattr(question, "rubric", None) or {}).get(part) or {}
    return {key: exact_points(points) for key, points in table.items()}


def _field(part) -> str:
    return f"parts.{part}.rubric" if part else "rubric"


def _unit_points(question, solution, part, total, units, step) -> list:
    """Each unit's points: the spec's where it gives them, the rest by weight."""
    given = _spec_split(question, part)
    keys = {key for key, *_ in units}
    for key, pts in given.items():
        if key not in keys:
            raise question.error(f"{_field(part)}.{key}", f"no answer or criterion called {key!r} in this part "
                                 f"(known: {', '.join(sorted(keys)) or 'none'})")
        if pts < 0 or (pts / step).denominator != 1:
            raise question.error(f"{_field(part)}.{key}", f"points must be a multiple of {_num(step)}")
    if total is None:
        return [given.get(key, Fraction(w)) for key, w, *_ in units]
    if (total / step).denominator != 1:
        raise question.error(f"parts.{part}.points" if part else "points",
                             f"{_num(total)} points cannot be split in steps of {_num(step)} "
                             "(the exam's [exam] grading step)")
    rest = total - sum(given.values(), Fraction(0))
    free = [i for i, (key, *_) in enumerate(units) if key not in given]
    if rest < 0 or (rest and not free) or (rest / step).denominator != 1:
        raise question.error(_field(part), f"the rubric's points add up to {_num(sum(given.values()))}, "
                                           f"the part has {_num(total)}")
    weights = [units[i][1] for i in free]
    quota = [rest * Fraction(w) / sum(map(Fraction, weights)) for w in weights] if sum(map(Fraction, weights)) else weights
    quanta = [_quantum(units[i][2], q, step) for i, q in zip(free, quota)]
    shares = apportion(rest, weights, step, quanta)
    points = [given.get(key) for key, *_ in units]
    for i, share in zip(free, shares):
        points[i] = share
    return points


def _quantum(answer, quota, step) -> Fraction:
    """A unit's quantum: n steps for an answer of n entries whose quota gives each entry a step (it is
    then split entry by entry, equally), else one step (a criterion, a scalar, a whole value)."""
    if answer is None:
        return step
    n = len(entry_indices(answer.value))
    return step * n if n > 1 and quota >= step * n else step


def _num(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{float(x):g}"


# ---------------------------------------------------------------------------- items ----

def items(question, solution) -> list:
    """Every graded item of the question, in order. Items sum exactly to each part's points,
    parts to the question's points. Nothing the exam does not ask carries points."""
    cached = getattr(solution, "_rubric_items", None)
    if cached is not None:
        return cached
    step = policy_of(question).step
    out = []
    for part, _, part_points in question.part_list():
        total = exact_points(part_points) if part_points is not None or part is not None \
            else exact_points(question.points)
        units = _units(question, solution, part)
        if total and not units:
            units = [("complete", 1, None, _fallback(solution, part))]
        for (key, _, answer, crit), pts in zip(units, _unit_points(question, solution, part, total, units, step)):
            if not pts:
                continue                 # the step leaves this unit nothing: it is not graded
            if answer is not None:
                out += _answer_items(question, part, answer, pts, step)
            else:
                out.append(Item(_column(question, part, key), pts, part, None, (), crit.model or _plain(crit.text)))
    columns = [i.column for i in out]
    if len(set(columns)) != len(columns):
        twice = next(c for c in columns if columns.count(c) > 1)
        raise ValueError(f"rubric column {twice!r} of question {question.id} is made twice")
    solution._rubric_items = out
    return out


def _fallback(solution, part):

    return RubricItem(part, "The part answered as the model answer does, step by step.", slug="complete",
                      model="Every step of the model answer for this part, with its result.")


def _column(question, part, key) -> str:
    """A criterion's column: "<question>.<part>.<slug>", or "<question>.<slug>" without parts."""
    return f"{question.id}.{part}.{key}" if part else f"{question.id}.{key}"


def _answer_items(question, part, answer, points, step) -> list:
    """The items of one answer: one per entry when its points give each entry a step, else one."""
    entries = entry_indices(answer.value)
    label = answer.name
    if len(entries) <= 1 or (points / (step * len(entries))).denominator != 1 or not points:
        return [Item(f"{question.id}.{answer.name}", points, part, answer.name, (), f"{label}: {_shown(answer)}")]
    shares = [points / len(entries)] * len(entries)
    return [Item(f"{question.id}.{answer.name}" + "".join(f"[{i}]" for i in e), s, part, answer.name, e,
                 f"{label}{''.join(f'[{i}]' for i in e)}: {_shown(answer, e)}") for e, s in zip(entries, shares)]


def entry_indices(value) -> list:
    """The entries of an answer as grading columns: [()] for a scalar, a yes/no or a shape (a list
    of integers: one blank), [(i,)] for a vector (as answers.json lays it out), [(i, j)] for a matrix."""
    if isinstance(value, sympy.MatrixBase):
        if value.rows == 1 or value.cols == 1:
            return [(i,) for i in range(len(value))]
        return [(i, j) for i in range(value.rows) for j in range(value.cols)]
    if isinstance(value, (list, tuple)):
        if all(_integer(v) for v in value):
            return [()]
        if value and all(isinstance(v, (list, tuple)) for v in value):
            return [(i, j) for i, row in enumerate(value) for j in range(len(row))]
        return [(i,) for i in range(len(value))]
    return [()]


def _integer(v) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, sympy.Basic) and v.is_Integer)


def entry_of(value, entry):
    """The entry ``entry`` of an answer's value (laid out as :func:`entry_indices`)."""
    if not entry:
        return value
    if isinstance(value, sympy.MatrixBase):
        return value[entry[0]] if len(entry) == 1 else value[entry[0], entry[1]]
    out = value
    for i in entry:
        out = out[i]
    return out


def _shown(answer, entry=()) -> str:
    """The value's entry in plain words: "0.773 (3 s.f.)", "155 (exact)", "yes"."""
    value = entry_of(answer.value, entry)
    if isinstance(value, (bool, sympy.logic.boolalg.BooleanAtom)):
        return "yes" if bool(value) else "no"
    if isinstance(value, (list, tuple)) and all(_integer(v) for v in value):
        return " x ".join(str(int(v)) for v in value) + " (exact)"
    if isinstance(value, (list, tuple, sympy.MatrixBase)):
        words = [_shown(Answer(answer.name, value, figures=answer.figures), e).rsplit(" (", 1)
                 for e in entry_indices(value)]
        rules = {w[1] for w in words if len(w) > 1}
        return "[" + ", ".join(w[0] for w in words) + "]" + (f" ({rules.pop()}" if len(rules) == 1 else "")
    figures = answer.figures or 3
    tol = interval(value, figures)

    exact = sympy.sympify(value)
    if tol is not None and tol[0] == 0:
        text = terminating_decimal(exact) if exact.is_Rational else None
        if text is None or len(text) > 40:                     # a huge integer: its leading figures
            with mpmath.workdps(hp.DPS):
                text = mpmath.nstr(hp.to_mp(exact)[1][0], 17)
        return f"{text.replace(chr(92) + ',', '')} (exact)"
    with mpmath.workdps(hp.DPS):
        return f"{mpmath.nstr(mp_value(exact), figures, strip_zeros=False)} ({figures} s.f.)"


def _plain(text) -> str:

    if isinstance(text, Text):
        return "".join(p if isinstance(p, str) else str(p) for p in text.parts)
    return str(text)


def assign(question, solution) -> None:
    """Set every answer's points to the sum of its items' points (None when it has none)."""
    solution._rubric_items = None
    found = items(question, solution)
    sums: dict = {}
    for item in found:
        if item.answer is not None:
            sums[item.answer] = sums.get(item.answer, Fraction(0)) + item.points
    for answer in solution.meta.values():
        answer.points = sums.get(answer.name)


# ---------------------------------------------------------------------------- judge ----

def judge(question, solution, item, student) -> tuple:
    """The fraction of item.points ``student`` earns for a numeric or yes/no item (a Fraction for a
    number, True/False for yes/no, None for a blank; a list of Fractions for a whole-value item)
    and why: "right", "partial" (the policy's wider band), "blank" or "wrong"."""
    if item.answer is None:
        raise ValueError(f"{item.column} is a criterion: the grader gives its points")
    if student is None or (isinstance(student, (list, tuple)) and not student):
        return Fraction(0), "blank"
    answer = solution.meta[item.answer]
    value = entry_of(answer.value, item.entry)
    if isinstance(value, (bool, sympy.logic.boolalg.BooleanAtom)):
        ok = isinstance(student, bool) and student == bool(value)
        return (Fraction(1), "right") if ok else (Fraction(0), "wrong")
    if isinstance(value, (list, tuple, sympy.MatrixBase)):
        return _judge_whole(question, solution, item, answer, value, student)
    if isinstance(student, bool) or isinstance(student, (list, tuple)):
        return Fraction(0), "wrong"
    policy = policy_of(question)
    figures = answer.figures or policy.figures_of(answer.name)
    lo, hi = _bounds(solution, item.answer, item.entry, value, figures)
    if lo <= Fraction(student) <= hi:
        return Fraction(1), "right"
    band = policy.partial
    if band is not None and band.figures < figures:
        lo, hi = _bounds(solution, item.answer, item.entry, value, band.figures)
        if lo <= Fraction(student) <= hi:
            return Fraction(band.credit), "partial"
    return Fraction(0), "wrong"


def _judge_whole(question, solution, item, answer, value, student):
    """A whole-value item: every entry right (or within the band) for the credit."""
    flat = list(value) if not isinstance(value, sympy.MatrixBase) else list(value)
    if isinstance(student, sympy.MatrixBase):
        student = list(student)
    student = list(student) if isinstance(student, (list, tuple)) else [student]
    if len(student) != len(flat) or any(s is None for s in student):
        return Fraction(0), "wrong"
    worst = (Fraction(1), "right")
    for i, s in enumerate(student):
        sub = Item(item.column, item.points, item.part, item.answer, _flat_entry(value, i), item.text)
        earned = judge(question, solution, sub, s)
        if earned[0] < worst[0]:
            worst = earned
    return worst if worst[1] != "blank" else (Fraction(0), "wrong")


def _flat_entry(value, i) -> tuple:
    entries = [e for e in entry_indices(value)]
    if entries == [()]:                     # a shape: one item over its integers
        return (i,)
    return entries[i]


def _bounds(solution, name, entry, value, figures):
    """[lo, hi] (exact Fractions) of the policy's interval around the exact entry, cached."""
    cache = solution.__dict__.setdefault("_judge_bounds", {})
    # the value is part of the key: a copy of the solution holding another value for the answer (a
    # value carried forward, a mistake's) shares this dict
    key = (name, entry, figures, value)
    if key not in cache:
        exact = sympy.sympify(value)
        half, _ = interval(exact, figures)
        if exact.is_Rational:
            centre = Fraction(int(exact.p), int(exact.q))
        else:
            with mpmath.workdps(hp.DPS):
                centre = Fraction(mpmath.nstr(mp_value(exact), 45, min_fixed=-mpmath.inf, max_fixed=mpmath.inf))
        cache[key] = (centre - half, centre + half)
    return cache[key]
