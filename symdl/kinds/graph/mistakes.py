"""The mistakes students make in a backward pass, each the graph's own reverse sweep with one rule done wrong.

Every mistake swaps rows of the op table for wrong ones (or the upstream gradient for ones) and
runs the same exact backward pass; the values are exact. Each mistake has a stable name (a slug),
the same on every graded gradient it changes (final, or marked graded by the kind); a mistake
that changes no graded answer is left out (and grading drops one whose values another mistake
already gives).

The mistakes, in the order they are listed (the rubric's order, and the first 8 are kept):

- a transpose missed: the gradient of a matrix product's right operand with the left matrix
  itself, not its transpose (``W g`` for ``W^T g``; a square matrix only);
- a transpose added: the gradient of the left operand transposed (``x g^T`` for ``g x^T``);
- an op's local gradient forgotten: the upstream gradient passed through an elementwise op
  (exp, log, sigmoid, tanh, relu, a power, a product, ...) as if its local derivative were 1,
  one mistake per op of the graph;
- the upstream gradient not multiplied: the backward pass started from ones, not from the given
  upstream gradient;
- a max's gradient sent to both arguments, or to the argument that lost;
- a near tie taken as a tie (arguments of a max/min agreeing to two significant digits split the
  gradient): listed on one answer only, the max's own input when the exam grades its gradient,
  else the first graded gradient it changes (the others follow by the error carried forward).
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy

from symdl.ops.base import HALF, Binary, Unary, sign_of
from symdl.grading.mistake_rows import asked_names
from symdl.solution import Mistake

from .build import build_graph
from .derive import backward, forward, upstream_of

ONE = sympy.Integer(1)
NEAR_TIE_DIGITS = 2     # two values that agree to 2 significant digits look like a tie to a student
MAXES = ("max", "min")
# ops whose local gradient a student may forget (pass the upstream gradient through unchanged)
LOCAL = ("exp", "log", "tanh", "sigmoid", "relu", "abs", "neg", "pow", "mul", "div", "mean")
LOCAL_WORDS = {"exp": "the exponential", "log": "the logarithm", "tanh": "tanh", "sigmoid": "the sigmoid",
               "relu": "the ReLU", "abs": "the absolute value", "neg": "the negation", "pow": "the power",
               "mul": "the product", "div": "the division", "mean": "the mean"}


def _agree(a, b, digits=NEAR_TIE_DIGITS) -> bool:
    """Whether ``a`` and ``b`` round to the same ``digits`` significant digits (and differ)."""
    if sign_of(a - b) == 0:
        return False
    with mpmath.workdps(30):
        x, y = (mpmath.mpf(sympy.Float(sympy.N(v, 30), 30)._mpf_) for v in (a, b))
        return mpmath.nstr(x, digits, strip_zeros=False) == mpmath.nstr(y, digits, strip_zeros=False)


def _square(m) -> bool:
    return m.rows == m.cols


def _transpose_missed(rule):
    """The right operand's gradient with the left matrix itself instead of its transpose (square only)."""
    def vjp(g, vals, show=False, need=(True, True)):
        a, _ = vals
        right = rule.vjp_f(g, vals, show, need)
        return [right[0], sympy.ImmutableMatrix(a * g) if _square(a) else right[1]]
    return replace(rule, vjp_f=vjp)


def _transpose_added(rule):
    """The left operand's gradient transposed (``b g^T`` for ``g b^T``; a square left operand only)."""
    def vjp(g, vals, show=False, need=(True, True)):
        a, _ = vals
        right = rule.vjp_f(g, vals, show, need)
        return [sympy.ImmutableMatrix(right[0].T) if _square(a) else right[0], right[1]]
    return replace(rule, vjp_f=vjp)


def _local_forgotten(rule):
    """The op's local derivative taken as 1: the upstream gradient passed through unchanged."""
    if isinstance(rule, Unary):
        return replace(rule, df=lambda x, y: ONE)
    if isinstance(rule, Binary):
        return replace(rule, da=lambda a, b, y: ONE, db=lambda a, b, y: ONE)
    # mean: every entry gets the whole upstream gradient, not 1/n of it
    return replace(rule, vjp_f=lambda g, vals, show=False, need=(True,):
                   [sympy.ImmutableMatrix(*vals[0].shape, [g[0, 0]] * len(vals[0]))])


def _to_both(rule):
    """The whole upstream gradient passed to both arguments of a max/min."""
    return replace(rule, da=lambda a, b, y: ONE, db=lambda a, b, y: ONE)


def _to_loser(rule):
    """The upstream gradient sent to the argument that lost (a tie still splits it)."""
    return replace(rule, da=rule.db, db=rule.da)


def _near_tie(rule):
    """Arguments that agree to two significant digits treated as a tie: half of the gradient each."""
    half = HALF
    return replace(rule, da=lambda a, b, y: half if _agree(a, b) else rule.da(a, b, y),
                   db=lambda a, b, y: half if _agree(a, b) else rule.db(a, b, y))


def _sweep(graph, upstream, wrong=None, changed=()):
    """The backward pass with the rows of the ops in ``changed`` made wrong by ``wrong``."""
    base = type(graph).rule.__get__(graph)
    graph.rule = (lambda node: wrong(base(node)) if node.op in changed else base(node)) if wrong else base
    graph._vjp_memo = {}
    try:
        grads, _ = backward(graph, upstream)
    finally:
        del graph.rule
        graph._vjp_memo = {}
    return grads


def _square_product(graph):
    """The input names of the first matrix product whose left operand is square (None when none is):
    the one a transpose mistake can be written for, named in the sentence a student reads."""
    for node in graph.nodes:
        if node.op == "matmul" and _square(graph.by_id[node.inputs[0]].value):
            return node.inputs
    return None


def _runs(graph):
    """(slug, why, wrong rule, ops it changes, None for every answer it changes or a function of the
    solution giving the answers, in order, of which it is listed on the first it changes) in listing order."""
    used = [n.op for n in graph.nodes if not n.is_leaf]
    runs = []
    names = _square_product(graph)
    if names:
        a, b = names
        runs.append(("matmul-transpose-missed", f"you multiplied the upstream gradient by {a} instead of by the "
                     f"transpose of {a} for the gradient of {b}", _transpose_missed, ("matmul",), None))
        runs.append(("matmul-transpose-added", f"you wrote the gradient of {a} transposed ({b} times the upstream "
                     f"gradient transposed, instead of the upstream gradient times {b} transposed)",
                     _transpose_added, ("matmul",), None))
    for op in dict.fromkeys(used):
        if op in LOCAL:
            words = LOCAL_WORDS[op]
            runs.append((f"{op}-local-grad-forgotten", f"you passed the gradient through {words} without "
                         f"multiplying by its local derivative", _local_forgotten, (op,), None))
    for op in dict.fromkeys(o for o in used if o in MAXES):
        runs.append((f"{op}-grad-to-both", f"you sent the whole gradient to both arguments of the {op}, "
                     "not only to the one that won", _to_both, (op,), None))
        runs.append((f"{op}-grad-to-wrong-argument", f"you sent the gradient of the {op} to the argument "
                     "that lost instead of the one that won", _to_loser, (op,), None))
        tied = _near_tie_input(graph, op)
        if tied and not any(run[0] == "near-tie-taken-as-tie" for run in runs):     # one near tie, one row
            runs.append(("near-tie-taken-as-tie", f"you read two arguments of the {op} that agree to two "
                         "significant digits as a tie and sent half of the gradient to each",
                         _near_tie, (op,), lambda sol, tied=tied: _tie_rows(sol, tied)))
    return runs


def _tie_rows(solution, tied):
    """Where a near tie is listed, in order of preference: the tied input's gradient (when the exam
    grades it), else the first graded gradient it changes."""
    return [tied] + [a for a in asked_names(solution) if a.startswith("grad.") and a != tied]


def _near_tie_input(graph, op):
    """The gradient (an answer name) where a near tie of ``op`` first shows: its first non-constant input."""
    for node in graph.nodes:
        if node.op != op:
            continue
        a, b = (graph.by_id[i].value for i in node.inputs)
        pairs = [(a[k] if a.shape != (1, 1) else a[0], b[k] if b.shape != (1, 1) else b[0])
                 for k in range(len(node.value))]
        if any(_agree(x, y) for x, y in pairs):
            for i in node.inputs:
                if not graph.by_id[i].is_leaf or graph.by_id[i].op != "const":
                    return f"grad.{i}"
    return None


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for the gradients each common mistake changes (exact values)."""
    graph = build_graph(question)
    forward(graph)
    upstream = upstream_of(question, graph)
    runs = [(slug, why, _sweep(graph, upstream, wrong, changed), rows)
            for slug, why, wrong, changed, rows in _runs(graph)]
    ones = sympy.ones(*upstream.shape)
    if upstream != ones:            # listed after the transposes and the local gradients, before the max's
        at = sum(1 for run in runs if run[0].startswith("matmul-") or run[0].endswith("-local-grad-forgotten"))
        runs.insert(at, ("upstream-not-multiplied", "you started the backward pass from 1 instead of the given "
                        "upstream gradient", _sweep(graph, ones), None))
    out, asked = {}, set(asked_names(solution))
    for slug, why, grads, one_of in runs:
        changed = [(f"grad.{node.id}", sympy.ImmutableMatrix(grads[node.id])) for node in graph.nodes
                   if f"grad.{node.id}" in asked and node.id in grads]
        changed = [(a, v) for a, v in changed if v != solution.answers[a]]
        if one_of is not None:          # one row only: the first of ``one_of`` the mistake changes
            rank = {a: k for k, a in enumerate(one_of(solution))}
            changed = sorted((c for c in changed if c[0] in rank), key=lambda c: rank[c[0]])[:1]
        for answer, value in changed:
            out.setdefault(answer, []).append(Mistake(slug, value, why))
    return out
