"""The architecture kind's notation: a shape or product of sizes written with x between the factors,
printing itself.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so this object needs nothing attached to it.
"""

from __future__ import annotations

import sympy


class Dims:
    """A shape or a product of sizes written with x between the factors: H x W x C; empty: none."""

    def __init__(self, *items):
        self.items = tuple(sympy.Integer(v) if isinstance(v, int) else v for v in items)

    def __repr__(self):
        return "Dims(" + ", ".join(map(str, self.items)) + ")"

    def _symdl_latex(self, printer):
        if not self.items:
            return r"\text{none}"
        return r" \times ".join(printer._print(v) for v in self.items)
