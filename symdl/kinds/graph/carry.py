"""Error carried forward for the graph kind: every node again from a student's values at its inputs.

``carry(question, solution, given)``: ``given`` maps answer names (``output``, ``forward.<node>``,
``grad.<node>``) to a student's values; each op node is recomputed through the op table from
the values at its inputs (the student's where given), and each gradient from the student's
gradient at its consumers and the student's values there. Only the answers that depend on a
given one are returned. A value that is not rational is kept to 30 digits (it is compared at a
few significant figures).
"""

from __future__ import annotations

import sympy

from .build import build_graph
from .derive import forward, upstream_of

DIGITS = 30
_GRAPHS: dict = {}      # id(question) -> (question, graph with its exact forward values, upstream)


def _graph(question):
    hit = _GRAPHS.get(id(question))
    if hit is None or hit[0] is not question:
        graph = build_graph(question)
        forward(graph)
        hit = _GRAPHS[id(question)] = (question, graph, upstream_of(question, graph))
    return hit[1], hit[2]


def _numeric(matrix):
    """``matrix`` with every entry that is not rational as a 30-digit float (no symbolic growth)."""
    m = sympy.ImmutableMatrix(matrix)
    if all(isinstance(v, sympy.Rational) for v in m):
        return m
    return m.applyfunc(lambda v: v if isinstance(v, sympy.Rational) else sympy.Float(sympy.N(v, DIGITS), DIGITS))


def _as_matrix(value, shape):
    m = sympy.ImmutableMatrix(value)
    if m.shape != tuple(shape):
        m = sympy.ImmutableMatrix(shape[0], shape[1], list(m))
    return m


def _forward(graph, given):
    """(value at every node as the student's work has it, recomputed op values, nodes that depend)."""
    out = graph.output
    values, computed, depends = {}, {}, set()
    for node in graph.nodes:
        name = "output" if node is out and "output" in given else f"forward.{node.id}"
        if node.is_leaf:
            values[node.id] = node.value
            continue
        vals = [values[i] for i in node.inputs]
        if any(i in depends or f"forward.{i}" in given or (graph.by_id[i] is out and "output" in given)
               for i in node.inputs):
            depends.add(node.id)
            computed[node.id] = _numeric(graph.rule(node).forward(vals, node.shape))
        else:
            computed[node.id] = node.value
        values[node.id] = _as_matrix(given[name], node.shape) if name in given else computed[node.id]
    return values, computed, depends


def _backward(graph, upstream, given, values, forward_depends):
    """(recomputed gradient at every node, nodes whose gradient depends on a given value)."""
    grads, used, depends = {}, {}, set()
    for node in reversed(graph.nodes):
        if node.op == "const":
            continue
        users = [(c, p) for c in graph.consumers(node.id) for p, i in enumerate(c.inputs) if i == node.id]
        if node is graph.output:
            g = upstream
        else:
            g = sympy.zeros(*node.shape)
            for consumer, position in users:
                vals = [values[i] for i in consumer.inputs]
                part = graph.rule(consumer).vjp(used[consumer.id], vals, values[consumer.id])[position]
                g = g + part
                if consumer.id in depends or f"grad.{consumer.id}" in given or consumer.id in forward_depends \
                        or any(f"forward.{i}" in given or i in forward_depends for i in consumer.inputs) \
                        or f"forward.{consumer.id}" in given or (consumer is graph.output and "output" in given):
                    depends.add(node.id)
        grads[node.id] = _numeric(g)
        name = f"grad.{node.id}"
        used[node.id] = _as_matrix(given[name], node.shape) if name in given else grads[node.id]
    return grads, depends


def carry(question, solution, given: dict) -> dict:
    """{answer name: value recomputed from the student's values in ``given``} for every dependent answer."""
    graph, upstream = _graph(question)
    values, computed, fdep = _forward(graph, given)
    grads, gdep = _backward(graph, upstream, given, values, fdep)
    out = {}
    for node_id in fdep:
        if f"forward.{node_id}" in solution.meta:
            out[f"forward.{node_id}"] = computed[node_id]
    if graph.output.id in fdep:
        out["output"] = computed[graph.output.id]
    for node_id in gdep:
        if f"grad.{node_id}" in solution.meta:
            out[f"grad.{node_id}"] = grads[node_id]
    return out
