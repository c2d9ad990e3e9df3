"""A staged program: ``program = ["q = x + y", "f = q z"]``, each assignment's name a node of the graph.

Each right-hand side is parsed alone; a name assigned earlier is a symbol there, which the graph
resolves to that assignment's node (so ``forward.q`` and ``grad.q`` are answers). For the
independent route the earlier definitions are put into the later expressions without evaluating
anything (``q - q`` stays a subtraction), giving the program as one function of the inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from symdl.errors import LatexError

_NAME = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*(?:_\{?[A-Za-z0-9]+\}?)?)\s*=(?!=)(.*)\Z", re.S)


@dataclass
class Program:
    """The assignments in order: (name, parsed right-hand side), and the whole as one expression."""

    steps: list = field(default_factory=list)     # (name, sympy.Symbol, expr in names and inputs)
    constants: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    expr: object = None                           # the last assignment in the inputs alone


def _lines(question):
    raw = question.get("program", (list, str))
    lines = [l for l in (raw.splitlines() if isinstance(raw, str) else raw)]
    if not lines or not all(isinstance(l, str) for l in lines):
        raise question.error("program", "expected a list of assignments such as \"q = x + y\"")
    return [l for l in lines if l.strip()]


def read_program(question) -> Program:
    """Parse every assignment; names are checked (new, not an input) and constants kept apart."""
    from symdl.latex_parse import parse_expression

    program = Program()
    inputs = set(question.get("values", dict))
    defined = {}
    for k, line in enumerate(_lines(question)):
        m = _NAME.match(line)
        if not m:
            raise question.error(f"program[{k}]", "expected an assignment 'name = expression'")
        name = m.group(1).replace("{", "").replace("}", "")
        if name in defined or name in inputs:
            raise question.error(f"program[{k}]", f"'{name}' is assigned twice or is an input")
        try:
            parsed = parse_expression(m.group(2))
        except LatexError as exc:
            raise question.error(f"program[{k}]", exc.message) from None
        fresh = {c: sympy.Symbol(f"_constant_{k}_{j}", commutative=False)     # no spec can write "_..."
                 for j, c in enumerate(parsed.constants)}
        expr = parsed.expr.xreplace(fresh)
        program.constants.update({fresh[c]: v for c, v in parsed.constants.items()})
        program.notes += [n for n in parsed.notes if n not in program.notes]
        if isinstance(expr, sympy.Symbol):
            raise question.error(f"program[{k}]", f"'{name}' computes nothing: an assignment needs an operation")
        symbol = sympy.Symbol(name, commutative=False)
        program.steps.append((name, symbol, expr))
        defined[name] = symbol
    with sympy.evaluate(False):
        whole = {}
        for name, symbol, expr in program.steps:
            whole[symbol] = _resolve(expr, whole)
        program.expr = whole[program.steps[-1][1]]
    program.whole = whole
    return program


def _resolve(expr, whole):
    """``expr`` with every earlier assignment's symbol replaced by its expression (nothing evaluated)."""
    names = {s.name: v for s, v in whole.items()}
    return expr.xreplace({s: names[s.name] for s in expr.free_symbols if getattr(s, "name", None) in names})
