"""The neuron question as the exam sheet shows it: the model, the activation, W, x, b and the upstream
gradient dL/dy (and the input domain when the question gives one). Nothing derived."""

from __future__ import annotations

import sympy as sp

from symdl.notation import given as g
from symdl.notation.display import PartialOf, display_tex
from symdl.solution import Math, Text

from .fields import read
from .symbols import ALPHA, Z


def given(question) -> list:
    neuron = read(question)
    items = []
    if question.values.get("model") is not None:
        items.append(Math(display_tex(question, "model")))
    act = neuron.activation
    formula = act.formula.subs(ALPHA, neuron.slope) if act.name == "leaky_relu" else act.formula
    slope = [" with slope ", neuron.slope] if act.name == "leaky_relu" else []
    items.append(Text(f"The activation is the {act.title}", *slope, ": ",
                      sp.Eq(sp.Function("A")(Z), formula, evaluate=False), "."))
    items.append(Text("The given values:"))
    items.extend(g.value(name, getattr(neuron, name)) for name in ("W", "x"))
    items.append(Math(g.equation(sp.Symbol("b"), g.as_exam_writes(_matrix(neuron.b)))))
    items.append(Math(g.equation(PartialOf(sp.Symbol("L"), sp.Symbol("y"), fraction=True),
                                 g.as_exam_writes(_matrix(neuron.upstream)))))
    if question.values.get("domain") is not None:
        items.append(Text("Each input lies in the interval given below (input i in [low_i, high_i]):"))
        items.append(Math(g.equation(sp.Symbol("low"), sp.Transpose(sp.ImmutableMatrix([neuron.lows])))))
        items.append(Math(g.equation(sp.Symbol("high"), sp.Transpose(sp.ImmutableMatrix([neuron.highs])))))
    return items


def _matrix(value):
    return value if isinstance(value, sp.MatrixBase) else sp.ImmutableMatrix([[value]])
