"""Helpers below every kind for the exam sheet's items: a given value as an equation, a vector as
the exam writes it (a transposed row), a part's text and points (a string or ``{text, points}``)."""

from __future__ import annotations

import sympy as sp

from symdl.notation.printer import tex
from symdl.solution import Math, Tex


def symbol(name: str, value=None):
    """The symbol ``name`` (a matrix symbol when ``value`` is a matrix), printed by the printer."""
    if isinstance(value, sp.MatrixBase):
        return sp.MatrixSymbol(name, *value.shape)
    return sp.Symbol(name)


def as_exam_writes(value):
    """A column vector of more than one entry as the transpose of a row; anything else as it is."""
    if isinstance(value, sp.MatrixBase) and value.cols == 1 and value.rows > 1:
        return sp.Transpose(sp.ImmutableMatrix(value.T))
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


def equation(lhs, rhs) -> Tex:
    """``lhs = rhs``, both printed by the printer (any SymPy or display object)."""
    return Tex(f"{tex(lhs)} = {tex(rhs)}")


def value(name, matrix, *, audience="model") -> Math:
    """The given ``name = matrix`` as a displayed equation, a column vector written as a transposed row."""
    return Math(equation(symbol(name, matrix), as_exam_writes(matrix)), audience=audience)



def part_text(part) -> str:
    """A part's text: the part is a string or a table ``{text = ..., points = ...}``."""
    if isinstance(part, dict):
        return str(part.get("text", ""))
    return str(part)


def part_points(part):
    """A part's points when the spec gives them (a table ``{text, points}``), else None."""
    if isinstance(part, dict):
        points = part.get("points")
        return points if isinstance(points, (int, float)) and not isinstance(points, bool) else None
    return None
