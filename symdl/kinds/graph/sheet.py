"""The graph question as the exam sheet shows it: the function as written, the inputs' values, the
gradient arriving at the output. No node value and no gradient of the derivation."""

from __future__ import annotations

from symdl import given as g
from symdl.display import GraphFormula, display_tex
from symdl.errors import SpecError
from symdl.solution import Math, Text

from .build import build_graph
from .explain import _expr_tex
from .fields import read_values


def given(question) -> list:
    items = []
    if question.values.get("function") is not None:
        items.append(_function(question))
    values = read_values(question) if question.values.get("values") is not None else {}
    if values:
        items.append(Text("The given values:"))
        items.extend(g.value(name, matrix) for name, matrix in values.items())
    if question.values.get("upstream") is not None:
        upstream = question.matrix("upstream")
        items.append(Text("The gradient at the output of the graph: ", g.as_exam_writes(upstream), "."))
    return items


def _function(question) -> Math:
    """The function as the exam writes it; when that LaTeX cannot be shown verbatim (too long, or a
    macro TeX would read otherwise), the function as parsed, printed back by the printer."""
    try:
        return Math(display_tex(question, "function"))
    except SpecError:
        graph = build_graph(question)
        return Math(GraphFormula("f = {0}", _expr_tex(graph, graph.output)))
