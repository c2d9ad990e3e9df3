"""The common mistakes of a backward pass, each the graph's own reverse sweep with one rule done wrong.

Every mistake swaps one row of the op table for a wrong one (or the upstream gradient for ones)
and runs the same exact backward pass; the values are exact. A mistake that changes no answer
is left out.
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy

from symdl import ops
from symdl.solution import Mistake

from .build import build_graph
from .derive import backward, forward, upstream_of

ONE = sympy.Integer(1)
NEAR_TIE_DIGITS = 2     # two values that agree to 2 significant digits look like a tie to a student


def _agree(a, b, digits=NEAR_TIE_DIGITS) -> bool:
    """Whether ``a`` and ``b`` round to the same ``digits`` significant digits (and differ)."""
    if ops.sign_of(a - b) == 0:
        return False
    with mpmath.workdps(30):
        x, y = (mpmath.mpf(sympy.Float(sympy.N(v, 30), 30)._mpf_) for v in (a, b))
        return mpmath.nstr(x, digits, strip_zeros=False) == mpmath.nstr(y, digits, strip_zeros=False)


def _no_transpose(rule):
    """The vector's gradient with the matrix itself instead of its transpose (a square matrix only)."""
    def vjp(g, vals, show=False, need=(True, True)):
        a, b = vals
        right = rule.vjp_f(g, vals, show, need)
        return [right[0], sympy.ImmutableMatrix(a * g) if a.rows == a.cols else right[1]]
    return replace(rule, vjp_f=vjp)


def _mask_dropped(rule):
    """The whole upstream gradient passed to both arguments of a max/min (and through a relu)."""
    if isinstance(rule, ops.Binary):
        return replace(rule, da=lambda a, b, y: ONE, db=lambda a, b, y: ONE)
    return replace(rule, df=lambda x, y: ONE)


def _near_tie(rule):
    """Arguments that agree to two significant digits treated as a tie: half of the gradient each."""
    half = ops.HALF
    return replace(rule, da=lambda a, b, y: half if _agree(a, b) else rule.da(a, b, y),
                   db=lambda a, b, y: half if _agree(a, b) else rule.db(a, b, y))


# name, what the student did, the ops it changes, the wrong row
WRONG_RULES = (
    ("W instead of W^T", "used the matrix itself, not its transpose, in the matrix product's rule "
     "for the vector", ("matmul",), _no_transpose),
    ("max mask dropped", "passed the whole gradient to both arguments of the max/min (and through the "
     "relu) instead of only to the argument that won", ("max", "min", "relu"), _mask_dropped),
    ("near tie taken as a tie", "read two arguments of the max/min that agree to two significant digits "
     "as a tie and sent half of the gradient to each", ("max", "min"), _near_tie),
)
UPSTREAM_IGNORED = ("upstream gradient ignored", "started the backward pass from 1 at every output entry "
                    "instead of the given upstream gradient")


def _sweep(graph, upstream, wrong=None, ops_changed=()):
    """The backward pass with the rows of ``ops_changed`` made wrong by ``wrong``."""
    base = type(graph).rule.__get__(graph)
    graph.rule = (lambda node: wrong(base(node)) if node.op in ops_changed else base(node)) if wrong else base
    graph._vjp_memo = {}
    try:
        grads, _ = backward(graph, upstream)
    finally:
        del graph.rule
        graph._vjp_memo = {}
    return grads


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for the gradients each common mistake changes (exact values)."""
    graph = build_graph(question)
    forward(graph)
    upstream = upstream_of(question, graph)
    used = {n.op for n in graph.nodes}
    runs = [(name, why, _sweep(graph, upstream, wrong, changed))
            for name, why, changed, wrong in WRONG_RULES if used & set(changed)]
    ones = sympy.ones(*upstream.shape)
    if upstream != ones:
        runs.append((*UPSTREAM_IGNORED, _sweep(graph, ones)))
    out = {}
    for name, why, grads in runs:
        for node in graph.nodes:
            answer = f"grad.{node.id}"
            if answer not in solution.answers or node.id not in grads:
                continue
            value = sympy.ImmutableMatrix(grads[node.id])
            if value != solution.answers[answer]:
                out.setdefault(answer, []).append(Mistake(name, value, why))
    return out
