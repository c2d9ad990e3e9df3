"""latex2sympy2's module-level state reset before every parse, and its two patches (non-commutative symbols, explicit transposes)."""

from __future__ import annotations

import re

import sympy

from symdl.errors import LatexError
from symdl.pycompat import import_latex2sympy2


def op(name):
    """The SymPy function class standing for symdl's op ``name`` in a parsed tree."""
    return sympy.Function(name, commutative=False)

def _fresh_parser():
    """Import latex2sympy2 and reset every piece of its module-level state."""
    l2s = import_latex2sympy2()   # with typing.io provided where Python 3.13 removed it
    l2s.is_real = None
    l2s.frac_type = r"\frac"
    l2s.variances = {}
    l2s.var = {}
    l2s.VARIABLE_VALUES = {}
    if not getattr(l2s, "_symdl_patched", False):
        _patch(l2s)
    return l2s


def _patch(l2s):
    """Make symbols non-commutative and transposes explicit inside latex2sympy2."""
    original_atom = l2s.convert_atom

    def convert_atom(atom):
        result = original_atom(atom)
        if isinstance(result, sympy.Symbol) and result.is_commutative:
            # W_{12} -> W_12, as W_{1} -> W_1 already: the name a [question.values] key can have
            name = re.sub(r"^([A-Za-z]+)_\{([A-Za-z0-9]+)\}$", r"\1_\2", result.name)
            return sympy.Symbol(name, commutative=False)
        return result

    def convert_postfix(postfix):
        exp_nested = postfix.exp() if hasattr(postfix, "exp") else postfix.exp_nofunc()
        result = l2s.convert_exp(exp_nested)
        for post in postfix.postfix_op():
            if post.transpose():
                result = op("transpose")(result)
            else:
                raise LatexError(f"unsupported postfix operator '{post.getText()}'")
        return result

    l2s.convert_atom = convert_atom
    l2s.convert_postfix = convert_postfix
    l2s._symdl_patched = True
