"""The numformat question as the exam sheet shows it: the format, the values to round, the loss scale and
the gradients, the range and the values to quantize. No derived number."""

from __future__ import annotations

from symdl.notation.printer import tex
from symdl.solution import Tex, Text

from .fields import read
from .explain import DIGITS
from .formats import FORMATS


def _listed(symbol, values):
    return Tex(r",\quad ".join(rf"{symbol}_{{{k}}} = {tex(v)}" for k, v in enumerate(values, 1)))


def given(question) -> list:
    problem = read(question)
    name = FORMATS[problem.format].name
    items = []
    if problem.limits or problem.values or problem.gradients:
        digits = DIGITS[FORMATS[problem.format].p]
        items.append(Text(f"The format: {name}, rounding to nearest, a tie to even. Give a value in the format "
                          f"to {digits} significant figures (fewer do not tell its neighbours apart)."))
    if problem.values:
        items.append(Text("The values to round: ", _listed("x", problem.values), "."))
    if problem.gradients:
        items.append(Text("The loss scale ", Tex(rf"S = {tex(problem.scale)}"), " and the gradients ",
                          _listed("g", problem.gradients), "."))
    if problem.qvalues:
        items.append(Text(f"{problem.dtype}, {problem.scheme}; the observed range ",
                          Tex(rf"[{tex(problem.low)}, {tex(problem.high)}]"), "; the values ",
                          _listed("x", problem.qvalues), "."))
    return items
