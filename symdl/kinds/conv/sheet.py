"""The conv question as the exam sheet shows it: the input (one matrix per channel), the kernels and
biases, the window, stride, padding and dilation as the question states them, the upstream gradient.
Nothing computed: the output size and every output entry are the student's."""

from __future__ import annotations

import sympy as sp

from symdl.notation import given as g
from symdl.notation.display import PartialOf
from symdl.solution import Math, Text

from .fields import read, values_of


def given(question) -> list:
    problem = read(question)
    values = values_of(question)
    items = [Text("The input:" if problem.C == 1 else f"The input, {problem.C} channels:")]
    items.extend(g.value("X" if problem.C == 1 else f"X_{c + 1}", x) for c, x in enumerate(problem.x))
    if problem.operation == "conv":
        items.extend(_kernels(problem))
    items.extend(_settings(question, values))
    if problem.upstream_ones:       # an all-ones upstream would give the output's size away
        items.append(Text("The loss is the sum of the outputs, L = sum of every entry of Y."))
    elif problem.upstream is not None:
        items.append(Text("The gradient arriving at the output:"))
        many = len(problem.upstream) > 1
        for f, up in enumerate(problem.upstream):
            lhs = PartialOf(sp.Symbol("L"), sp.Symbol(f"Y_{f + 1}" if many else "Y"), fraction=True)
            items.append(Math(g.equation(lhs, up)))
    return items


def _kernels(problem):
    items = [Text("The kernel:" if len(problem.kernels) == 1 and problem.C == 1 else "The kernels:")]
    for f, kernel in enumerate(problem.kernels):
        for c, k in enumerate(kernel):
            name = "K" if len(problem.kernels) == 1 and problem.C == 1 else f"K_{f + 1}{c + 1}"
            items.append(g.value(name, k))
    if problem.has_bias:
        items.append(Text("The biases, one per filter: ", sp.ImmutableMatrix([problem.bias]), "."))
    return items


def _settings(question, values):
    words = []
    for name in ("window", "stride", "dilation"):
        if question.has(name):
            words.append(f"{name} {_pair(values[name])}")
    if question.has("padding"):
        words.append(f"padding {_pair(values['padding'])}")
    if question.has("dilation") and values.get("dilation_convention") == "gaps":
        words.append("dilation counted as the zeros between kernel taps (0: an ordinary kernel)")
    return [Text(", ".join(words).capitalize() + ".")] if words else []


def _pair(value):
    if isinstance(value, list):
        return " x ".join(str(v) for v in value) if all(isinstance(v, int) for v in value) else str(value)
    return f"'{value}'" if isinstance(value, str) else str(value)
