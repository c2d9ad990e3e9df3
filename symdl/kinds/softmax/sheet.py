"""The softmax question as the exam sheet shows it: the score formula as the exam writes it, W, B, the
class names and each case's input (its label and whether it drops the regularization). No score."""

from __future__ import annotations

import sympy as sp

from symdl.notation import given as g
from symdl.notation.display import display_tex
from symdl.kinds.softmax.notation import SoftmaxFormula
from symdl.solution import Math, Text

from .fields import read


def given(question) -> list:
    problem = read(question)
    items = []
    if question.values.get("score") is not None:
        items.append(Math(display_tex(question, "score")))
    items.append(Text("A multinomial logistic regression (softmax) turns the scores into class probabilities:"))
    items.append(Math(SoftmaxFormula("probability")))
    items.append(Text("The given weights and biases:"))
    items.extend([g.value("W", problem.W), g.value("B", problem.B)])
    if question.values.get("classes"):
        items.append(Text("The classes, in the order of the rows of W: " + ", ".join(map(str, problem.classes)) + "."))
    items.append(Text("The input vectors:"))
    for case in problem.cases:
        items.append(_case(problem, case))
    return items


def _case(problem, case):
    parts = [f"{case.id}) ", sp.Eq(g.symbol(f"x_{case.id}", case.x), g.as_exam_writes(case.x), evaluate=False)]
    if case.regularization != problem.regularization:
        parts.append(" without regularization" if case.regularization == "none"
                     else f" with {case.regularization.upper()} regularization")
    if case.label is not None:
        name = problem.classes[case.label] if problem.classes else str(case.label + 1)
        parts.append(f"; its true class is {name}")
    if case.text:
        parts.append(f" ({case.text})")
    return Text(*parts)
