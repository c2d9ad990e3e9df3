"""The graph kind's graph: one node per atomic op, built from the parsed function (no evaluation)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from symdl.ops import table
from symdl.ops.base import MissingRule, ShapeError
from symdl.ops.conventions import DEFAULT_SUBGRADIENTS, DEFAULT_TIES
from symdl.notation.printer import tex

from .fields import read_values
from .program import _resolve, read_program


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
        self.named: dict = {}         # a program's assigned name -> its node
        self.source = None            # what the independent route evaluates: .expr, .constants
        self.subgradients = getattr(question, "subgradients", DEFAULT_SUBGRADIENTS)
        self.ties = getattr(question, "ties", DEFAULT_TIES)     # how a tie of max/min shares the gradient
        self.field = "function"       # the field being built: 'function', or a program's 'program[k]'
        self.origin: dict = {}        # node id -> the field that wrote it (a program's line)
        self.taken: set = set()       # names of inputs (and a program's): automatic names skip them

    # -- building ---------------------------------------------------------------------
    def error(self, message, field_name=None, node=None):
        """A SpecError naming ``field_name``, else the field that wrote ``node``, else the one being built."""
        where = field_name or (self.origin.get(node.id) if node is not None else None) or self.field
        return self.question.error(where, message)

    def _add(self, node):
        self.nodes.append(node)
        self.by_id[node.id] = node
        self.origin[node.id] = self.field
        return node

    def const(self, value):
        self._consts = self._next(self._consts, "c")
        value = sympy.ImmutableMatrix(value)
        return self._add(Node(id=f"c{self._consts}", op="const", shape=value.shape, value=value,
                              symbol=tex(sympy.Symbol(f"c_{self._consts}"))))

    def apply(self, name, args, param=None):
        shapes = [a.shape for a in args]
        try:
            shape = table.rule_for(name, param).shape(shapes)
        except ShapeError as exc:
            raise self.error(f"shape mismatch: {exc}") from None
        except MissingRule:
            raise self.error(f"no derivative rule for op '{name}'") from None
        self._ops = self._next(self._ops, "z")
        depth = 1 + max(a.depth for a in args)
        return self._add(Node(id=f"z{self._ops}", op=name, inputs=[a.id for a in args], shape=shape,
                              param=param, symbol=tex(sympy.Symbol(f"z_{self._ops}")), depth=depth))

    def _next(self, n, letter):
        """The next automatic number after ``n`` whose name (z_3, z3) no input or program name has:
        an input called z_1 beside an automatic z_1 would print two nodes under one name."""
        n += 1
        while f"{letter}_{n}" in self.taken or f"{letter}{n}" in self.taken:
            n += 1
        return n

    def build(self, expr, constants, values):
        """Walk the parsed SymPy tree; return the output node. Iterative, so any nesting depth builds:
        each walk is a generator that yields a subexpression it needs and receives its node, and this
        loop keeps the pending walks on a list (the same order of nodes as a recursive walk)."""
        pending, result = [self._walk(expr, constants, values)], None
        while pending:
            try:
                request = pending[-1].send(result)
            except StopIteration as done:
                pending.pop()
                result = done.value
                continue
            pending.append(self._walk(request, constants, values))
            result = None
        return result

    def _walk(self, e, constants, values):
        node = yield from self._walk_expr(e, constants, values)
        if node.expr is None:
            node.expr = e
        return node

    def _walk_expr(self, e, constants, values):
        if e in constants:
            return self.const(constants[e])
        if isinstance(e, sympy.Symbol):
            name = e.name
            if name in self.named:          # a staged program's earlier assignment
                return self.named[name]
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
            node = (yield terms[0])
            for term in terms[1:]:
                left = node.expr
                if term.could_extract_minus_sign() and isinstance(term, sympy.Mul) and term.args[0] == -1:
                    rest = sympy.Mul(*term.args[1:], evaluate=False) if len(term.args) > 2 else term.args[1]
                    node = self.apply("sub", [node, (yield rest)])
                else:
                    node = self.apply("add", [node, (yield term)])
                node.expr = sympy.Add(left, term, evaluate=False)
            return node
        if isinstance(e, sympy.Mul):
            return (yield from self._product(e, constants, values))
        if isinstance(e, sympy.Pow):
            if e.base == sympy.E:
                return self.apply("exp", [(yield e.exp)])
            if not e.exp.is_number:
                raise self.error("a power with a non-constant exponent is not supported; write e^{...}")
            base = (yield e.base)
            if e.exp == -1:
                one = self.const([[1]])
                one.expr = sympy.Integer(1)
                return self.apply("div", [one, base])
            return self.apply("pow", [base], param=e.exp)
        if isinstance(e, sympy.exp):
            return self.apply("exp", [(yield e.args[0])])
        if isinstance(e, sympy.log):
            if len(e.args) > 1 and e.args[1] != sympy.E:
                raise self.error("only the natural logarithm is supported")
            return self.apply("log", [(yield e.args[0])])
        for cls, name in table.SYMPY_FUNCTIONS:
            if isinstance(e, cls):
                return (yield from self._call(name, e.args, constants, values))
        if isinstance(e, sympy.core.function.AppliedUndef):
            name = type(e).__name__
            if name in table.CALLS:
                return (yield from self._call(name, e.args, constants, values))
            raise self.error(f"unknown function '{name}(...)'; for a product write '{name} \\cdot (...)'")
        raise self.error(f"unsupported construct {type(e).__name__}")

    def _call(self, name, args, constants, values):
        nodes = []
        for a in args:
            nodes.append((yield a))
        if table.TABLE[name].arity == 2 and len(nodes) != 2:
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
            right = (yield factor)
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
            node = self.apply("div", [node, (yield factor)])
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
        """The node's row of the op table, under the exam's subgradient convention."""
        return table.rule_for(node.op, node.param, self.subgradients, self.ties)

    def consumers(self, node_id):
        return [n for n in self.nodes if node_id in n.inputs]

    @property
    def output(self):
        return self.nodes[-1]


def build_graph(question) -> Graph:
    """Parse ``function`` (or the ``program``), read the values, and build the graph (no evaluation)."""
    if question.has("program"):
        if question.has("function"):
            raise question.error("program", "give either a function or a program, not both")
        return _build_program(question)
    parsed = question.expression("function")
    values = read_values(question)
    graph = Graph(question)
    graph.taken = set(values)
    out = graph.build(parsed.expr, parsed.constants, values)
    if out is not graph.nodes[-1] or out.is_leaf:
        raise question.error("function", "the function has no operation to differentiate")
    _unused(question, graph, values)
    graph.notes = parsed.notes
    graph.source = parsed
    return graph


def _unused(question, graph, values):
    unused = set(values) - {n.id for n in graph.nodes if n.op == "input"}
    if unused:
        raise question.error(f"values.{sorted(unused)[0]}", "value given for a symbol the function does not use")


def _build_program(question) -> Graph:
    """One assignment after the other; each assignment's last node takes its name."""

    program = read_program(question)
    values = read_values(question)
    graph = Graph(question)
    graph.taken = set(values) | {name for name, _, _ in program.steps}
    for k, (name, symbol, expr) in enumerate(program.steps):
        first = len(graph.nodes)
        graph.field = f"program[{k}]"
        node = graph.build(expr, program.constants, values)
        if node.is_leaf or len(graph.nodes) == first:
            raise question.error(graph.field, f"'{name}' computes nothing new: an assignment needs an operation")
        del graph.by_id[node.id]
        graph.origin[name] = graph.origin.pop(node.id)
        node.id, node.symbol = name, tex(sympy.Symbol(name))
        graph.by_id[name] = node
        graph.named[name] = node
    graph.field = "program"
    if graph.output is not graph.named[program.steps[-1][0]]:
        raise question.error(f"program[{len(program.steps) - 1}]", "the last assignment is the output")
    with sympy.evaluate(False):
        for node in graph.nodes:
            if node.expr is not None:
                node.expr = _resolve(node.expr, program.names)
    _unused(question, graph, values)
    graph.notes = program.notes
    graph.source = program
    return graph
