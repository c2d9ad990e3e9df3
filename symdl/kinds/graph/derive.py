"""The graph kind's derivation: exact forward values and the reverse sweep of vector-Jacobian products."""

from __future__ import annotations

import sympy

from symdl.ops.table import STEEP, TABLE

from .named import compact

DISPLAY_LIMIT = 36      # largest value (entries) whose entry-wise working the sheet shows
DRAW_DEPTH = 40         # a graph deeper than this (or with more nodes) is not drawn: TikZ's
DRAW_NODES = 200        # coordinates would pass TeX's largest dimension (about 5.7 m)
MAX_DECADES = 5000      # an exact value past 10^5000 in size is refused (no exam needs one)
MAX_EXP_ARGUMENT = 10000   # exp/sigmoid/tanh of more than this: e^10000 ~ 10^4343
SIG_DIGITS = 5          # the one rounding rule: every rounded value (steps, drawing) has 5 significant digits


def _beyond(entry, limit) -> bool:
    """True when |entry| > limit (exact for rationals, else from 30 digits)."""
    if isinstance(entry, sympy.Rational):
        return abs(entry) > limit
    return bool(abs(sympy.N(entry, 30)) > limit)


def _size(shape):
    return shape[0] * shape[1]


def forward(graph):
    """Every node's exact value, in topological order; an undefined or huge value is refused."""
    for node in graph.nodes:
        if node.is_leaf:
            continue
        vals = [graph.by_id[i].value for i in node.inputs]
        check = getattr(graph.rule(node), "check", None)
        problem = check(vals) if check else None
        if problem:
            raise graph.error(f"{node.id} = {_words(graph, node)}: {problem}", node=node)
        node.value = compact(forward_value(graph, node, vals, show=False), node.id)
        for entry in node.value:
            if node.op in TABLE and TABLE[node.op].masks and entry == -sympy.oo:   # a mask's own (softmax: 0)
                continue
            if entry.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or entry.is_real is False:
                raise graph.error(f"{node.id} = {_words(graph, node)} is undefined or not real at the given values "
                                 f"(for example a division by zero or the log of a non-positive number)", node=node)
        _check_size(graph, node, vals)


def _check_size(graph, node, vals):
    """Refuse values no exam needs and no check can follow: past 10^MAX_DECADES, or e^(huge)."""
    for entry in node.value:
        if isinstance(entry, sympy.Rational) and entry != 0 and \
                abs(abs(int(entry.p)).bit_length() - int(entry.q).bit_length()) > MAX_DECADES * 3.33:
            raise graph.error(f"{node.id} = {_words(graph, node)} reaches beyond 10^{MAX_DECADES} in size: "
                             "too large for an exam value", node=node)
    if node.op in STEEP:
        for entry in vals[0]:
            if _beyond(entry, MAX_EXP_ARGUMENT):
                raise graph.error(f"the argument of {node.id} = {_words(graph, node)} is beyond "
                                 f"+-{MAX_EXP_ARGUMENT}: the value or its gradient is too large or too "
                                 f"small (beyond 10^+-{int(MAX_EXP_ARGUMENT * 0.4343)}) to compute and check",
                                  node=node)


def forward_value(graph, node, vals, show):
    """The node's exact value, or with ``show`` its entries with the numbers put in, unevaluated."""
    if show and _size(node.shape) > DISPLAY_LIMIT:
        return None         # the sheet shows no entry-wise working for a large value
    return graph.rule(node).forward(vals, node.shape, show=show)


def vjp(graph, node, g, show=False):
    """One gradient per input of ``node`` for upstream ``g``; with ``show``, the entry-wise
    working (None for an input too large to show). Exact results are kept per node."""
    big = [_size(graph.by_id[i].shape) > DISPLAY_LIMIT for i in node.inputs]
    if show and all(big):
        return [None] * len(node.inputs)
    memo = graph._vjp_memo.get(node.id) if not show else None
    if memo is not None and memo[0] is g:
        return list(memo[1])
    need = [not b for b in big]
    parts = _vjp(graph, node, g, show, need)
    if not show:
        parts = [compact(part, f"grad {input_id} from {node.id}") for part, input_id in zip(parts, node.inputs)]
    if show:
        return [None if b else part for b, part in zip(big, parts)]
    graph._vjp_memo[node.id] = (g, parts)
    return list(parts)


SHOWN_OPS = 6           # an upstream entry longer than this (in SymPy operations) is shown rounded


def _shown_upstream(g):
    """The upstream gradient as the working shows it: a short exact entry (e^{0.02}) as it is, a
    long one (a ratio of sums of exponentials) by its value to SIG_DIGITS digits."""
    def entry(v):
        return v if isinstance(v, sympy.Rational) or sympy.count_ops(v) <= SHOWN_OPS else sympy.Float(sympy.N(v, 30), 30)
    return sympy.ImmutableMatrix(g.shape[0], g.shape[1], [entry(v) for v in g])


def _vjp(graph, node, g, show, need):
    vals = [graph.by_id[i].value for i in node.inputs]
    return graph.rule(node).vjp(_shown_upstream(g) if show else g, vals, node.value, show=show, need=need)


def upstream_of(question, graph):
    out = graph.output
    if not question.has("upstream"):
        if out.shape != (1, 1):
            raise question.error("upstream", f"missing: the output is {out.shape[0]}x{out.shape[1]}, "
                                             "so an upstream gradient of that shape is needed")
        return sympy.ImmutableMatrix([[1]])
    upstream = question.matrix("upstream")
    if upstream.shape != out.shape:
        raise question.error("upstream", f"shape {upstream.rows}x{upstream.cols} does not match the "
                                         f"{out.shape[0]}x{out.shape[1]} output")
    return upstream


def backward(graph, upstream):
    """Reverse sweep: each node's gradient is the sum of its consumers' contributions."""
    grads = {graph.output.id: upstream}
    contributions = {}     # (consumer id, input position) -> exact gradient matrix
    for node in reversed(graph.nodes):
        if node.is_leaf:
            continue
        g = grads.get(node.id)
        if g is None:
            g = sympy.zeros(*node.shape)
            grads[node.id] = g
        parts = vjp(graph, node, g)
        for position, (input_id, part) in enumerate(zip(node.inputs, parts)):
            contributions[(node.id, position)] = part
            grads[input_id] = part if input_id not in grads else \
                compact(sympy.ImmutableMatrix(grads[input_id] + part), f"grad {input_id}")
    return grads, contributions


def _words(graph, node):
    return graph.rule(node).words
