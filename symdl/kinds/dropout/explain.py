"""The dropout kind's Solution: the scale, the training output (mask and scaling), the evaluation
output, and the gradients of both passes, as steps holding SymPy objects (no LaTeX here)."""

from __future__ import annotations

import sympy as sp

from symdl import given as g
from symdl.solution import Solution, Step, Text

from .fields import read

UE = sp.UnevaluatedExpr
P, Q = sp.symbols("p q")


def _hadamard(a, b, scale=None):
    """a (.) b entry by entry, each product shown with its numbers, times the scale when given."""
    with sp.evaluate(False):
        extra = [UE(scale)] if scale is not None else []
        return sp.Matrix(a.rows, a.cols, lambda i, j: sp.Mul(UE(a[i, j]), UE(b[i, j]), *extra))


def solve(question) -> Solution:
    d = read(question)
    sol = Solution(question.id, question.kind)
    if d.scaling == "inverted":
        sol.assume("Inverted dropout, as PyTorch and Keras implement it: at training time the kept units are "
                   "divided by the keep probability 1 - p; at evaluation the layer is the identity.")
    else:
        sol.assume("Dropout as first proposed (Srivastava et al., 2014): at training time the kept units pass "
                   "unscaled; at test time every unit is multiplied by the keep probability 1 - p.")
    if d.keep_given:
        sol.assume("The question gives the keep probability (as the cs231n notes' p); the drop probability is "
                   "one minus it.")
    sec = sol.section("The probabilities")
    keep = 1 - d.drop
    sec.add(Step("", lhs=Q, formula=1 - P, substituted=sp.Add(1, sp.Mul(-1, UE(d.drop), evaluate=False),
                                                                 evaluate=False), result=keep)
            if not d.keep_given else Step("", lhs=P, formula=1 - Q, result=d.drop))
    sol.answer("keep", keep, label=Q)
    if d.scaling == "inverted":
        scale = 1 / keep
        sec.add(Text("The kept units are scaled by one over the keep probability, so that the expected "
                     "output equals the input:"),
                Step("", lhs=sp.Symbol("s"), formula=1 / (1 - P), substituted=sp.Pow(UE(keep), -1, evaluate=False),
                     result=scale))
        sol.answer("scale", scale, label=sp.Symbol("s"))
    if d.train:
        _train(sol, d)
    if d.eval:
        _eval(sol, d)
    return sol


def _train(sol, d):
    sec = sol.section("Training: the mask")
    keep = 1 - d.drop
    scale = 1 / keep if d.scaling == "inverted" else None
    kept = sum(1 for v in d.mask if v == 1)
    sec.add(Text(f"The mask keeps {kept} of the {len(d.mask)} units (1: kept, 0: dropped)"
                 + (", and each kept unit is divided by 1 - p:" if scale is not None else "; the kept units pass "
                    "unscaled:")))
    y = d.x.multiply_elementwise(d.mask) * (scale if scale is not None else 1)
    sec.add(Step("", lhs=sp.Symbol(r"y_{train}"), formula=_hadamard(d.mask, d.x, scale), result=y, boxed=True))
    sol.answer("train.output", y, label=sp.Symbol(r"y_{train}"), final=True)
    if d.upstream is not None:
        sec.add(Text("Backward: a dropped unit passes no gradient; a kept one passes the upstream gradient "
                     + ("times the same scale:" if scale is not None else "unchanged:")))
        g = d.upstream.multiply_elementwise(d.mask) * (scale if scale is not None else 1)
        sec.add(Step("", lhs=sp.Symbol(r"\frac{\partial L}{\partial x}_{train}"),
                     formula=_hadamard(d.mask, d.upstream, scale), result=g, boxed=True))
        sol.answer("train.grad", g, label="dL/dx at training", final=True)


def _eval(sol, d):
    sec = sol.section("Evaluation")
    keep = 1 - d.drop
    if d.scaling == "inverted":
        sec.add(Text("At evaluation nothing is dropped and nothing is scaled (the scaling was done at training "
                     "time): the output is the input."))
        y, g = d.x, d.upstream
        formula = None
    else:
        sec.add(Text("At test time nothing is dropped; every unit is multiplied by the keep probability, the "
                     "expected value of its mask:"))
        y = d.x * keep
        g = d.upstream * keep if d.upstream is not None else None
        formula = sp.MatMul(UE(keep), d.x, evaluate=False)
    sec.add(Step("", lhs=sp.Symbol(r"y_{eval}"), formula=formula, result=y, boxed=True))
    sol.answer("eval.output", y, label=sp.Symbol(r"y_{eval}"), final=True)
    if g is not None:
        sec.add(Text("Backward: the same map, so the gradient is the upstream gradient"
                     + (" unchanged." if d.scaling == "inverted" else " times the keep probability.")))
        sec.add(Step("", lhs=sp.Symbol(r"\frac{\partial L}{\partial x}_{eval}"), result=g, boxed=True))
        sol.answer("eval.grad", g, label="dL/dx at evaluation", final=True)


def sheet(question) -> list:
    """The question as the exam sheet shows it: x, the probability as given, the mask, the upstream gradient."""
    d = read(question)
    items = [Text("The input:"), g.value("x", d.x)]
    items.append(Text(("Keep probability " if d.keep_given else "Drop probability p = ") +
                      ("q = " if d.keep_given else ""), 1 - d.drop if d.keep_given else d.drop,
                      "; " + ("inverted dropout (the kept units scaled by 1/(1 - p) during training)."
                              if d.scaling == "inverted" else "no scaling during training.")))
    if d.mask is not None:
        items += [Text("The training mask (1: kept, 0: dropped):"), g.value("m", d.mask)]
    if d.upstream is not None:
        items += [Text("The gradient arriving at the output:"), g.value(r"\frac{\partial L}{\partial y}", d.upstream)]
    return items
