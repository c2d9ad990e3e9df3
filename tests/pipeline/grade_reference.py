"""An independent grader for the grade tests: its own number reading, tolerance arithmetic (from
answers.json's ``tolerance``), degenerate rules and error carried forward (bench/grade_class.py's
numpy derivations). It never imports symdl.classgrade; it reads the items' points from
answers.json's ``rubric`` when there is one, else from symdl.grading.rubric.items (the exam's definition)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

from support import TESTS

_spec = importlib.util.spec_from_file_location("symdl_grade_class", TESTS.parent / "bench" / "grade_class.py")
gc = importlib.util.module_from_spec(_spec)
sys.modules["symdl_grade_class"] = gc
_spec.loader.exec_module(gc)

FIGURES = 3            # docs/grading.md: a carried value whose right value was 0 or whole: 3 figures
PLAUSIBLE = 100


def exact_json(text):
    return json.loads(text, parse_float=lambda s: Fraction(Decimal(s)))


def items_of(answers_exact, report=None) -> list:
    """[(column, points, question, answer or None, entry)] in the exam's order."""
    out = []
    for q in answers_exact["questions"]:
        if "rubric" in q:
            out += [(i["column"], Fraction(i["points"]), q["id"], i["answer"], tuple(i["entry"] or ()))
                    for i in q["rubric"]]
    if out or report is None:
        return out
    from symdl.grading import rubric

    for r in report.results:
        out += [(i.column, Fraction(i.points), r.question.id, i.answer, tuple(i.entry))
                for i in rubric.items(r.question, r.solution)]
    return out


def number(text):
    """(Fraction or None, readable?)"""
    t = (text or "").strip().replace("\u2212", "-")
    if not t:
        return None, True
    if re.fullmatch(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?", t):
        t = t.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", t):
        return None, False
    try:
        return Fraction(Decimal(t)), True
    except InvalidOperation:
        return None, False


def _at(v, entry):
    for i in entry:
        v = v[i]
    return v


def _exponent(q: Fraction) -> int:
    e = 0
    q = abs(q)
    while q >= 10:
        q /= 10
        e += 1
    while q < 1:
        q *= 10
        e -= 1
    return e


def within(s, v, ab, rel):
    return abs(s - v) <= max(ab, rel * abs(v))


def carried_width(new: Fraction, right: Fraction, ab: Fraction) -> Fraction:
    if new == 0:
        return ab
    if ab == 0 and new.denominator == 1:
        return Fraction(0)
    if ab == 0 or right == 0:
        return Fraction(10) ** (_exponent(new) - FIGURES + 1) / 2
    return ab * Fraction(10) ** (_exponent(new) - _exponent(right))


def degenerate(student: dict, right: dict) -> bool:
    vals = list(student.values())
    if all(v == 0 for v in vals) or all(v == 1 for v in vals):
        return True
    keys = list(student)
    if keys and len(keys[0]) == 2:
        n = max(k[0] for k in keys) + 1
        if n >= 2 and n * n == len(keys) and all(v == (1 if i == j else 0) for (i, j), v in student.items()):
            return True
    big, rbig = max(abs(v) for v in vals), max(abs(v) for v in right.values())
    if rbig and (big > PLAUSIBLE * rbig or big * PLAUSIBLE < rbig):
        return True
    if all(v.denominator == 1 and v > 0 for v in right.values()) and \
            not all(v.denominator == 1 and v > 0 for v in vals):
        return True
    return False


def _as_list(student: dict):
    """A student's whole answer as nested lists of floats (numpy's input)."""
    if list(student) == [()]:
        return float(student[()])
    if all(len(k) == 1 for k in student):
        return [float(student[(i,)]) for i in range(len(student))]
    rows = max(k[0] for k in student) + 1
    cols = max(k[1] for k in student) + 1
    return [[float(student[(i, j)]) for j in range(cols)] for i in range(rows)]


def _flat(v, prefix=()):
    """[(entry, number)] of a nested list, row by row."""
    if isinstance(v, list):
        return [pair for i, x in enumerate(v) for pair in _flat(x, prefix + (i,))]
    return [(prefix, v)]


def _cell_entries(text):
    """A whole vector or shape written in one cell ("2808 x 33 x 64", "[0 0 0]"): its numbers, or None."""
    parts = [p for p in re.split(r"[\s;,\u00d7\[\]()]+|(?<=\d)[xX]", text.strip()) if p]
    numbers = [number(p) for p in parts]
    return None if not numbers or not all(ok and v is not None for v, ok in numbers) else [v for v, _ in numbers]


def grade(cells: dict, answers_exact: dict, items: list, carry=True, table=None):
    """{column: Fraction earned} and the total, for one student's cells."""
    answers = {q["id"]: q["answers"] for q in answers_exact["questions"]}
    earned, values, readable = {}, {}, {}
    for column, points, qid, name, entry in items:
        text = cells.get(column, "")
        if name is None:
            value, ok = number(text)
            earned[column] = value if ok and value is not None else Fraction(0)
            continue
        answer = answers[qid][name]
        right = _at(answer["value"], entry)
        if isinstance(right, bool):
            word = text.strip().lower()
            value = True if word in ("yes", "y") else False if word in ("no", "n") else None
            earned[column] = points if value is right else Fraction(0)
            values[column], readable[column] = value, word in ("", "yes", "y", "no", "n")
            continue
        tol = answer["tolerance"]
        if isinstance(right, list):                      # a whole vector or shape in one cell
            got, rights = _cell_entries(text), _flat(right)
            hit = got is not None and len(got) == len(rights) and all(
                within(g, Fraction(r), Fraction(_at(tol["abs"], entry + e)), Fraction(_at(tol["rel"], entry + e)))
                for g, (e, r) in zip(got, rights))
            earned[column] = points if hit else Fraction(0)
            values[column] = None if got is None or len(got) != len(rights) else \
                {entry + e: g for g, (e, _) in zip(got, rights)}
            continue
        value, ok = number(text)
        values[column], readable[column] = value, ok
        hit = value is not None and within(value, Fraction(right), Fraction(_at(tol["abs"], entry)),
                                           Fraction(_at(tol["rel"], entry)))
        earned[column] = points if hit else Fraction(0)
    if carry:
        _carry(cells, answers, items, earned, values, table)
    return earned, sum(earned.values(), Fraction(0))


def _carry(cells, answers, items, earned, values, table):
    by_answer = {}
    for column, points, qid, name, entry in items:
        if name is not None:
            by_answer.setdefault((qid, name), []).append((column, points, entry))
    for qid in sorted({k[0] for k in by_answer}):
        given = {}
        for (q, name), its in by_answer.items():
            if q != qid or isinstance(_at(answers[q][name]["value"], its[0][2]), bool):
                continue
            if all(earned[c] >= p for c, p, _ in its):
                continue
            student = {}
            for c, _, e in its:
                student.update(values[c] if isinstance(values[c], dict) else {e: values[c]})
            if any(v is None for v in student.values()):
                continue
            right = {e: Fraction(_at(answers[q][name]["value"], e)) for e in student}
            if not degenerate(student, right):
                given[name] = _as_list(student)
        if not given:
            continue
        rec = gc.recomputed(qid, given, table)
        for (q, name), its in by_answer.items():
            if q != qid or name not in rec:
                continue
            for column, points, entry in its:
                if earned[column] >= points or values[column] is None:
                    continue
                new = _at(np.asarray(rec[name], dtype=object).tolist() if not isinstance(rec[name], (bool, np.bool_))
                          else bool(rec[name]), entry)
                if isinstance(new, (bool, np.bool_)):
                    if values[column] is bool(new):
                        earned[column] = points
                    continue
                if isinstance(values[column], dict):     # a whole value: every entry within its carried width
                    ok = True
                    for (e, n) in _flat(np.asarray(new, dtype=object).tolist()):
                        n = Fraction(float(n)) if not isinstance(n, int) else Fraction(n)
                        r = Fraction(_at(answers[q][name]["value"], entry + e))
                        w = carried_width(n, r, Fraction(_at(answers[q][name]["tolerance"]["abs"], entry + e)))
                        ok = ok and abs(values[column][entry + e] - n) <= w
                    if ok:
                        earned[column] = points
                    continue
                new = Fraction(float(new)) if not isinstance(new, int) else Fraction(new)
                right = Fraction(_at(answers[q][name]["value"], entry))
                width = carried_width(new, right, Fraction(_at(answers[q][name]["tolerance"]["abs"], entry)))
                if abs(values[column] - new) <= width:
                    earned[column] = points
