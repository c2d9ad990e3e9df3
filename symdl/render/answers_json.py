"""answers.json: every answer as JSON numbers, lists and nested lists, in a stable order."""

from __future__ import annotations

import json
import decimal
import math
import numbers

import numpy as np
import sympy


def jsonable(value):
    """An exact answer as plain JSON: numbers, bools, strings, lists (vectors flat).

    Integers stay exact; other numbers become the nearest double (from 30 significant
    digits, so the same on every machine); NaN and infinities become the strings "nan",
    "inf", "-inf" (JSON has no such numbers).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, sympy.logic.boolalg.BooleanAtom):
        value = bool(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, numbers.Rational):          # fractions.Fraction
        return int(value) if value.denominator == 1 else float(value)
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
            return int(value)
        if value is sympy.nan:
            return "nan"
        if value in (sympy.oo, -sympy.oo):
            return str(float(value))
        x = float(sympy.N(value, 30))
        return x if math.isfinite(x) else str(x)
    raise TypeError(f"cannot write {type(value).__name__} to answers.json")


def document(exam, results) -> dict:
    return {
        "exam": {"id": exam.id, "title": exam.title},
        "questions": [
            {
                "id": r.question.id,
                "kind": r.question.kind,
                "verified": r.verified,
                "answers": {name: jsonable(v) for name, v in r.solution.answers.items()},
            }
            for r in results
        ],
    }


def render(exam, results) -> str:
    return json.dumps(document(exam, results), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
