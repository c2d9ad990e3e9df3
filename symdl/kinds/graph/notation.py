"""The graph kind's notation: a node's gradient (v-bar) and the sum of its consumers' parts,
printing themselves.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so these objects need nothing attached to it. The op's display form
(``GraphFormula``, ``GraphParen``) is shared with the optimizers' update rules: symdl.notation.display.
"""

from __future__ import annotations


class GraphGradient:
    """The gradient of L at a graph's node, v-bar; ``via``: only the part that reaches it through
    the consumer ``via`` (v-bar^(z)). ``name`` and ``via`` are node names as the printer wrote them."""

    def __init__(self, name, via=None):
        self.name, self.via = name, via

    def __repr__(self):
        return f"GraphGradient({self.name!r}, via={self.via!r})"

    def _symdl_latex(self, printer):
        out = rf"\bar{{{self.name}}}"
        return out if self.via is None else out + rf"^{{({self.via})}}"


class GraphGradientSum:
    """The gradients of one node summed over its consumers; past ``limit`` terms the middle ones
    are elided (a line of 399 terms passes TeX's largest dimension)."""

    def __init__(self, terms, limit=8):
        self.terms, self.limit = tuple(terms), limit

    def __repr__(self):
        return f"GraphGradientSum({len(self.terms)} terms)"

    def _symdl_latex(self, printer):
        terms = [printer._print(t) for t in self.terms]
        if len(terms) > self.limit:
            terms = terms[:3] + [r"\cdots"] + terms[-2:]
        return " + ".join(terms)
