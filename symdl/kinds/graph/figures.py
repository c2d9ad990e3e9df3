"""The graph kind's drawing as data: nodes placed by depth, edges with value and gradient labels."""

from __future__ import annotations

import numpy as np
import sympy

from .derive import vjp


def _fmt(value):
    """A compact label for a value on the drawing (data; the partial writes it): a number, a small
    column/matrix of numbers, or only the shape of a large value."""
    if len(value) > 12:     # decided before any entry is converted: big values are costly
        return {"kind": "dims", "dims": list(value.shape)}
    arr = np.array([[float(sympy.N(v, 20)) for v in row] for row in value.tolist()])

    def f(x):
        return f"{x:.4g}".replace("e-0", "e-").replace("e+0", "e")
    if arr.size == 1:
        return {"kind": "number", "text": f(arr[0, 0])}
    return {"kind": "rows", "rows": [[f(x) for x in row] for row in arr]}


def _name(symbol):
    """A node's name as the printer wrote it."""
    return {"kind": "tex", "text": symbol}


def figure_data(graph, grads, upstream, mode="full"):
    """Nodes placed by depth (columns) and order (rows); edges with value and gradient labels."""
    depth = {n.id: n.depth for n in graph.nodes if not n.is_leaf}
    inputs = [n for n in graph.nodes if n.op == "input"]
    columns = {}
    for node in graph.nodes:
        if node.op != "const":
            columns.setdefault(depth.get(node.id, 0), []).append(node.id)
    placed = {}
    for d, ids in columns.items():
        n = len(ids)
        spread = 1.7 if d == 0 and len(inputs) > 1 else 1.0
        for k, node_id in enumerate(ids):
            placed[node_id] = (d, ((n - 1) / 2 - k) * spread)
    # a constant hangs below-left of the node that uses it, close to it
    for node in graph.nodes:
        if node.op == "const":
            users = [c for c in graph.consumers(node.id)]
            ux, uy = placed[users[0].id] if users else (0, 0)
            taken = sum(1 for v in placed.values() if v == (ux - 0.5, uy - 0.9))
            placed[node.id] = (ux - 0.5 - 0.35 * taken, uy - 0.9)
    min_depth = min(d for d, _ in placed.values())
    # TikZ names are n1, n2, ...: a spec's name (W_1, s_y) is only ever the printed label
    tikz = {node.id: f"n{k + 1}" for k, node in enumerate(graph.nodes)}
    nodes = []
    for node in graph.nodes:
        d, row = placed[node.id]
        if node.op == "input":
            label, style = _name(node.symbol), "input"
        elif node.op == "const":
            label, style = _fmt(node.value), "const"
        else:
            label, style = _name(graph.rule(node).symbol), "op"
        nodes.append({"id": tikz[node.id], "label": label, "style": style, "x": d - min_depth, "y": row,
                      "name": node.symbol})
    edges = []
    for node in graph.nodes:
        for position, src in enumerate(node.inputs):
            source = graph.by_id[src]
            edge = {"from": tikz[src], "to": tikz[node.id], "value": _fmt(source.value), "grad": None,
                    "const": source.op == "const"}
            if grads is not None and source.op != "const":
                vjp_part = vjp(graph, node, grads[node.id])[position]
                edge["grad"] = _fmt(vjp_part)
            edges.append(edge)
    out = graph.output
    result = {"nodes": nodes, "edges": edges, "output": tikz[out.id],
              "output_value": _fmt(out.value), "output_grad": _fmt(upstream) if upstream is not None else None,
              "columns": max(n["x"] for n in nodes) + 2, "rows": max(len(v) for v in columns.values()),
              "mode": mode}
    return result
