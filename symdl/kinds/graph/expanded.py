"""The scalar-expanded graph as drawing data: one node per entry (each product and sum of a matrix
product drawn separately), for a question that asks for atomic operations on numbers."""

from __future__ import annotations

import sympy

from symdl.ops.table import TABLE
from symdl.notation.printer import tex

from .figures import _fmt

EXPAND_LIMIT = 60       # past this many scalar nodes the expanded graph is not drawn


class _Scalar:
    def __init__(self):
        self.nodes, self.edges, self.depth = [], [], {}

    def add(self, label, style, inputs=(), name=None):
        node_id = f"s{len(self.nodes) + 1}"
        depth = 1 + max((self.depth[i] for i in inputs), default=-1)
        self.depth[node_id] = depth if inputs else 0
        self.nodes.append({"id": node_id, "label": label, "style": style, "name": name or "", "value": None,
                           "grad": None})
        self.edges += [{"from": i, "to": node_id, "value": None, "grad": None, "rising": False,
                        "const": style_of(self, i) == "const"} for i in inputs]
        return node_id


def style_of(s, node_id):
    return next(n["style"] for n in s.nodes if n["id"] == node_id)


def _entry_name(symbol_name, i, j, shape):
    base = sympy.IndexedBase(symbol_name)
    index = (i + 1,) if 1 in shape else (i + 1, j + 1)
    if shape[1] == 1 or shape == (1, 1):
        index = (i + 1,)
    elif shape[0] == 1:
        index = (j + 1,)
    return {"kind": "tex", "text": tex(sympy.Indexed(base, *index)) if shape != (1, 1) else tex(sympy.Symbol(symbol_name))}


def _mark(row):
    """An op's mark in the drawing: its LaTeX for the PDF, its plain text for the SVG (both the row's)."""
    return {"kind": "tex", "text": row.symbol, "plain": row.text}


def _expand_node(s, graph, node, entries):
    """The scalar nodes of ``node``: a dict (i, j) -> scalar node id."""
    mark = _mark(graph.rule(node))
    args = [entries[i] for i in node.inputs]
    shapes = [graph.by_id[i].shape for i in node.inputs]

    def at(k, i, j):
        return args[k][(0, 0)] if shapes[k] == (1, 1) else args[k][(i, j)]
    out = {}
    if node.op == "matmul":
        inner = shapes[0][1]
        for i in range(node.shape[0]):
            for j in range(node.shape[1]):
                terms = [s.add(_mark(TABLE["mul"]), "op", (args[0][(i, k)], args[1][(k, j)]))
                         for k in range(inner)]
                total = terms[0]
                for t in terms[1:]:
                    total = s.add(_mark(TABLE["add"]), "op", (total, t))
                out[(i, j)] = total
    elif node.op in ("sum", "mean", "max_all", "min_all") or len(node.inputs) > 2:
        return None
    elif node.op == "transpose":
        out = {(j, i): v for (i, j), v in args[0].items()}
    else:
        for i in range(node.shape[0]):
            for j in range(node.shape[1]):
                out[(i, j)] = s.add(mark, "op", tuple(at(k, i, j) for k in range(len(args))))
    return out


def expanded_data(graph):
    """Drawing data for the scalar-expanded graph (the partial's 'graph' macro, structure mode),
    or None when an op has no entry-wise form here or the graph is too large."""
    s, entries = _Scalar(), {}
    for node in graph.nodes:
        if node.op == "input":
            entries[node.id] = {(i, j): s.add(_entry_name(node.id, i, j, node.shape), "input")
                                for i in range(node.shape[0]) for j in range(node.shape[1])}
        elif node.op == "const":
            entries[node.id] = {(i, j): s.add(_fmt(sympy.ImmutableMatrix([[node.value[i, j]]])), "const")
                                for i in range(node.shape[0]) for j in range(node.shape[1])}
        else:
            out = _expand_node(s, graph, node, entries)
            if out is None:
                return None
            entries[node.id] = out
        if len(s.nodes) > EXPAND_LIMIT:
            return None
    columns = {}
    for n in s.nodes:
        if n["style"] != "const":
            columns.setdefault(s.depth[n["id"]], []).append(n)
    for d, nodes in columns.items():
        for k, n in enumerate(nodes):
            n["x"], n["y"] = d * 0.8, ((len(nodes) - 1) / 2 - k) * 0.75
    by_id = {n["id"]: n for n in s.nodes}
    for n in s.nodes:          # a constant just below-left of the node that uses it
        if n["style"] == "const":
            user = by_id[next(e["to"] for e in s.edges if e["from"] == n["id"])]
            n["x"], n["y"] = user["x"] - 0.4, user["y"] - 0.38
    last = graph.output.id
    outputs = list(entries[last].values())
    return {"nodes": s.nodes, "edges": s.edges, "output": outputs[0], "outputs": outputs,
            "output_value": None, "output_grad": None, "columns": max(columns) + 2,
            "rows": max(len(v) for v in columns.values()), "mode": "structure"}
