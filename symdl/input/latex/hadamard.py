"""``a \\odot b``: the parser reads it as a product with a marker symbol between the factors
(``_Reader._lift`` writes the marker); here the marked products become the elementwise product op."""

from __future__ import annotations

import sympy

from symdl.errors import LatexError
from symdl.input.latex.state import op

_ODOT = sympy.Symbol(r"\mathit{Zodot}", commutative=False)


def _hadamard(expr):
    r"""``a \odot b`` (read as a product with a marker between the factors) as the elementwise
    product op ``mul(a, b)``: the factors on each side of a marker are one operand, so a product
    binds tighter than the elementwise one (``W x \odot y`` is ``(W x) \odot y``)."""
    if expr == _ODOT or not expr.has(_ODOT):
        return expr
    args = [_hadamard(a) for a in expr.args]
    if not isinstance(expr, sympy.Mul) or _ODOT not in args:
        with sympy.evaluate(False):
            return expr.func(*args)
    groups, current = [], []
    for factor in args:
        if factor == _ODOT:
            groups.append(current)
            current = []
        else:
            current.append(factor)
    groups.append(current)
    if any(not group for group in groups):
        raise LatexError(r"'\odot' needs an operand on each side")
    operands = [group[0] if len(group) == 1 else sympy.Mul(*group, evaluate=False) for group in groups]
    out = operands[0]
    for operand in operands[1:]:
        out = op("mul")(out, operand)
    return out
