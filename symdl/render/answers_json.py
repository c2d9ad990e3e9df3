"""answers.json: every answer as JSON numbers, lists and nested lists, in a stable order."""

from __future__ import annotations

import json
import decimal
import math
import numbers

import sys

import mpmath
import numpy as np
import sympy

from symdl.check import hp
from symdl.grading import rubric
from symdl.grading.policy import policy_of


class Number(str):
    """A JSON number literal written from an exact value (past float64's range or a long integer)."""


FLOAT_MAX = mpmath.mpf(sys.float_info.max)
FLOAT_TINY = mpmath.mpf(sys.float_info.min)        # smallest normal double
MAX_INTEGER_BITS = 1000                            # about 300 digits; longer integers are rounded


def literal(x) -> Number:
    """An mpf as a JSON number: 17 significant digits and the true exponent (1.97e434)."""
    with mpmath.workdps(40):
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
        digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - 16)))
        if digits >= 10**17:
            exponent, digits = exponent + 1, int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - 15)))
        elif digits < 10**16:
            exponent, digits = exponent - 1, int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - 17)))
    text = str(digits)
    mantissa = (text[0] + "." + text[1:]).rstrip("0").rstrip(".")
    return Number(f"{'-' if x < 0 else ''}{mantissa}e{exponent}")


def _number(exact, nearest_double):
    """A finite exact number as a float when a double holds it without over- or underflow, else a literal."""
    with mpmath.workdps(40):
        x = hp.to_mp(exact)[1][0]
        if x == 0:
            return 0.0
        if mpmath.isnan(x) or mpmath.isinf(x):
            return "nan" if mpmath.isnan(x) else ("inf" if x > 0 else "-inf")
        if FLOAT_TINY <= abs(x) <= FLOAT_MAX:
            return nearest_double()
    return literal(x)


def jsonable(value):
    """An exact answer as plain JSON: numbers, bools, strings, lists (vectors flat).

    Integers stay exact (up to about 300 digits); other numbers become the nearest double
    (from 30 significant digits, so the same on every machine), and a number a double
    cannot hold (e^{1000}, 5e-435) a literal with 17 significant digits and its true
    exponent, so nothing overflows to infinity or underflows to 0. Only an answer that is
    itself NaN or infinite becomes the string "nan", "inf" or "-inf".
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, sympy.logic.boolalg.BooleanAtom):
        value = bool(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        if value.bit_length() <= MAX_INTEGER_BITS:
            return value
        with mpmath.workdps(40):
            return literal(hp.to_mp(value)[1][0])
    if isinstance(value, numbers.Rational):          # fractions.Fraction
        if value.denominator == 1:
            return jsonable(int(value))
        return _number(value, lambda: float(value))
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, sympy.MatrixBase):
        if value.cols == 1 or value.rows == 1:
            return [jsonable(v) for v in value]
        return [[jsonable(v) for v in row] for row in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, sympy.Basic):
        if value.is_Integer:
            return jsonable(int(value))
        if value is sympy.nan:
            return "nan"
        if value in (sympy.oo, -sympy.oo):
            return str(float(value))
        return _number(value, lambda: float(sympy.N(value, 30)))
    raise TypeError(f"cannot write {type(value).__name__} to answers.json")


SCHEMA = 2      # the version of answers.json's layout (symdl/data/answers.schema.json, docs/answers-json.md)


def document(exam, results) -> dict:
    """answers.json, schema 2: the exam with its answer policy, and per question its parts, its
    rubric (every graded item with its points) and every answer with its part, points, unit,
    tolerance (the policy's interval) and common mistakes."""
    policy = policy_of(exam)
    head = {"id": exam.id, "title": exam.title, "course": exam.course, "date": exam.date}
    if getattr(exam, "drawn", None):        # a variant: its label and the values drawn for it
        head.update(variant=exam.variant or "", drawn=exam.drawn)
    return {
        "schema": SCHEMA,
        "exam": head,
        "grading": _policy(policy),
        "questions": [_question(r) for r in results],
    }


def _policy(policy) -> dict:
    band = policy.partial
    return {"figures": policy.figures, "step": jsonable(policy.step), "carry_forward": policy.carry_forward,
            "partial": None if band is None else {"figures": band.figures, "credit": jsonable(band.credit)}}


def _rubric(result) -> list:

    if result.solution is None:
        return []
    return [{"column": i.column, "points": jsonable(i.points), "part": i.part, "answer": i.answer,
             "entry": list(i.entry), "text": i.text} for i in rubric.items(result.question, result.solution)]


def _question(result) -> dict:
    q, sol = result.question, result.solution
    return {
        "id": q.id,
        "kind": q.kind,
        "verified": result.verified,
        "points": jsonable(q.points),
        "parts": {name: {"text": text, "points": jsonable(points)} for name, text, points in q.part_list()
                  if name is not None},
        "rubric": _rubric(result),
        "answers": {name: _answer(sol, name, value) for name, value in sol.answers.items()},
    }


def _answer(sol, name, value) -> dict:
    meta = sol.meta.get(name)
    if meta is None:                # an answer set on solution.answers directly: no metadata
        return {"value": jsonable(value), "part": None, "final": False, "points": None, "unit": None,
                "tolerance": None, "mistakes": []}
    tolerance = meta.tolerance
    return {
        "value": jsonable(value),
        "part": meta.part,
        "final": bool(meta.final),
        "points": jsonable(meta.points),
        "unit": meta.unit,
        "tolerance": None if tolerance is None else {"abs": jsonable(tolerance.get("abs")),
                                                     "rel": jsonable(tolerance.get("rel"))},
        "mistakes": [{"name": m.name, "value": jsonable(m.value), "why": m.why or ""} for m in meta.mistakes],
    }


def _dumps(value, indent=""):
    """JSON text laid out like json.dumps(indent=2), with each Number written as its literal."""
    if isinstance(value, Number):
        return str(value)
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(inner + _dumps(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def render(exam, results) -> str:
    return _dumps(document(exam, results)) + "\n"


def schema_path():
    """The JSON Schema of answers.json (in the package: symdl/data/answers.schema.json)."""
    from importlib import resources

    return resources.files("symdl") / "data" / "answers.schema.json"
