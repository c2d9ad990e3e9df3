"""The graph kind's independent route: mpmath within budget (check_mp), float64 with numpy beyond it."""

from __future__ import annotations

import numpy as np

from symdl.check import hp

from . import check_float, check_mp, check_ops
from .build import build_graph
from .fields import read_values

FD_STEP = 1e-6

def _numeric_forward(graph, values, override=None, base=None, frozen=None):
    """Float forward pass with numpy's own functions; ``override`` pins node values.

    With ``base`` (an earlier unpinned pass), the nodes before the first pinned one are
    taken from it: in topological order they cannot depend on a later node.
    """
    out = {}
    start = 0
    if override and base is not None:
        start = min(k for k, n in enumerate(graph.nodes) if n.id in override)
        out = {n.id: base[n.id] for n in graph.nodes[:start]}
    for node in graph.nodes[start:]:
        if override and node.id in override:
            out[node.id] = override[node.id]
            continue
        if node.op == "input":
            out[node.id] = values[node.id]
            continue
        if node.op == "const":
            out[node.id] = np.array(node.value.tolist(), dtype=float)
            continue
        out[node.id] = check_float.numpy_op(node, [out[i] for i in node.inputs])
        if frozen and node.id in frozen:       # a relu tie kept on its zero piece (relu'(0) = 0)
            out[node.id] = np.where(frozen[node.id], 0.0, out[node.id])
    return out


# Every gradient comes from a float reverse pass written here with numpy (its own derivative
# rules, not the op table's), with the bound of its rounding error, and is certified by
# central finite differences (two forward passes per entry). When the whole question needs
# at most FD_BUDGET of them, or a node has at most FD_FULL entries, every entry is differenced;
# past it (wide layers: a 64x64 weight alone has 4096 entries) FD_SAMPLE seeded random entries
# plus one directional derivative along a random direction of the whole node. An entry that
# disagrees takes its finite difference (within the difference's noise), and a failed
# directional check makes the whole node NaN, which the verifier names as not checked.
FD_BUDGET = 4000
FD_FULL = 16
FD_SAMPLE = 12
_EPS = float(np.finfo(float).eps)


def _rounding_bounds(graph, values, base):
    """A bound on each float64 forward value's rounding error, twice the running error
    analysis of check_float.numpy_error (the inputs carry the error of reading a
    decimal as a double)."""
    error = {}
    for node in graph.nodes:
        if node.op in ("input", "const"):
            error[node.id] = _EPS * np.abs(base[node.id] if node.op == "const" else values[node.id])
            continue
        args = [base[i] if i in base else values[i] for i in node.inputs]
        error[node.id] = check_float.numpy_error(node, args, [error[i] for i in node.inputs],
                                                       base[node.id])
    return {k: 2 * v for k, v in error.items()}


def _frozen_ties(graph, base, subgradients):
    """Under the PyTorch convention, relu's tied entries (argument 0 at the point): the differences
    then follow the zero piece there, so they give relu'(0) = 0 as the convention says."""
    if subgradients != "pytorch":
        return None
    return {node.id: _tie(base[node.inputs[0]]) for node in graph.nodes
            if node.op == "relu" and np.any(_tie(base[node.inputs[0]]))}


def _floats(matrix):
    """An exact matrix of the spec as a float array (rationals read off SymPy's own QQ form)."""
    rep = getattr(matrix, "_rep", None)
    if rep is not None and (rep.domain.is_QQ or rep.domain.is_ZZ):
        return np.array([[float(v) for v in row] for row in rep.to_dense().to_list()],
                        dtype=float).reshape(matrix.shape)
    return np.array(matrix.tolist(), dtype=float)


def _float_ties(question, graph, base):
    """The float route differences a tie of max/min as the mean of its two sides (1/2 each, also
    for each of three or more tied entries): a tie it cannot share as the convention says is
    checked by the mpmath route only, so a graph too large for that is refused (exit 2)."""
    rule = getattr(question, "ties", "split")
    for node in graph.nodes:
        if node.op in ("max", "min", "max_all", "min_all"):
            args = [base[i] for i in node.inputs]
            tied = 2 * bool(np.any(_tie(args[0] - args[1]))) if len(args) == 2 else \
                np.sum(_tie(args[0] - (args[0].max() if node.op == "max_all" else args[0].min())))
            if tied > (2 if rule == "split" else 1):
                raise question.error("function", f"a tie of max/min at {node.id} under ties = \"{rule}\" is "
                                     "checked in high precision only, and this graph is too large for that "
                                     "check; give values without the tie")


def _tie(d):
    """Entries of ``d`` (a difference at a kink) that are a tie, allowing float rounding."""
    return np.abs(d) <= 1e-10 * max(1.0, float(np.max(np.abs(d))) if d.size else 1.0)


def _unbroadcast(grad, shape):
    return np.array([[grad.sum()]]) if shape == (1, 1) and grad.shape != (1, 1) else grad


def _numpy_vjp(node, g, args, y):
    """The gradient of each input of ``node`` in floats, from numpy's own rules."""
    op = node.op
    a = args[0]
    if op in check_ops.NUMPY_VJP:              # the elementary ops' float rules (check_ops.py)
        return check_ops.NUMPY_VJP[op](g, args, y)
    if op in ("add", "sub", "mul", "div", "max", "min"):
        b = args[1]
        if op == "add":
            da, db = g, g
        elif op == "sub":
            da, db = g, -g
        elif op == "mul":
            da, db = g * b, g * a
        elif op == "div":
            da, db = g / b, -g * a / b**2
        else:
            d = a - b if op == "max" else b - a
            first = np.where(_tie(d), 0.5, (d > 0).astype(float))
            da, db = g * first, g * (1.0 - first)
        return [_unbroadcast(np.broadcast_to(da, g.shape), a.shape),
                _unbroadcast(np.broadcast_to(db, g.shape), b.shape)]
    if op == "matmul":
        return [g @ args[1].T, a.T @ g]
    if op == "transpose":
        return [g.T]
    if op == "sum":
        return [np.full(a.shape, g[0, 0])]
    if op == "mean":
        return [np.full(a.shape, g[0, 0] / a.size)]
    local = {
        "exp": lambda: y,
        "log": lambda: 1.0 / a,
        "tanh": lambda: 1.0 - y**2,
        "sigmoid": lambda: y * (1.0 - y),
        "relu": lambda: np.where(_tie(a), 0.5, (a > 0).astype(float)),
        "abs": lambda: np.where(_tie(a), 0.0, np.sign(a)),
        "neg": lambda: -np.ones_like(a),
        "pow": lambda: float(node.param) * np.power(a, float(node.param) - 1.0),
    }
    if op not in local:
        raise ValueError(f"no independent rule for '{op}'")
    return [g * local[op]()]


def _numpy_backward(graph, base, u, numpy_vjp=None, subgradients="symmetric"):
    grads = {graph.output.id: u}
    for node in reversed(graph.nodes):
        if node.is_leaf:
            continue
        g = grads.get(node.id)
        if g is None:
            g = grads[node.id] = np.zeros(node.shape)
        args = [base[i] for i in node.inputs]
        parts = (numpy_vjp or _numpy_vjp)(node, g, args, base[node.id])
        if node.op == "relu" and subgradients == "pytorch":     # relu'(0) = 0, not the mean 1/2
            parts = [np.where(_tie(args[0]), 0.0, parts[0])]
        for input_id, part in zip(node.inputs, parts):
            grads[input_id] = part if input_id not in grads else grads[input_id] + part
    return grads


def _abs_backward(graph, base, u, numpy_vjp, subgradients):
    """The reverse pass on absolute values: the size of the terms each float gradient entry sums,
    for a bound on its rounding error (an exact 0 then reads as 0, not as float noise)."""
    def absolute(node, g, args, y):
        parts = (numpy_vjp or _numpy_vjp)(node, np.abs(g), [np.abs(a) for a in args], np.abs(y))
        return [np.abs(p) for p in parts]
    return _numpy_backward(graph, {k: np.abs(v) for k, v in base.items()}, np.abs(u), absolute, subgradients)


def independent(question, numpy_vjp=None) -> dict:
    """Every forward value and gradient by a route that shares no rule with the derivation.

    A graph within graph_independent's budget: the parsed function evaluated with mpmath,
    gradients by high-precision central differences (see graph_independent). A larger one:
    float64 forward values and a float reverse pass certified by central finite differences
    of L = u^T f (see FD_BUDGET above), every value as hp.Bounded with its rounding bound.
    """
    graph = build_graph(question)
    if check_mp.affordable(graph):
        upstream = question.matrix("upstream") if question.has("upstream") else None
        return check_mp.independent(question, graph, graph.source, read_values(question), upstream)
    values = {n.id: _floats(n.value) for n in graph.nodes if n.op == "input"}
    # upstream: read again, as floats
    graph_out = graph.output
    base = _numeric_forward(graph, values)
    u = (np.array(question.matrix("upstream").tolist(), dtype=float)
         if question.has("upstream") else np.ones(graph_out.shape))
    error = _rounding_bounds(graph, values, base)
    result = {"output": hp.Bounded(base[graph_out.id], error[graph_out.id])}
    frozen = _frozen_ties(graph, base, question.subgradients)
    _float_ties(question, graph, base)

    def loss(node_id, value):
        vals = _numeric_forward(graph, values, override={node_id: value}, base=base, frozen=frozen)
        return float(np.sum(u * vals[graph_out.id]))

    nodes = [n for n in graph.nodes if n.op != "const"]
    full_everywhere = 2 * sum(base[n.id].size for n in nodes) <= FD_BUDGET
    # the size of the terms L sums, and the rounding bound of L itself: a difference of two
    # values of L carries twice that over 2h (plus a margin)
    scale = float(np.sum(np.abs(u * base[graph_out.id]))) + 1.0
    noise = 100 * _EPS * scale + 4 * float(np.sum(np.abs(u) * error[graph_out.id]))
    width = 2 + max(base[n.id].size for n in graph.nodes)      # terms in the longest float sum
    try:
        reverse = _numpy_backward(graph, base, u, numpy_vjp, question.subgradients)
        terms = _abs_backward(graph, base, u, numpy_vjp, question.subgradients)
        # the forward values' own errors carried into the reverse pass (first order: the same
        # pass on the magnitudes moved by their bounds, minus the pass on the magnitudes)
        moved = _abs_backward(graph, {k: np.abs(v) + error[k] for k, v in base.items()}, u, numpy_vjp,
                              question.subgradients)
        terms = {k: 4 * width * _EPS * v + 2 * np.abs(moved[k] - v) for k, v in terms.items()}
    except ValueError:
        if not full_everywhere:
            raise
        reverse = terms = None                 # an op without a float rule: differences alone
    rng = np.random.default_rng(0)
    for node in nodes:
        if node.op != "input":
            result[f"forward.{node.id}"] = hp.Bounded(base[node.id], error[node.id])
        every = full_everywhere or base[node.id].size <= FD_FULL
        result[f"grad.{node.id}"] = _gradient(node, base[node.id], loss, noise, rng, every,
                                              None if reverse is None else reverse[node.id],
                                              None if terms is None else terms[node.id])
    return result


def _gradient(node, point, loss, noise, rng, every, reverse, bound):
    """grad.<node> as hp.Bounded: the float reverse pass's entries (``reverse``, within ``bound``),
    each certified by a central difference (all entries when ``every``, else FD_SAMPLE seeded ones
    and one random direction); an entry whose difference disagrees takes the difference, within
    its own noise; a failed directional check makes the node NaN, which the verifier names."""
    def central(direction, h):
        return (loss(node.id, point + h * direction) - loss(node.id, point - h * direction)) / (2 * h)

    if reverse is None:
        grad, error = np.zeros_like(point, dtype=float), np.zeros_like(point, dtype=float)
    else:
        grad, error = np.array(reverse, dtype=float), np.array(bound, dtype=float)
    flats = range(point.size) if every else rng.choice(point.size, size=min(FD_SAMPLE, point.size), replace=False)
    for flat in flats:
        index = np.unravel_index(flat, point.shape)
        h = FD_STEP * max(1.0, abs(point[index]))
        unit = np.zeros_like(point, dtype=float)
        unit[index] = 1.0
        fd = central(unit, h)
        if reverse is None or abs(fd - grad[index]) > 1e-5 * max(abs(fd), abs(grad[index])) + noise / h:
            grad[index], error[index] = fd, noise / h
    if not every:
        direction = rng.standard_normal(point.shape)
        h = FD_STEP * max(1.0, float(np.max(np.abs(point))))
        fd = central(direction, h)
        if abs(fd - float(np.sum(grad * direction))) > 1e-5 * float(np.sum(np.abs(grad * direction))) + noise / h:
            grad = np.full(point.shape, np.nan)
    return hp.Bounded(grad, error)
