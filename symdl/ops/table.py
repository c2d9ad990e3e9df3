"""The op table: every row by its name, what a spec may call each op, and the row an exam's
conventions make of it (``rule_for``). The rows hold every fact; this module only gathers them.

An op with no row is an error (MissingRule), never a zero.
"""

from __future__ import annotations

from symdl.ops import attention, axis, elementary, elementwise, matrix, vector
from symdl.ops.base import MissingRule, Unary
from symdl.ops.conventions import DEFAULT_SUBGRADIENTS, DEFAULT_TIES, SUBGRADIENTS, TIES, kink_notes as _notes
from symdl.ops.elementwise import power_rule

UNARY = {row.name: row for row in elementwise.UNARY + elementary.UNARY}
BINARY = {row.name: row for row in elementwise.BINARY}
MATRIX = {row.name: row for row in matrix.ROWS + vector.ROWS + elementary.MATRIX + attention.ROWS + axis.ROWS}
TABLE = {**UNARY, **BINARY, **MATRIX}

# every spelling a spec may call a function by -> its op, and each op's number of arguments
FUNCTION_NAMES = {spelling: name for name, row in TABLE.items() for spelling in row.spellings}
FUNCTION_ARITY = {name: row.arity for name, row in TABLE.items()}
# a spelling called with another number of arguments: \max(x) is the maximum over the entries of x
OVERLOADS = {(spelling, row.arity): name for name, row in TABLE.items() for spelling in row.overloads}
# an op written with an axis as a subscript: (op, axis) -> the row (softmax_{0}: along the columns)
AXES = {row.axis: name for name, row in TABLE.items() if row.axis}
CALLS = frozenset(AXES.values()) | frozenset(FUNCTION_NAMES.values()) | {"transpose", "mul"} | frozenset(OVERLOADS.values())   # ops the parser leaves as f(...)
KINKS = frozenset(name for name, row in TABLE.items() if row.kinks)      # the sheet states their convention
STEEP = frozenset(name for name, row in TABLE.items() if row.steep)      # their argument is bounded in a check
# SymPy's own function classes the parser leaves in a tree -> the op
SYMPY_FUNCTIONS = tuple((row.sympy_class, name) for name, row in TABLE.items() if row.sympy_class is not None)
ALL_OPS = sorted(set(TABLE) | {"pow"})


def kink_notes(convention, names, ties=DEFAULT_TIES):
    """The sentences stating the kink conventions of the ops ``names`` present in a graph."""
    return _notes(convention, {key for name in names if name in TABLE for key in TABLE[name].kinks}, ties)


def tied(name, vals):
    """True when op ``name`` at its inputs' values ``vals`` sits on a kink (a tie, relu at 0, a jump)."""
    return TABLE[name].on_kink(vals)


_CONVENTION_ROWS: dict = {}


def rule_for(name, param=None, subgradients="symmetric", ties=DEFAULT_TIES):
    """The op's row (Unary, Binary or MatrixOp) under the exam's conventions; MissingRule when none."""
    if subgradients not in SUBGRADIENTS:
        raise ValueError(f"unknown subgradient convention {subgradients!r}")
    if ties not in TIES:
        raise ValueError(f"unknown tie convention {ties!r}")
    if name == "pow":
        return power_rule(param)
    if name not in TABLE:
        raise MissingRule(name)
    key = (name, subgradients, ties)
    if key not in _CONVENTION_ROWS:
        row = TABLE[name]
        _CONVENTION_ROWS[key] = row.under(row, subgradients, ties) if row.under is not None else row
    return _CONVENTION_ROWS[key]


def activation(name, subgradients=DEFAULT_SUBGRADIENTS):
    """An elementwise activation's exact forward f(x) and derivative f'(x) under a convention.

    For a kind with its own activations (the neuron): ``f, df = activation("relu", "pytorch")``.
    """
    rule = rule_for(FUNCTION_NAMES.get(name, name), subgradients=subgradients)
    if not isinstance(rule, Unary):
        raise MissingRule(name)
    return rule.f, lambda x: rule.df(x, rule.f(x))

