"""A staged program: ``program = ["q = x + y", "f = q z"]``, each assignment's name a node of the graph.

Each right-hand side is parsed alone, with one symbol table: a name assigned earlier means that
node wherever it is written on a right side (``e = x + y`` then ``f = e z`` uses the node e, not
Euler's number; an input's name likewise means the input), and the graph resolves it to that
assignment's node (so ``forward.q`` and ``grad.q`` are answers). A name is one letter with an
optional subscript (``q``, ``h_2``, ``q_{ab}``), as the parser reads names; anything else, and the
key's automatic node names (z_1, c_1, ...), is refused where it is assigned. For the independent
route the earlier definitions are put into the later expressions without evaluating anything
(``q - q`` stays a subtraction), giving the program as one function of the inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from symdl.errors import LatexError
from symdl.ops.table import FUNCTION_NAMES
from symdl.input.latex import parse_expression

_NAME = re.compile(r"\s*([^=]*?)\s*=(?!=)(.*)\Z", re.S)
# a name as the parser reads one: a letter, then a braced subscript, a run of digits or one letter
_SIMPLE = re.compile(r"([A-Za-z])(?:_(?:\{([A-Za-z0-9]+)\}|(\d+|[A-Za-z])))?\Z")
_AUTOMATIC = re.compile(r"[zc]_\d+\Z")          # the key's own node names (build.Graph: z_1, c_1)


@dataclass
class Program:
    """The assignments in order: (name, parsed right-hand side), and the whole as one expression."""

    steps: list = field(default_factory=list)     # (name, sympy.Symbol, expr in names and inputs)
    constants: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    expr: object = None                           # the last assignment in the inputs alone
    lines: list = field(default_factory=list)     # (name, right side) as written, one per step


def _lines(question):
    raw = question.get("program", (list, str))
    lines = [l for l in (raw.splitlines() if isinstance(raw, str) else raw)]
    if not lines or not all(isinstance(l, str) for l in lines):
        raise question.error("program", "expected a list of assignments such as \"q = x + y\"")
    return [l for l in lines if l.strip()]


def read_program(question) -> Program:
    """Parse every assignment; names are checked (new, not an input) and constants kept apart."""

    program = Program()
    inputs = set(question.get("values", dict))
    defined = {}
    for k, line in enumerate(_lines(question)):
        m = _NAME.match(line)
        if not m:
            raise question.error(f"program[{k}]", "expected an assignment 'name = expression'")
        name = _name(question, k, m.group(1))
        if name in defined or name in inputs:
            raise question.error(f"program[{k}]", f"'{name}' is assigned twice or is an input")
        try:
            # the table: names assigned so far and the inputs (T aside: W^T is a transpose)
            parsed = parse_expression(m.group(2), names=frozenset(defined) | (inputs - {"T"}))
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
        program.lines.append((m.group(1).strip(), m.group(2).strip()))
        defined[name] = symbol
    with sympy.evaluate(False):
        whole, names = {}, {}
        for name, symbol, expr in program.steps:
            whole[symbol] = names[name] = _resolve(expr, names)
        program.expr = whole[program.steps[-1][1]]
    program.whole, program.names = whole, names
    return program


def _name(question, k, written):
    """The name assigned by ``program[k]`` (braces dropped: ``q_{1}`` is q_1), or exit 2 saying why
    the parser could not keep it on a right side."""
    m = _SIMPLE.match(written)
    where = f"program[{k}]"
    if written in FUNCTION_NAMES or written.lstrip("\\") in FUNCTION_NAMES:
        raise question.error(where, f"'{written}' is the name of a function; choose a letter such as q "
                                    f"or h_1 for this node")
    if written.lstrip("\\") in ("pi", "infty", "inf") or written.startswith("\\"):
        raise question.error(where, f"'{written}' is a constant or a symbol of LaTeX, not a name; choose a "
                                    f"letter such as q or h_1 for this node")
    if m is None:
        why = ("on a right side it would read as a product of its letters and digits"
               if re.fullmatch(r"[A-Za-z0-9_{}]+", written) else "it is not a name")
        raise question.error(where, f"'{written}' cannot be assigned: {why}; a name is one letter with an "
                                    f"optional subscript, such as q, h_1 or q_{{ab}}")
    name = m.group(1) + (f"_{m.group(2) or m.group(3)}" if m.group(2) or m.group(3) else "")
    if _AUTOMATIC.match(name):
        raise question.error(where, f"'{written}' is the name the key gives its own nodes (z_1, z_2, ... and "
                                    f"c_1, c_2, ...); choose another letter for this node")
    if name == "T":
        raise question.error(where, "'T' marks a transpose (W^T); choose another letter for this node")
    return name


def _resolve(expr, names):
    """``expr`` with every earlier assignment's symbol replaced by its expression (nothing evaluated);
    ``names``: each assigned name -> its expression."""
    return expr.xreplace({s: names[s.name] for s in expr.free_symbols if getattr(s, "name", None) in names})
