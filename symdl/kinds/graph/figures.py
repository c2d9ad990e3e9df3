"""The graph kind's drawing as data: nodes placed by depth, edges with value and gradient labels."""

from __future__ import annotations

import sympy

from symdl.notation.printer import value_tex

from .derive import SIG_DIGITS, vjp
from .label_place import place_constants, place_labels, route_edges, space_columns


def _fmt(value):
    """A compact label for a value on the drawing (data; the partial writes it): a number, a small
    column/matrix of numbers, or only the shape of a large value. Numbers follow the sheet's one
    rounding rule (the printer's): exact decimals as they are, others to SIG_DIGITS digits."""
    if len(value) > 12:     # decided before any entry is converted: big values are costly
        return {"kind": "dims", "dims": list(value.shape)}
    rows = [[value_tex(v, SIG_DIGITS)[1] for v in row] for row in value.tolist()]
    if len(rows) == 1 and len(rows[0]) == 1:
        return {"kind": "number", "text": rows[0][0]}
    return {"kind": "rows", "rows": rows}


def _name(symbol):
    """A node's name as the printer wrote it."""
    return {"kind": "tex", "text": symbol}


def figure_data(graph, grads, upstream, mode="full"):
    """Nodes placed by depth (columns) and order (rows); edges with value and gradient labels."""
    placed = _place(graph)
    min_depth = min(d for d, _ in placed.values())
    # TikZ names are n1, n2, ...: a spec's name (W_1, s_y) is only ever the printed label
    tikz = {node.id: f"n{k + 1}" for k, node in enumerate(graph.nodes)}
    nodes = [_node(graph, node, tikz[node.id], placed[node.id], min_depth, grads, mode) for node in graph.nodes]
    edges = _edges(graph, tikz, placed, grads)
    out = graph.output
    result = {"nodes": nodes, "edges": edges, "output": tikz[out.id],
              "output_value": _fmt(out.value), "output_grad": _fmt(upstream) if upstream is not None else None,
              "columns": max(n["x"] for n in nodes) + 2,
              "rows": 1 + max(y for _, y in placed.values()) - min(y for _, y in placed.values()),
              "mode": mode}
    return place_labels(place_constants(route_edges(space_columns(result))))


def _node(graph, node, tikz_id, place, min_depth, grads, mode):
    """A node of the drawing; an input carries its value (and gradient) beside it, not on its edges."""
    d, row = place
    data = {"id": tikz_id, "x": d - min_depth, "y": row, "name": node.symbol, "value": None, "grad": None}
    if node.op == "input":
        data.update(label=_name(node.symbol), style="input")
        if mode != "structure":
            data["value"] = _fmt(node.value)
        if grads is not None:
            data["grad"] = _fmt(grads.get(node.id) if node.id in grads else sympy.zeros(*node.shape))
    elif node.op == "const":
        data.update(label=_fmt(node.value), style="const")
    else:
        rule = graph.rule(node)        # its mark: LaTeX for the PDF, plain text for the SVG (both the row's)
        data.update(label={"kind": "tex", "text": rule.symbol, "plain": rule.text}, style="op")
    return data


def _edges(graph, tikz, placed, grads):
    """Edges with the value they carry and the gradient sent back along them; an edge rising to
    its node is labelled with the sides swapped, so that the value stays on the outer side."""
    fanout = {}
    for node in graph.nodes:
        for src in node.inputs:
            fanout[src] = fanout.get(src, 0) + 1
    edges = []
    for node in graph.nodes:
        for position, src in enumerate(node.inputs):
            source = graph.by_id[src]
            edge = {"from": tikz[src], "to": tikz[node.id], "value": None, "grad": None,
                    "const": source.op == "const", "rising": placed[node.id][1] > placed[src][1]}
            if source.op != "input":
                edge["value"] = _fmt(source.value)
            if grads is not None and source.op != "const" and (source.op != "input" or fanout[src] > 1):
                edge["grad"] = _fmt(vjp(graph, node, grads[node.id])[position])
            edges.append(edge)
    return edges


INPUT_SPREAD = 1.7      # rows between inputs stacked in a column of their own
INPUT_OFFSET = 1.5      # rows between an input and the operations in its column (room for its labels)


def _place(graph):
    """(column, row) of every node: an operation in the column of its depth; an input in the column
    just before its first consumer (above the operations there when it is a first argument, below
    otherwise); a constant below-left of the node that uses it."""
    placed, columns = {}, {}
    for node in graph.nodes:
        if not node.is_leaf:
            columns.setdefault(node.depth, []).append(node.id)
    for d, ids in columns.items():
        for k, node_id in enumerate(ids):
            placed[node_id] = (d, (len(ids) - 1) / 2 - k)
    alone, beside = {}, {}
    for node in graph.nodes:
        if node.op != "input":
            continue
        uses = [(c.depth, p) for c in graph.consumers(node.id) for p, i in enumerate(c.inputs) if i == node.id]
        column = min(uses)[0] - 1 if uses else 0
        if column in columns:
            beside.setdefault((column, min(uses)[1] == 0), []).append(node.id)
        else:
            alone.setdefault(column, []).append(node.id)
    for d, ids in alone.items():
        spread = INPUT_SPREAD if len(ids) > 1 else 1.0
        for k, node_id in enumerate(ids):
            placed[node_id] = (d, ((len(ids) - 1) / 2 - k) * spread)
    for (d, above), ids in beside.items():
        rows = [placed[i][1] for i in columns[d]]
        for k, node_id in enumerate(ids):
            placed[node_id] = (d, max(rows) + INPUT_OFFSET * (k + 1) if above else min(rows) - INPUT_OFFSET * (k + 1))
    for node in graph.nodes:
        if node.op == "const":
            users = graph.consumers(node.id)
            ux, uy = placed[users[0].id] if users else (0, 0)
            taken = sum(1 for v in placed.values() if v == (ux - 0.5, uy - 0.9))
            placed[node.id] = (ux - 0.5 - 0.35 * taken, uy - 0.9)
    return placed
