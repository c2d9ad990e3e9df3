"""The graph question as the exam sheet shows it: the function as written, the inputs' values, the
gradient arriving at the output. No node value and no gradient of the derivation."""

from __future__ import annotations

from symdl.notation import given as g
from symdl.notation.display import GraphFormula, Tex, display_tex
from symdl.errors import SpecError
from symdl.solution import Math, Text

from .build import build_graph
from .explain import _expr_tex
from .fields import read_values
from .program import _lines
from symdl.errors import LatexError
from symdl.input.latex import display_latex


def given(question) -> list:
    items = []
    if question.values.get("function") is not None:
        items.append(_function(question))
    elif question.values.get("program") is not None:
        items.extend(_program(question))
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


def _program(question) -> list:
    """A program as the exam writes it, one line per assignment: each line verbatim when TeX reads it
    as written, else as it was parsed, printed back (an assigned name on a right side as its node)."""


    items, graph = [Text("The function, computed in stages:")], None
    for k, line in enumerate(_lines(question)):
        try:
            items.append(Math(Tex(display_latex(line))))
            continue
        except LatexError:
            pass
        graph = graph or build_graph(question)
        name, node = list(graph.named.items())[k]
        items.append(Math(GraphFormula("{0} = {1}", node.symbol, _expr_tex(graph, node, set(graph.named) - {name}))))
    return items
