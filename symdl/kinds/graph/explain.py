"""The graph kind's Solution: the graph's table, the forward pass and the backward pass, step by step."""

from __future__ import annotations

import sympy

from symdl import ops
from symdl.display import GraphFormula, GraphGradient, GraphGradientSum, GraphParen
from symdl.printer import tex
from symdl.solution import Figure, Solution, Step, Table, Tex, Text

from .build import build_graph
from .derive import DISPLAY_LIMIT, DRAW_DEPTH, DRAW_NODES, backward, forward, forward_value, upstream_of, vjp
from .figures import figure_data

# L = u^T f, the scalar whose gradients the sheet shows
_LOSS = sympy.Eq(sympy.Symbol("L"), sympy.MatrixSymbol("u", 1, 1).T * sympy.MatrixSymbol("f", 1, 1), evaluate=False)

# ---------------------------------------------------------------------------- solve ---

def _name(graph, node_id):
    return graph.by_id[node_id].symbol


def _fwd_formula(graph, node):
    return GraphFormula(graph.rule(node).fwd_tex, *[_name(graph, i) for i in node.inputs])


def _vjp_formula(graph, node, position):
    names = [_name(graph, i) for i in node.inputs]
    summed = graph.by_id[node.inputs[position]].shape == (1, 1) and node.shape != (1, 1)
    return Tex(graph.rule(node).vjp_display(position, names, tex(GraphGradient(node.symbol)), summed))


def _shape_text(shape):
    return f"{shape[0]}x{shape[1]}" if shape != (1, 1) else "scalar"


def _words(graph, node):
    return graph.rule(node).words


def _kinks(graph):
    return [n for n in graph.nodes if n.op in ops.KINKS]


def _tie_nodes(graph):
    ties = []
    for node in _kinks(graph):
        vals = [graph.by_id[i].value for i in node.inputs]
        if len(vals) == 2:
            a, b = vals
            if any(ops.sign_of(ops._entry(a, i, j) - ops._entry(b, i, j)) == 0
                   for i in range(node.shape[0]) for j in range(node.shape[1])):
                ties.append(node)
        elif any(ops.sign_of(v) == 0 for v in vals[0]):
            ties.append(node)
    return ties


def solve(question) -> Solution:
    graph = build_graph(question)
    forward(graph)
    upstream = upstream_of(question, graph)
    grads, contributions = backward(graph, upstream)
    sol = Solution(question.id, question.kind)
    _assumptions(sol, graph)
    _graph_section(sol, question, graph)
    _forward_section(sol, question, graph)
    _backward_section(sol, question, graph, upstream, grads, contributions)
    return sol


def _assumptions(sol, graph):
    for note in graph.notes:
        sol.assume(note)
    sol.assume("Values are exact: decimals are read as fractions (0.1 = 1/10); numbers are rounded only "
               "for display, to 5 significant digits, and marked with the approx sign.")
    sol.assume(Text("The gradient at the output is the given upstream vector u, so every gradient below is ",
                    Tex(r"\bar{v} = \partial L / \partial v"), " for ", _LOSS,
                    "; at a fork the contributions of all consumers add up."))
    if _kinks(graph):
        sol.assume(ops.SUBGRADIENT_WORDS[graph.subgradients])
    ties = _tie_nodes(graph)
    if ties:
        sol.assume("A tie occurs at " + ", ".join(n.id for n in ties) + ": its derivative is not unique; "
                   "the convention above is applied there.")


def _graph_section(sol, question, graph):
    out = graph.output
    sec = sol.section("The computational graph", part="a" if "a" in question.parts else None)
    sec.add(Text("The function, as parsed: ", GraphFormula("f = {0}", _expr_tex(graph, out)), "."))
    rows = []
    for node in graph.nodes:
        if node.op == "input":
            rows.append([Tex(node.symbol), "input", "", _shape_text(node.shape), ""])
        elif node.op == "const":
            rows.append([Tex(node.symbol), "constant", "", _shape_text(node.shape), node.value])
        else:
            rows.append([Tex(node.symbol), _words(graph, node), _fwd_formula(graph, node),
                         _shape_text(node.shape), ""])
    sec.add(Table(["node", "operation", "computes", "shape", "value"], rows, align="lllll",
                  caption="Each node is one atomic operation; nodes are listed in topological order."))
    _draw(sec, graph, lambda: figure_data(graph, None, None, mode="structure"),
          caption="The computational graph of f: inputs (boxes), constants (dashed), one circle per atomic operation.")


def _forward_section(sol, question, graph):
    out = graph.output
    sec = sol.section("Forward pass: the value at every node", part="b" if "b" in question.parts else None)
    for node in graph.nodes:
        if node.op == "input":
            sec.add(Step(f"Input {node.id}.", lhs=Tex(node.symbol), result=node.value))
    for node in graph.nodes:
        if node.is_leaf:
            continue
        vals = [graph.by_id[i].value for i in node.inputs]
        shown = forward_value(graph, node, vals, show=True)
        sec.add(Step(f"{node.id}: {_words(graph, node)} of {', '.join(node.inputs)}.",
                     lhs=Tex(node.symbol), formula=_fwd_formula(graph, node),
                     substituted=_display(shown), result=node.value))
        sol.answer(f"forward.{node.id}", node.value)
    sol.answer("output", out.value)
    _draw(sec, graph, lambda: figure_data(graph, None, None, mode="forward"),
          caption="The forward pass: the value carried by each edge.")


def _backward_section(sol, question, graph, upstream, grads, contributions):
    out = graph.output
    sec = sol.section("Backward pass: the gradient at every node", part="c" if "c" in question.parts else None)
    sec.add(Step("The gradient arriving at the output (given).", lhs=GraphGradient(out.symbol), result=upstream))
    for node in reversed(graph.nodes):
        if node.id == out.id or node.op == "const":
            continue
        users = [(c, p) for c in graph.consumers(node.id) for p, i in enumerate(c.inputs) if i == node.id]
        for consumer, position in users:
            g = grads[consumer.id]
            shown = vjp(graph, consumer, g, show=True)[position]
            label = (f"{node.id} feeds {consumer.id} = {_words(graph, consumer)}"
                     f"{' (argument ' + str(position + 1) + ')' if len(consumer.inputs) > 1 else ''}")
            lhs = GraphGradient(node.symbol, None if len(users) == 1 else consumer.symbol)
            sec.add(Step(label + ": local rule, then the numbers.", lhs=lhs,
                         formula=_vjp_formula(graph, consumer, position),
                         substituted=_display(shown), result=contributions[(consumer.id, position)]))
        if len(users) > 1:
            total = GraphGradientSum(GraphGradient(node.symbol, c.symbol) for c, _ in users)
            sec.add(Step(f"{node.id} feeds {len(users)} nodes: the gradients add up.",
                         lhs=GraphGradient(node.symbol), formula=total, result=grads[node.id]))
        elif not users:
            grads[node.id] = sympy.zeros(*node.shape)
        name = f"grad.{node.id}"
        sol.answer(name, grads[node.id])
    _draw(sec, graph, lambda: figure_data(graph, grads, upstream),
          caption="Forward values above each edge (blue), gradients below (red).")


def _draw(sec, graph, data, caption):
    """The drawing of the graph, or one sentence when it has too many columns to fit a page."""
    depth = max(n.depth for n in graph.nodes)
    if depth > DRAW_DEPTH or len(graph.nodes) > DRAW_NODES:
        sec.add(Text(f"The graph has {len(graph.nodes)} nodes in {depth} layers, too many to draw; "
                     "the table lists every node."))
        return
    sec.add(Figure("graph", data(), caption=caption))


def _display(matrix):
    """An entry-wise substituted matrix, or None when it is too large to be worth showing."""
    if matrix is None or len(matrix) > DISPLAY_LIMIT:
        return None
    return matrix


def _expr_tex(graph, node):
    """The whole function written back from the graph, in the sheet's notation (a GraphFormula)."""
    if node.op == "input":
        return node.symbol
    if node.op == "const":
        return tex(node.value)
    parts = [_expr_tex(graph, graph.by_id[i]) for i in node.inputs]
    if node.op in ops.CALL_TEX and not graph.by_id[node.inputs[0]].is_leaf:
        return GraphFormula(ops.CALL_TEX[node.op], GraphParen(parts[0]))
    template = graph.rule(node).fwd_tex
    if node.op == "pow":        # (x^{400})^{400}: a power of anything but a name is bracketed
        parts = [p if graph.by_id[i].op == "input" else GraphParen(p) for p, i in zip(parts, node.inputs)]
    elif node.op in ("matmul", "mul", "neg") or (node.op == "sub" and len(parts) > 1):
        parts = [GraphParen(p) if graph.by_id[i].op in ("add", "sub") else p for p, i in zip(parts, node.inputs)]
    return GraphFormula(template, *parts)



