"""The graph question as the exam sheet shows it: the function as written, the inputs' values, the
gradient arriving at the output. No node value and no gradient of the derivation."""

from __future__ import annotations

from symdl import given as g
from symdl.display import display_tex
from symdl.solution import Math, Text

from .fields import read_values


def given(question) -> list:
    items = []
    if question.values.get("function") is not None:
        items.append(Math(display_tex(question, "function")))
    values = read_values(question) if question.values.get("values") is not None else {}
    if values:
        items.append(Text("The given values:"))
        items.extend(g.value(name, matrix) for name, matrix in values.items())
    if question.values.get("upstream") is not None:
        upstream = question.matrix("upstream")
        items.append(Text("The gradient at the output of the graph: ", g.as_exam_writes(upstream), "."))
    return items
