"""The graph kind's Solution: the graph, the forward pass and the backward pass, step by step.

The model answer is what a student must show: the drawing of the graph (a), the value at every
node (b), and the backward pass node by node with the local rule and the numbers, the gradients
at the inputs boxed (c). The node table, the inputs written out and the function printed back
are the full derivation's or the instructor's.
"""

from __future__ import annotations

import sympy

from symdl.ops import table
from symdl.notation.display import GraphFormula, GraphParen, PartialOf, RelationChain
from symdl.notation.printer import tex
from symdl.solution import Figure, Solution, Step, Table, Text, only

from .build import build_graph
from .derive import DISPLAY_LIMIT, DRAW_DEPTH, DRAW_NODES, SIG_DIGITS, backward, forward, forward_value, upstream_of, vjp
from .expanded import expanded_data
from .figures import figure_data
from .notation import GraphGradient, GraphGradientSum
from .parts import part_of
from .update import add_update
from symdl.grading.policy import policy_of

# L = u^T f, the scalar whose gradients the sheet shows
_LOSS = sympy.Eq(sympy.Symbol("L"), sympy.MatrixSymbol("u", 1, 1).T * sympy.MatrixSymbol("f", 1, 1), evaluate=False)
_GRADIENT_IS = RelationChain(GraphGradient(tex(sympy.Symbol("v"))), "=",
                             PartialOf(sympy.Symbol("L"), sympy.Symbol("v")))

# ---------------------------------------------------------------------------- solve ---


def _name(graph, node_id):
    return graph.by_id[node_id].symbol


def _fwd_formula(graph, node):
    return GraphFormula(graph.rule(node).fwd_tex, *[_name(graph, i) for i in node.inputs])


def _vjp_formula(graph, node, position):
    names = [_name(graph, i) for i in node.inputs]
    summed = graph.by_id[node.inputs[position]].shape == (1, 1) and node.shape != (1, 1)
    return GraphFormula(graph.rule(node).vjp_template(position, summed), *names, GraphGradient(node.symbol))


def _shape_text(shape):
    return f"{shape[0]}x{shape[1]}" if shape != (1, 1) else "scalar"


def _words(graph, node):
    return graph.rule(node).words


def _kinks(graph):
    return [n for n in graph.nodes if n.op in table.KINKS]


def _tie_nodes(graph):
    return [node for node in _kinks(graph) if table.tied(node.op, [graph.by_id[i].value for i in node.inputs])]


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
    if question.has("update"):
        add_update(sol, question, graph, grads, build_graph)
    _credits(sol, question, graph)
    return sol


def _assumptions(sol, graph):
    for note in graph.notes:
        sol.assume(note)
    sol.assume(f"Rounded values are shown to {SIG_DIGITS} significant digits (with the approx sign); "
               "the working keeps exact values.")
    sol.assume(Text("The gradient at the output is the given upstream vector u, so every gradient below is ",
                    _GRADIENT_IS, " for ", _LOSS, "; at a fork the contributions of all consumers add up."))
    sol.assume(Text("Decimals are read as exact fractions (0.1 = 1/10); nothing is rounded before the "
                    "last step.", audience="instructor"))
    for words in table.kink_notes(graph.subgradients, {n.op for n in _kinks(graph)}, graph.ties):
        sol.assume(words)

    ties = _tie_nodes(graph)
    sol.ties = [n.id for n in ties]              # for [exam] require's "<question> no tie"
    if ties:
        sol.assume("A tie occurs at " + ", ".join(n.id for n in ties) + ": its derivative is not unique; "
                   "the convention above is applied there.")


# a program's whole function written out, names expanded, grows with the paths through it (a name
# used twice doubles it): past this many nodes only its lines are shown
WHOLE_PROGRAM_NODES = 60


def _graph_section(sol, question, graph):
    out = graph.output
    sec = sol.section("The computational graph", part=part_of(question, "graph"))
    if not graph.named or len(graph.nodes) <= WHOLE_PROGRAM_NODES:
        sec.add(*only("instructor", Text("The function as it was read: ",
                                         GraphFormula("f = {0}", _expr_tex(graph, out)), ".")))
    if graph.named:             # a program: each line as it was read, a name on a right side its node
        names = set(graph.named)
        sec.add(*only("instructor", *[
            Text(f"Line {k + 1} of the program was read as ",
                 GraphFormula("{0} = {1}", node.symbol, _expr_tex(graph, node, names - {name})), ".")
            for k, (name, node) in enumerate(graph.named.items())]))
    rows = []
    for node in graph.nodes:
        if node.op == "input":
            rows.append([node.symbol, "input", "", _shape_text(node.shape), ""])
        elif node.op == "const":
            rows.append([node.symbol, "constant", "", _shape_text(node.shape), node.value])
        else:
            rows.append([node.symbol, _words(graph, node), _fwd_formula(graph, node),
                         _shape_text(node.shape), ""])
    sec.add(*only("full", Table(["node", "operation", "computes", "shape", "value"], rows, align="lllll",
                                caption="Each node is one atomic operation; nodes are listed in topological order.")))
    _draw(sec, graph, lambda: figure_data(graph, None, None, mode="structure"),
          caption="The computational graph of f: inputs (boxes), constants (dashed), one circle per operation.")
    if not any(n.shape != (1, 1) for n in graph.nodes if n.op == "input"):
        return
    expanded = expanded_data(graph) if question.get("expanded", bool, default=False) else None
    if expanded is not None:
        sec.add(Figure("graph", expanded, caption="The scalar-expanded graph: one node per entry, each product "
                                                  "and sum of a matrix product drawn separately."),
                Text("The vectorised graph above, one node per operation on whole vectors and matrices, "
                     "is accepted too."))
    else:
        sec.add(Text("Each node above works on whole vectors and matrices. The scalar-expanded graph, with "
                     "one node per entry (each product and sum of the matrix product drawn separately), "
                     "is accepted too."))


def _forward_section(sol, question, graph):
    out = graph.output
    part = part_of(question, "forward")
    sec = sol.section("Forward pass: the value at every node", part=part)
    plain = {"input", "const", "add", "sub", "mul", "div", "neg", "pow", "matmul", "transpose"}
    if "e" in graph.named and any(n.op not in plain for n in graph.nodes):    # e beside Euler's number
        sec.add(Text("Here ", graph.named["e"].symbol, " is the name of a node of the program; a power "
                     "of Euler's number in the working (such as ", tex(sympy.exp(-1)), ") is the "
                     "exponential, as usual."))
    for node in graph.nodes:
        if node.op == "input":
            sec.add(*only("full", Step(f"Input {node.id}.", lhs=node.symbol, result=node.value)))
    for node in graph.nodes:
        if node.is_leaf:
            continue
        vals = [graph.by_id[i].value for i in node.inputs]
        shown = forward_value(graph, node, vals, show=True)
        sec.add(Step(Text(node.symbol, f": {_words(graph, node)}."), lhs=node.symbol,
                     formula=_fwd_formula(graph, node), substituted=_display(shown), result=node.value))
        sol.answer(f"forward.{node.id}", node.value, part=part, label=node.symbol, digits=SIG_DIGITS)
    sol.answer("output", out.value, part=part, label=tex(sympy.Symbol("f")), digits=SIG_DIGITS, final=True)
    _draw(sec, graph, lambda: figure_data(graph, None, None, mode="forward"),
          caption=f"The forward pass: the value on each edge and beside each input ({SIG_DIGITS} significant digits).")


def _count(consumer, position):
    """True when ``consumer`` reads its input ``position`` as a count (valid lengths, a mask)."""
    return consumer.op in table.TABLE and position in table.TABLE[consumer.op].counts


def _counts_only(graph, node):
    """True for an input read only as valid lengths or a mask: counts, not variables (no gradient answer)."""
    uses = [(c, p) for c in graph.consumers(node.id) for p, i in enumerate(c.inputs) if i == node.id]
    return node.op == "input" and bool(uses) and all(_count(c, p) for c, p in uses)


def _contribution_steps(sec, graph, node, grads, contributions):
    """The gradient ``node`` receives from each consumer: the local rule, the numbers, the value."""
    users = [(c, p) for c in graph.consumers(node.id) for p, i in enumerate(c.inputs)
             if i == node.id and not _count(c, p)]
    for consumer, position in users:
        g = grads[consumer.id]
        shown = vjp(graph, consumer, g, show=True)[position]
        lhs = GraphGradient(node.symbol, None if len(users) == 1 else consumer.symbol)
        sec.add(Step(Text("Back through ", consumer.symbol, f" ({_words(graph, consumer)}) to ",
                          node.symbol, ":"), lhs=lhs, formula=_vjp_formula(graph, consumer, position),
                     substituted=_display(shown), result=contributions[(consumer.id, position)]))
    return users


def _backward_section(sol, question, graph, upstream, grads, contributions):
    out = graph.output
    part = part_of(question, "backward")
    sec = sol.section("Backward pass: the gradient at every node", part=part)
    sec.add(Step("The gradient arriving at the output is given.", lhs=GraphGradient(out.symbol), result=upstream))
    for node in reversed(graph.nodes):
        if node.id == out.id or node.op == "const" or _counts_only(graph, node):
            continue
        users = _contribution_steps(sec, graph, node, grads, contributions)
        final = node.op == "input"
        if len(users) > 1:
            total = GraphGradientSum(GraphGradient(node.symbol, c.symbol) for c, _ in users)
            sec.add(Step(Text(node.symbol, f" feeds {len(users)} nodes: the gradients add up."),
                         lhs=GraphGradient(node.symbol), formula=total, result=grads[node.id], boxed=final))
        elif not users:
            grads[node.id] = sympy.zeros(*node.shape)
        elif final:
            sec.items[-1].boxed = True
        sol.answer(f"grad.{node.id}", grads[node.id], part=part, label=GraphGradient(node.symbol),
                   digits=SIG_DIGITS, final=final)
    _draw(sec, graph, lambda: figure_data(graph, grads, upstream),
          caption=f"Values (blue) and gradients (red) on each edge and beside each input, {SIG_DIGITS} significant digits.")


def _credits(sol, question, graph):
    """The drawing's criteria (part a), every node's value and gradient graded where the parts ask for
    them and the points allow (symdl.grading.rubric), and the notes and accepted alternatives for the grader."""
    ops_used = sorted({_words(graph, n) for n in graph.nodes if not n.is_leaf})
    leaves = [n.id for n in graph.nodes if n.op == "input"]
    drawing = part_of(question, "graph")
    if drawing is not None:
        sol.criterion(drawing, "nodes", "One node per atomic operation.",
                      "One node per operation: " + "; ".join(ops_used) + ".", weight=3)
        sol.criterion(drawing, "edges", "The inputs and constants feeding the nodes, edges in the order of evaluation.",
                      f"The inputs ({', '.join(leaves)}) and the constants on edges into the nodes that use them, "
                      "each node's output on to the next, ending at f.", weight=2)
    sol.credit(drawing, "The scalar-expanded graph (one node per entry) is accepted.", alternative=True)
    step = policy_of(question).step
    for role, prefix in (("forward", "forward."), ("backward", "grad.")):
        part = part_of(question, role)
        names = [n for n, a in sol.meta.items() if a.part == part and n.startswith(prefix) and not a.final
                 and n != f"forward.{graph.output.id}"]                 # the output node is "output" itself
        total = question.points_of(part) if part else None
        finals = [a for a in sol.meta.values() if a.part == part and a.final]
        if part is not None and total is not None and (len(names) + len(finals)) * step <= total:
            for name in names:                                     # "show each node's value": all graded
                sol.describe(name, graded=True)
    sol.credit(part_of(question, "backward"), "The local rule at every node applied to the upstream gradient, "
               "from the output back to the inputs.")
    if any(n.op == "matmul" for n in graph.nodes):
        sol.credit(part_of(question, "backward"), "The matrix product's rule: the transposes in "
                   "W-bar = z-bar x^T and x-bar = W^T z-bar.")
    if _kinks(graph):
        sol.credit(part_of(question, "backward"), "The gradient passes a max/min only to the argument that won "
                   "(the stated convention at a tie).")


def _draw(sec, graph, data, caption):
    """The drawing of the graph, or one sentence when it has too many columns to fit a page."""
    depth = max(n.depth for n in graph.nodes)
    if depth > DRAW_DEPTH or len(graph.nodes) > DRAW_NODES:
        sec.add(Text(f"The graph has {len(graph.nodes)} nodes in {depth} layers, too many to draw; "
                     "the table lists every node."))
        return
    sec.add(Figure("graph", data(), caption=caption))


# An entry of more operations than this (earlier nodes' exact values nest: 1/(1 + e^{-1.27822})
# inside a sum inside a tanh), or a row of more in all, makes a substituted line wider than the page
MAX_ENTRY_OPS, MAX_ROW_OPS = 20, 40


def _display(matrix):
    """An entry-wise substituted matrix, or None when it is too large to be worth showing (too
    many entries, or entries too long to read)."""
    if matrix is None or len(matrix) > DISPLAY_LIMIT:
        return None
    ops_count = [[sympy.count_ops(v) for v in matrix.row(r)] for r in range(matrix.rows)]
    if any(max(row) > MAX_ENTRY_OPS or sum(row) > MAX_ROW_OPS for row in ops_count):
        return None
    return matrix


def _expr_tex(graph, node, names=frozenset()):
    """The whole function written back from the graph, in the sheet's notation (a GraphFormula);
    the nodes of ``names`` (a program's assigned names) are written as their names. Built in the
    graph's order (inputs before the nodes that use them), so no nesting depth recurses."""
    needed, todo = {node.id}, [node]
    while todo:                         # the nodes it is written from, stopping at names and leaves
        n = todo.pop()
        if not (n.op in ("input", "const") or n.id in names):
            fresh = [graph.by_id[i] for i in n.inputs if i not in needed]
            needed.update(m.id for m in fresh)
            todo.extend(fresh)
    written = {}
    for n in graph.nodes:
        if n.id in needed:
            written[n.id] = _node_tex(graph, n, names, written)
    return written[node.id]


def _node_tex(graph, node, names, written):
    if node.op == "input" or node.id in names:
        return node.symbol
    if node.op == "const":
        return tex(node.value)
    parts = [written[i] for i in node.inputs]
    op_of = {i: ("input" if i in names else graph.by_id[i].op) for i in node.inputs}     # a name: a leaf
    if graph.rule(node).call_tex and op_of[node.inputs[0]] not in ("input", "const"):
        return GraphFormula(graph.rule(node).call_tex, GraphParen(parts[0]))
    template = graph.rule(node).fwd_tex
    if node.op == "pow":        # (x^{400})^{400}: a power of anything but a name is bracketed
        parts = [p if op_of[i] == "input" else GraphParen(p) for p, i in zip(parts, node.inputs)]
    elif node.op in ("matmul", "mul", "neg") or (node.op == "sub" and len(parts) > 1):
        parts = [GraphParen(p) if op_of[i] in ("add", "sub") else p for p, i in zip(parts, node.inputs)]
    return GraphFormula(template, *parts)
