"""The architecture kind's notation: a shape or product of sizes written with x between the factors, and
a table cell of several lines, printing themselves.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so this object needs nothing attached to it.
"""

from __future__ import annotations

import sympy

from symdl.notation.printer import text_in_math
from symdl.solution import Tex, Text


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


class Lines:
    """A table cell of several lines; each line is plain text, a Text, or a math object."""

    def __init__(self, *items):
        self.items = tuple(items)

    def __len__(self):
        return len(self.items)

    def __repr__(self):
        return "Lines(" + ", ".join(map(repr, self.items)) + ")"

    def _symdl_latex(self, printer):
        def line(item):
            if isinstance(item, Text):
                return " ".join(text_in_math(p) if isinstance(p, str) and not isinstance(p, Tex)
                                else printer._print(p) for p in item.parts)
            if isinstance(item, str) and not isinstance(item, Tex):
                return text_in_math(item)
            return printer._print(item)
        return r"\begin{array}{l}" + r" \\ ".join(line(i) for i in self.items) + r"\end{array}"
