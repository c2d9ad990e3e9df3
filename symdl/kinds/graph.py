"""The computational-graph kind: atomic-op graph, forward values, reverse-mode gradients."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from symdl import ops
from symdl import hp
from symdl.kinds import graph_independent
from symdl.printer import tex
from symdl.solution import Figure, Solution, Step, Table, Tex, Text

FIELDS = {"function", "values", "upstream"}
TOLERANCE = 1e-6
FD_STEP = 1e-6
DISPLAY_LIMIT = 36      # largest value (entries) whose entry-wise working the sheet shows
DRAW_DEPTH = 40         # a graph deeper than this (or with more nodes) is not drawn: TikZ's
DRAW_NODES = 200        # coordinates would pass TeX's largest dimension (about 5.7 m)
MAX_DECADES = 5000      # an exact value past 10^5000 in size is refused (no exam needs one)
MAX_EXP_ARGUMENT = 10000   # exp/sigmoid/tanh of more than this: e^10000 ~ 10^4343


def _beyond(entry, limit) -> bool:
    """True when |entry| > limit (exact for rationals, else from 30 digits)."""
    if isinstance(entry, sympy.Rational):
        return abs(entry) > limit
    return bool(abs(sympy.N(entry, 30)) > limit)


def _size(shape):
    return shape[0] * shape[1]

_FUNCS = {"exp": "exp", "log": "log", "tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu",
          "abs": "abs", "max": "max", "min": "min", "sum": "sum", "mean": "mean",
          "transpose": "transpose"}


@dataclass
class Node:
    """One node: an input, a constant or an op applied to earlier nodes."""

    id: str                  # stable answer name: an input's name, c1.., z1..
    op: str                  # 'input', 'const' or an op of the table
    inputs: list = field(default_factory=list)
    shape: tuple = (1, 1)
    value: object = None     # exact sympy matrix
    param: object = None     # exponent of 'pow'
    symbol: str = ""         # LaTeX name shown on the sheet
    depth: int = 0
    expr: object = None      # the parsed subexpression this node computes (independent route)

    @property
    def is_leaf(self):
        return self.op in ("input", "const")


class Graph:
    """Nodes in topological order, built from a parsed expression."""

    def __init__(self, question):
        self.question = question
        self.nodes: list[Node] = []
        self.by_id: dict[str, Node] = {}
        self._memo_inputs: dict[str, Node] = {}
        self._consts = 0
        self._ops = 0
        self.notes: list = []      # assumptions the parser made (e.g. \log read as ln)
        self._vjp_memo: dict = {}     # node id -> (upstream g, exact gradients)

    # -- building ---------------------------------------------------------------------
    def error(self, message, field_name="function"):
        return self.question.error(field_name, message)

    def _add(self, node):
        self.nodes.append(node)
        self.by_id[node.id] = node
        return node

    def const(self, value):
        self._consts += 1
        value = sympy.ImmutableMatrix(value)
        return self._add(Node(id=f"c{self._consts}", op="const", shape=value.shape, value=value,
                              symbol=f"c_{{{self._consts}}}"))

    def apply(self, name, args, param=None):
        shapes = [a.shape for a in args]
        try:
            rule = ops.rule_for(name, param)
            if isinstance(rule, ops.Binary):
                shape = ops.broadcast_shape(rule.words, *shapes)
            elif isinstance(rule, ops.Unary):
                shape = shapes[0]
            else:
                shape = ops.matrix_shape(name, shapes)
        except ops.ShapeError as exc:
            raise self.error(f"shape mismatch: {exc}") from None
        except ops.MissingRule:
            raise self.error(f"no derivative rule for op '{name}'") from None
        self._ops += 1
        depth = 1 + max(a.depth for a in args)
        return self._add(Node(id=f"z{self._ops}", op=name, inputs=[a.id for a in args], shape=shape,
                              param=param, symbol=f"z_{{{self._ops}}}", depth=depth))

    def build(self, expr, constants, values):
        """Walk the parsed SymPy tree; return the output node."""
        return self._walk(expr, constants, values)

    def _walk(self, e, constants, values):
        node = self._walk_expr(e, constants, values)
        if node.expr is None:
            node.expr = e
        return node

    def _walk_expr(self, e, constants, values):
        if e in constants:
            return self.const(constants[e])
        if isinstance(e, sympy.Symbol):
            name = e.name
            if name not in values:
                raise self.error(f"symbol '{name}' has no value in [question.values]")
            if name not in self._memo_inputs:
                value = values[name]
                self._memo_inputs[name] = self._add(Node(id=name, op="input", shape=value.shape, value=value,
                                                         symbol=tex(sympy.Symbol(name))))
            return self._memo_inputs[name]
        if e.is_number:
            return self.const([[e]])
        if isinstance(e, sympy.Add):
            terms = sorted(e.args, key=lambda t: 1 if t.is_number or t in constants else 0)
            node = self._walk(terms[0], constants, values)
            for term in terms[1:]:
                left = node.expr
                if term.could_extract_minus_sign() and isinstance(term, sympy.Mul) and term.args[0] == -1:
                    rest = sympy.Mul(*term.args[1:], evaluate=False) if len(term.args) > 2 else term.args[1]
                    node = self.apply("sub", [node, self._walk(rest, constants, values)])
                else:
                    node = self.apply("add", [node, self._walk(term, constants, values)])
                node.expr = sympy.Add(left, term, evaluate=False)
            return node
        if isinstance(e, sympy.Mul):
            return self._product(e, constants, values)
        if isinstance(e, sympy.Pow):
            if e.base == sympy.E:
                return self.apply("exp", [self._walk(e.exp, constants, values)])
            if not e.exp.is_number:
                raise self.error("a power with a non-constant exponent is not supported; write e^{...}")
            base = self._walk(e.base, constants, values)
            if e.exp == -1:
                one = self.const([[1]])
                one.expr = sympy.Integer(1)
                return self.apply("div", [one, base])
            return self.apply("pow", [base], param=e.exp)
        if isinstance(e, sympy.exp):
            return self.apply("exp", [self._walk(e.args[0], constants, values)])
        if isinstance(e, sympy.log):
            if len(e.args) > 1 and e.args[1] != sympy.E:
                raise self.error("only the natural logarithm is supported")
            return self.apply("log", [self._walk(e.args[0], constants, values)])
        for cls, name in ((sympy.tanh, "tanh"), (sympy.Abs, "abs"), (sympy.Max, "max"), (sympy.Min, "min")):
            if isinstance(e, cls):
                return self._call(name, e.args, constants, values)
        if isinstance(e, sympy.core.function.AppliedUndef):
            name = type(e).__name__
            if name in _FUNCS:
                return self._call(_FUNCS[name], e.args, constants, values)
            raise self.error(f"unknown function '{name}(...)'; for a product write '{name} \\cdot (...)'")
        raise self.error(f"unsupported construct {type(e).__name__}")

    def _call(self, name, args, constants, values):
        nodes = [self._walk(a, constants, values) for a in args]
        if name in ("max", "min") and len(nodes) != 2:
            raise self.error(f"{name} takes two arguments")
        return self.apply(name, nodes)

    def _product(self, e, constants, values):
        num = [a for a in e.args if not (isinstance(a, sympy.Pow) and a.exp == -1)]
        den = [a.base for a in e.args if isinstance(a, sympy.Pow) and a.exp == -1]
        negate = False
        if num and num[0] == -1:
            negate, num = True, num[1:]
        node = None
        for factor in num:
            right = self._walk(factor, constants, values)
            if node is None:
                node = right
            else:
                left = node.expr
                node = self._times(node, right)
                node.expr = sympy.Mul(left, factor, evaluate=False)
        if node is None:
            node = self.const([[1]])
            node.expr = sympy.Integer(1)
        for factor in den:
            left = node.expr
            node = self.apply("div", [node, self._walk(factor, constants, values)])
            node.expr = sympy.Mul(left, sympy.Pow(factor, -1, evaluate=False), evaluate=False)
        if negate:
            left = node.expr
            node = self.apply("neg", [node])
            node.expr = sympy.Mul(sympy.Integer(-1), left, evaluate=False)
        return node

    def _times(self, left, right):
        if left.shape == (1, 1) or right.shape == (1, 1):
            return self.apply("mul", [left, right])
        if left.shape[1] == right.shape[0]:
            return self.apply("matmul", [left, right])
        raise self.error(f"shape mismatch: matrix product of a {left.shape[0]}x{left.shape[1]} "
                         f"and a {right.shape[0]}x{right.shape[1]} operand")

    # -- evaluation ---------------------------------------------------------------------
    def rule(self, node):
        return ops.rule_for(node.op, node.param)

    def forward(self):
        for node in self.nodes:
            if node.is_leaf:
                continue
            vals = [self.by_id[i].value for i in node.inputs]
            node.value = self._forward_value(node, vals, show=False)
            for entry in node.value:
                if entry.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or entry.is_real is False:
                    raise self.error(f"{node.id} = {_words(self, node)} is undefined or not real at the given "
                                     f"values (for example a division by zero or the log of a non-positive number)")
            self._check_size(node, vals)

    def _check_size(self, node, vals):
        """Refuse values no exam needs and no check can follow: past 10^MAX_DECADES, or e^(huge)."""
        for entry in node.value:
            if isinstance(entry, sympy.Rational) and entry != 0 and \
                    abs(abs(int(entry.p)).bit_length() - int(entry.q).bit_length()) > MAX_DECADES * 3.33:
                raise self.error(f"{node.id} = {_words(self, node)} reaches beyond 10^{MAX_DECADES} in size: "
                                 "too large for an exam value")
        if node.op in ("exp", "sigmoid", "tanh"):
            for entry in vals[0]:
                if _beyond(entry, MAX_EXP_ARGUMENT):
                    raise self.error(f"the argument of {node.id} = {_words(self, node)} is beyond "
                                     f"+-{MAX_EXP_ARGUMENT}: the value or its gradient is too large or too "
                                     f"small (beyond 10^+-{int(MAX_EXP_ARGUMENT * 0.4343)}) to compute and check")

    def _forward_value(self, node, vals, show):
        if show and _size(node.shape) > DISPLAY_LIMIT:
            return None         # the sheet shows no entry-wise working for a large value
        rule = self.rule(node)
        if isinstance(rule, ops.Binary):
            return ops.binary_forward(rule, vals[0], vals[1], node.shape, show=show)
        if isinstance(rule, ops.Unary):
            return ops.unary_forward(rule, vals[0], show=show)
        return ops.matrix_forward(node.op, vals, show=show)

    def vjp(self, node, g, show=False):
        """One gradient per input of ``node`` for upstream ``g``; with ``show``, the entry-wise
        working (None for an input too large to show). Exact results are kept per node."""
        big = [_size(self.by_id[i].shape) > DISPLAY_LIMIT for i in node.inputs]
        if show and all(big):
            return [None] * len(node.inputs)
        memo = self._vjp_memo.get(node.id) if not show else None
        if memo is not None and memo[0] is g:
            return list(memo[1])
        need = [not b for b in big]
        parts = self._vjp(node, g, show, need)
        if show:
            return [None if b else part for b, part in zip(big, parts)]
        self._vjp_memo[node.id] = (g, parts)
        return list(parts)

    def _vjp(self, node, g, show, need):
        vals = [self.by_id[i].value for i in node.inputs]
        rule = self.rule(node)
        if isinstance(rule, ops.Binary):
            return ops.binary_vjp(rule, g, vals[0], vals[1], node.value, show=show, need=need)
        if isinstance(rule, ops.Unary):
            return ops.unary_vjp(rule, g, vals[0], node.value, show=show)
        if node.op == "matmul":
            return ops.matrix_vjp(node.op, g, vals, node.value, show=show, need=need)
        return ops.matrix_vjp(node.op, g, vals, node.value, show=show)

    def consumers(self, node_id):
        return [n for n in self.nodes if node_id in n.inputs]

    @property
    def output(self):
        return self.nodes[-1]


def _values(question):
    raw = question.get("values", dict)
    values = {}
    for name in raw:
        if not isinstance(name, str) or not name.replace("_", "").isalnum():
            raise question.error(f"values.{name}", "input names are letters, digits and '_'")
        values[name] = question.matrix(name, source=raw)
    return values


def build_graph(question) -> Graph:
    """Parse ``function``, read the values, and build the graph (no evaluation)."""
    parsed = question.expression("function")
    values = _values(question)
    graph = Graph(question)
    out = graph.build(parsed.expr, parsed.constants, values)
    if out is not graph.nodes[-1] or out.is_leaf:
        raise question.error("function", "the function has no operation to differentiate")
    unused = set(values) - {n.id for n in graph.nodes if n.op == "input"}
    if unused:
        raise question.error(f"values.{sorted(unused)[0]}", "value given for a symbol the function does not use")
    graph.notes = parsed.notes
    return graph


def _upstream(question, graph):
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
        parts = graph.vjp(node, g)
        for position, (input_id, part) in enumerate(zip(node.inputs, parts)):
            contributions[(node.id, position)] = part
            grads[input_id] = part if input_id not in grads else sympy.ImmutableMatrix(grads[input_id] + part)
    return grads, contributions


# ---------------------------------------------------------------------------- solve ---

def _name(graph, node_id):
    return graph.by_id[node_id].symbol


def _bar(symbol):
    return rf"\bar{{{symbol}}}"


def _fwd_formula(graph, node):
    rule = graph.rule(node)
    names = [_name(graph, i) for i in node.inputs]
    template = ops.MATRIX_FWD_TEX[node.op] if isinstance(rule, str) else rule.fwd_tex
    return Tex(template.format(*names))


def _vjp_formula(graph, node, position):
    rule = graph.rule(node)
    names = [_name(graph, i) for i in node.inputs]
    g = _bar(node.symbol)
    if isinstance(rule, str):
        return Tex(ops.MATRIX_VJP_TEX[node.op][position].format(*names, g=g))
    if isinstance(rule, ops.Unary):
        local = rule.df_show.format(*names)
    else:
        local = (rule.da_tex if position == 0 else rule.db_tex).format(*names)
    if local == "1":
        body = g
    elif local == "-1":
        body = "-" + g
    else:
        body = rf"{g} \odot \left({local}\right)"
    shape_in = graph.by_id[node.inputs[position]].shape
    if isinstance(rule, ops.Binary) and shape_in == (1, 1) and node.shape != (1, 1):
        body = rf"\textstyle\sum {body}"
    return Tex(body)


def _shape_text(shape):
    return f"{shape[0]}x{shape[1]}" if shape != (1, 1) else "scalar"


def _words(graph, node):
    rule = graph.rule(node)
    return ops.MATRIX_WORDS[node.op] if isinstance(rule, str) else rule.words


def _kinks(graph):
    return [n for n in graph.nodes if n.op in ("max", "min", "relu", "abs")]


def _tie_nodes(graph):
    ties = []
    for node in _kinks(graph):
        vals = [graph.by_id[i].value for i in node.inputs]
        if node.op in ("max", "min"):
            a, b = vals
            if any(ops.sign_of(ops._entry(a, i, j) - ops._entry(b, i, j)) == 0
                   for i in range(node.shape[0]) for j in range(node.shape[1])):
                ties.append(node)
        elif any(ops.sign_of(v) == 0 for v in vals[0]):
            ties.append(node)
    return ties


def solve(question) -> Solution:
    graph = build_graph(question)
    graph.forward()
    upstream = _upstream(question, graph)
    grads, contributions = backward(graph, upstream)
    sol = Solution(question.id, question.kind)

    for note in graph.notes:
        sol.assume(note)
    sol.assume("Values are exact: decimals are read as fractions (0.1 = 1/10); numbers are rounded only "
               "for display, to 5 significant digits, and marked with the approx sign.")
    out = graph.output
    sol.assume(Text("The gradient at the output is the given upstream vector u, so every gradient below is ",
                    Tex(r"\bar{v} = \partial L / \partial v"), " for ", Tex(r"L = u^{T} f"),
                    "; at a fork the contributions of all consumers add up."))
    if _kinks(graph):
        sol.assume("Kinks use the symmetric subgradient: at a tie of max/min half of the gradient goes to "
                   "each argument, relu'(0) = 1/2 and |x|'(0) = 0 (what central finite differences give).")
    ties = _tie_nodes(graph)
    if ties:
        sol.assume("A tie occurs at " + ", ".join(n.id for n in ties) + ": its derivative is not unique; "
                   "the convention above is applied there.")

    # a) the graph
    sec = sol.section("The computational graph", part="a" if "a" in question.parts else None)
    sec.add(Text("The function, as parsed: ", Tex("f = " + _expr_tex(graph, out)), "."))
    rows = []
    for node in graph.nodes:
        if node.op == "input":
            rows.append([Tex(node.symbol), "input", "", _shape_text(node.shape), ""])
        elif node.op == "const":
            rows.append([Tex(node.symbol), "constant", "", _shape_text(node.shape), node.value])
        else:
            rows.append([Tex(node.symbol), _words(graph, node), Tex(_fwd_formula(graph, node)),
                         _shape_text(node.shape), ""])
    sec.add(Table(["node", "operation", "computes", "shape", "value"], rows, align="lllll",
                  caption="Each node is one atomic operation; nodes are listed in topological order."))
    _draw(sec, graph, lambda: _figure_data(graph, None, None, mode="structure"),
          caption="The computational graph of f: inputs (boxes), constants (dashed), one circle per atomic operation.")

    # b) forward pass
    sec = sol.section("Forward pass: the value at every node", part="b" if "b" in question.parts else None)
    for node in graph.nodes:
        if node.op == "input":
            sec.add(Step(f"Input {node.id}.", lhs=Tex(node.symbol), result=node.value))
    for node in graph.nodes:
        if node.is_leaf:
            continue
        vals = [graph.by_id[i].value for i in node.inputs]
        shown = graph._forward_value(node, vals, show=True)
        sec.add(Step(f"{node.id}: {_words(graph, node)} of {', '.join(node.inputs)}.",
                     lhs=Tex(node.symbol), formula=_fwd_formula(graph, node),
                     substituted=_display(shown), result=node.value))
        sol.answer(f"forward.{node.id}", node.value)
    sol.answer("output", out.value)
    _draw(sec, graph, lambda: _figure_data(graph, None, None, mode="forward"),
          caption="The forward pass: the value carried by each edge.")

    # c) backward pass
    sec = sol.section("Backward pass: the gradient at every node", part="c" if "c" in question.parts else None)
    sec.add(Step("The gradient arriving at the output (given).", lhs=Tex(_bar(out.symbol)), result=upstream))
    for node in reversed(graph.nodes):
        if node.id == out.id or node.op == "const":
            continue
        users = [(c, p) for c in graph.consumers(node.id) for p, i in enumerate(c.inputs) if i == node.id]
        for consumer, position in users:
            g = grads[consumer.id]
            shown = graph.vjp(consumer, g, show=True)[position]
            label = (f"{node.id} feeds {consumer.id} = {_words(graph, consumer)}"
                     f"{' (argument ' + str(position + 1) + ')' if len(consumer.inputs) > 1 else ''}")
            lhs = _bar(node.symbol) if len(users) == 1 else rf"\bar{{{node.symbol}}}^{{({consumer.symbol})}}"
            sec.add(Step(label + ": local rule, then the numbers.", lhs=Tex(lhs),
                         formula=_vjp_formula(graph, consumer, position),
                         substituted=_display(shown), result=contributions[(consumer.id, position)]))
        if len(users) > 1:
            terms = [rf"\bar{{{node.symbol}}}^{{({c.symbol})}}" for c, _ in users]
            if len(terms) > 8:          # one line of 399 terms passes TeX's largest dimension
                terms = terms[:3] + [r"\cdots"] + terms[-2:]
            total = Tex(" + ".join(terms))
            sec.add(Step(f"{node.id} feeds {len(users)} nodes: the gradients add up.",
                         lhs=Tex(_bar(node.symbol)), formula=total, result=grads[node.id]))
        elif not users:
            grads[node.id] = sympy.zeros(*node.shape)
        name = f"grad.{node.id}"
        sol.answer(name, grads[node.id])
    _draw(sec, graph, lambda: _figure_data(graph, grads, upstream),
          caption="Forward values above each edge (blue), gradients below (red).")
    return sol


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
    """The whole function written back from the graph, in the sheet's notation."""
    if node.op == "input":
        return node.symbol
    if node.op == "const":
        return tex(node.value)
    parts = [_expr_tex(graph, graph.by_id[i]) for i in node.inputs]
    if node.op == "exp" and not graph.by_id[node.inputs[0]].is_leaf:
        return rf"\exp\left({parts[0]}\right)"
    rule = graph.rule(node)
    if isinstance(rule, str):
        template = ops.MATRIX_FWD_TEX[node.op]
        if node.op == "matmul":
            parts = [rf"\left({p}\right)" if graph.by_id[i].op in ("add", "sub") else p
                     for p, i in zip(parts, node.inputs)]
    else:
        template = rule.fwd_tex
        if node.op == "pow":        # (x^{400})^{400}: a power of anything but a name is bracketed
            parts = [p if graph.by_id[i].op == "input" else rf"\left({p}\right)"
                     for p, i in zip(parts, node.inputs)]
        elif node.op in ("mul", "neg") or (node.op == "sub" and len(parts) > 1):
            parts = [rf"\left({p}\right)" if graph.by_id[i].op in ("add", "sub") else p
                     for p, i in zip(parts, node.inputs)]
    return template.format(*parts)


# --------------------------------------------------------------------------- figure ---

def _fmt(value):
    """A compact label for a value on the drawing: scalar, or a small column/matrix."""
    if len(value) > 12:     # decided before any entry is converted: big values are costly
        return rf"{value.shape[0]}\times{value.shape[1]}"
    arr = np.array([[float(sympy.N(v, 20)) for v in row] for row in value.tolist()])
    def f(x):
        return f"{x:.4g}".replace("e-0", "e-").replace("e+0", "e")
    if arr.size == 1:
        return f(arr[0, 0])
    if arr.size > 12:
        return rf"{arr.shape[0]}\times{arr.shape[1]}"
    rows = r" \\ ".join(" & ".join(f(x) for x in row) for row in arr)
    return r"\begin{bmatrix}" + rows + r"\end{bmatrix}"


def _figure_data(graph, grads, upstream, mode="full"):
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
            label, style = node.symbol, "input"
        elif node.op == "const":
            label, style = _fmt(node.value), "const"
        else:
            label, style = _op_symbol(node), "op"
        nodes.append({"id": tikz[node.id], "label": label, "style": style, "x": d - min_depth, "y": row,
                      "name": node.symbol})
    edges = []
    for node in graph.nodes:
        for position, src in enumerate(node.inputs):
            source = graph.by_id[src]
            edge = {"from": tikz[src], "to": tikz[node.id], "value": _fmt(source.value), "grad": "",
                    "const": source.op == "const"}
            if grads is not None and source.op != "const":
                vjp = graph.vjp(node, grads[node.id])[position]
                edge["grad"] = _fmt(vjp)
            edges.append(edge)
    out = graph.output
    result = {"nodes": nodes, "edges": edges, "output": tikz[out.id],
              "output_value": _fmt(out.value), "output_grad": _fmt(upstream) if upstream is not None else "",
              "columns": max(n["x"] for n in nodes) + 2, "rows": max(len(v) for v in columns.values()),
              "mode": mode}
    return result


def _op_symbol(node):
    return {"add": "+", "sub": "-", "mul": r"\times", "div": r"\div", "matmul": r"\cdot",
            "neg": "-1", "exp": r"\exp", "log": r"\ln", "tanh": r"\tanh", "sigmoid": r"\sigma",
            "relu": r"\mathrm{relu}", "abs": "|\\cdot|", "max": r"\max", "min": r"\min", "sum": r"\Sigma",
            "mean": r"\mathrm{mean}", "transpose": "T", "pow": f"(\\cdot)^{{{sympy.latex(node.param)}}}"}[node.op]


# ---------------------------------------------------------------------- independent ---

def _numeric_forward(graph, values, override=None, base=None):
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
        out[node.id] = graph_independent.numpy_op(node, [out[i] for i in node.inputs])
    return out


# Finite differences on every entry cost two forward passes per entry. When the whole
# question needs at most FD_BUDGET of them, every gradient entry is checked that way.
# Past it (wide layers: a 64x64 weight alone has 4096 entries), a node of more than
# FD_FULL entries gets its independent value from a float reverse pass written here with
# numpy (its own derivative rules, not the op table's), and that float gradient is itself
# certified by central finite differences on FD_SAMPLE seeded random entries plus one
# directional derivative along a random direction of the whole node; an entry that
# disagrees is replaced by its finite difference and a failed directional check makes
# the whole node NaN, so either way the verifier reports the disagreement.
FD_BUDGET = 4000
FD_FULL = 16
FD_SAMPLE = 12
_EPS = float(np.finfo(float).eps)


def _rounding_bounds(graph, values, base):
    """A bound on each float64 forward value's rounding error, twice the running error
    analysis of graph_independent.numpy_error (the inputs carry the error of reading a
    decimal as a double)."""
    error = {}
    for node in graph.nodes:
        if node.op in ("input", "const"):
            error[node.id] = _EPS * np.abs(base[node.id] if node.op == "const" else values[node.id])
            continue
        args = [base[i] if i in base else values[i] for i in node.inputs]
        error[node.id] = graph_independent.numpy_error(node, args, [error[i] for i in node.inputs],
                                                       base[node.id])
    return {k: 2 * v for k, v in error.items()}


def _floats(matrix):
    """An exact matrix of the spec as a float array (rationals read off SymPy's own QQ form)."""
    rep = getattr(matrix, "_rep", None)
    if rep is not None and (rep.domain.is_QQ or rep.domain.is_ZZ):
        return np.array([[float(v) for v in row] for row in rep.to_dense().to_list()],
                        dtype=float).reshape(matrix.shape)
    return np.array(matrix.tolist(), dtype=float)


def _tie(d):
    """Entries of ``d`` (a difference at a kink) that are a tie, allowing float rounding."""
    return np.abs(d) <= 1e-10 * max(1.0, float(np.max(np.abs(d))) if d.size else 1.0)


def _unbroadcast(grad, shape):
    return np.array([[grad.sum()]]) if shape == (1, 1) and grad.shape != (1, 1) else grad


def _numpy_vjp(node, g, args, y):
    """The gradient of each input of ``node`` in floats, from numpy's own rules."""
    op = node.op
    a = args[0]
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
        raise ops.MissingRule(op)
    return [g * local[op]()]


def _numpy_backward(graph, base, u):
    grads = {graph.output.id: u}
    for node in reversed(graph.nodes):
        if node.is_leaf:
            continue
        g = grads.get(node.id)
        if g is None:
            g = grads[node.id] = np.zeros(node.shape)
        parts = _numpy_vjp(node, g, [base[i] for i in node.inputs], base[node.id])
        for input_id, part in zip(node.inputs, parts):
            grads[input_id] = part if input_id not in grads else grads[input_id] + part
    return grads


def independent(question) -> dict:
    """Every forward value and gradient by a route that shares no rule with the derivation.

    A graph within graph_independent's budget: the parsed function evaluated with mpmath,
    gradients by high-precision central differences (see graph_independent). A larger one:
    float forward values and central finite differences of L = u^T f, see FD_BUDGET above
    (float reverse pass certified by sampled and directional finite differences for the
    nodes of more than FD_FULL entries).
    """
    graph = build_graph(question)
    if graph_independent.affordable(graph):
        upstream = question.matrix("upstream") if question.has("upstream") else None
        return graph_independent.independent(question, graph, question.expression("function"),
                                             _values(question), upstream)
    values = {n.id: _floats(n.value) for n in graph.nodes if n.op == "input"}
    # upstream: read again, as floats
    graph_out = graph.output
    base = _numeric_forward(graph, values)
    u = (np.array(question.matrix("upstream").tolist(), dtype=float)
         if question.has("upstream") else np.ones(graph_out.shape))
    result = {"output": base[graph_out.id]}
    scale = float(np.sum(np.abs(u * base[graph_out.id]))) + 1.0   # size of L, for rounding error

    def loss(node_id, value):
        vals = _numeric_forward(graph, values, override={node_id: value}, base=base)
        return float(np.sum(u * vals[graph_out.id]))

    def central(node_id, point, direction, h):
        return (loss(node_id, point + h * direction) - loss(node_id, point - h * direction)) / (2 * h)

    nodes = [n for n in graph.nodes if n.op != "const"]
    full_everywhere = 2 * sum(base[n.id].size for n in nodes) <= FD_BUDGET
    reverse = None if full_everywhere else _numpy_backward(graph, base, u)
    rng = np.random.default_rng(0)
    error = _rounding_bounds(graph, values, base)
    for node in nodes:
        if node.op != "input":
            result[f"forward.{node.id}"] = hp.Bounded(base[node.id], error[node.id])
        point = base[node.id]
        if full_everywhere or point.size <= FD_FULL:
            grad = np.zeros_like(point, dtype=float)
            for index in np.ndindex(point.shape):
                h = FD_STEP * max(1.0, abs(point[index]))
                unit = np.zeros_like(point, dtype=float)
                unit[index] = 1.0
                grad[index] = central(node.id, point, unit, h)
            result[f"grad.{node.id}"] = grad
            continue
        grad = np.array(reverse[node.id], dtype=float)
        for flat in rng.choice(point.size, size=min(FD_SAMPLE, point.size), replace=False):
            index = np.unravel_index(flat, point.shape)
            h = FD_STEP * max(1.0, abs(point[index]))
            unit = np.zeros_like(point, dtype=float)
            unit[index] = 1.0
            fd = central(node.id, point, unit, h)
            if abs(fd - grad[index]) > 1e-5 * max(abs(fd), abs(grad[index])) + 100 * _EPS * scale / h:
                grad[index] = fd
        direction = rng.standard_normal(point.shape)
        h = FD_STEP * max(1.0, float(np.max(np.abs(point))))
        fd = central(node.id, point, direction, h)
        expected = float(np.sum(grad * direction))
        if abs(fd - expected) > 1e-5 * float(np.sum(np.abs(grad * direction))) + 100 * _EPS * scale / h:
            grad = np.full(point.shape, np.nan)
        result[f"grad.{node.id}"] = grad
    return result


checks_note = ("Independent route: the function as parsed is evaluated again with mpmath at 60 digits "
               "(every node from its own subexpression); the gradient at each input is a central "
               "difference of L = u^T f in high precision, its step scaled to the point and kept well "
               "inside the distance to the nearest kink; an inner node's gradient sums local central "
               "differences of each op; at a tie the convention is the mean of the one-sided differences. "
               "Graphs too large for that use float64 with numpy's own functions and finite differences.")
