"""Display objects: what a kind shows where SymPy has no object of its own (printed by symdl.printer).

A kind builds these and puts them in steps, text and table cells; the printer
(``SymdlPrinter._print_<Class>``) writes their LaTeX, so no kind writes LaTeX itself.
"""

from __future__ import annotations

import sympy


class Quantity(sympy.Symbol):
    """A named quantity: a base (one letter, or an upright word), an upright subscript, an accent.

    ``Quantity("H", "in")`` prints H_{in} with "in" upright; ``Quantity("MACs")`` prints the
    word upright; ``Quantity("H", "out").tilde()`` puts a tilde on the H. The parts live in
    the symbol's name (``[~]base[_sub]``), so SymPy treats it as any other symbol.
    """

    def __new__(cls, base, sub="", *, accent="", **assumptions):
        if "_" in base or base.startswith("~"):
            raise ValueError(f"a quantity's base is one word, got {base!r}")
        assumptions.setdefault("integer", True)
        name = ("~" if accent == "tilde" else "") + base + (f"_{sub}" if sub else "")
        return super().__new__(cls, name, **assumptions)

    @property
    def parts(self):
        """(base, subscript, accent) as given."""
        name = self.name
        accent = "tilde" if name.startswith("~") else ""
        base, _, sub = name.lstrip("~").partition("_")
        return base, sub, accent

    def __getnewargs_ex__(self):
        base, sub, accent = self.parts
        return (base, sub), dict(self.assumptions0, accent=accent)

    def tilde(self):
        base, sub, _ = self.parts
        return Quantity(base, sub, accent="tilde", **self.assumptions0)


class FloorOf(sympy.Function):
    """floor(x) kept unevaluated (SymPy's own floor evaluates its argument's assumptions)."""

    nargs = 1


class CeilOf(sympy.Function):
    """ceil(x) kept unevaluated."""

    nargs = 1


class MaxOf(sympy.Function):
    """max(a, b) kept unevaluated."""


class Dims:
    """A shape or a product of sizes written with x between the factors: H x W x C; empty: none."""

    def __init__(self, *items):
        self.items = tuple(sympy.Integer(v) if isinstance(v, int) else v for v in items)

    def __repr__(self):
        return "Dims(" + ", ".join(map(str, self.items)) + ")"


class Percent:
    """A share in per cent; ``approx``: shown rounded to ``sig`` digits after an approx sign."""

    def __init__(self, value, *, approx=False, sig=3):
        self.value, self.approx, self.sig = value, approx, sig

    def __repr__(self):
        return f"Percent({self.value})"


class Lines:
    """A table cell of several lines; each line is plain text, a Text, or a math object."""

    def __init__(self, *items):
        self.items = tuple(items)

    def __len__(self):
        return len(self.items)

    def __repr__(self):
        return "Lines(" + ", ".join(map(repr, self.items)) + ")"


class GraphGradient:
    """The gradient of L at a graph's node, v-bar; ``via``: only the part that reaches it through
    the consumer ``via`` (v-bar^(z)). ``name`` and ``via`` are node names as the printer wrote them."""

    def __init__(self, name, via=None):
        self.name, self.via = name, via

    def __repr__(self):
        return f"GraphGradient({self.name!r}, via={self.via!r})"


class GraphGradientSum:
    """The gradients of one node summed over its consumers; past ``limit`` terms the middle ones
    are elided (a line of 399 terms passes TeX's largest dimension)."""

    def __init__(self, terms, limit=8):
        self.terms, self.limit = tuple(terms), limit

    def __repr__(self):
        return f"GraphGradientSum({len(self.terms)} terms)"


class GraphFormula:
    """A formula written from an op's display form (``template``: str.format fields {0}, {1}, ...)
    and its operands (node names as the printer wrote them, GraphFormula or GraphParen)."""

    def __init__(self, template, *parts):
        self.template, self.parts = template, tuple(parts)

    def __repr__(self):
        return f"GraphFormula({self.template!r}, {len(self.parts)} parts)"


class GraphParen:
    """An operand put in brackets that grow with it."""

    def __init__(self, part):
        self.part = part

    def __repr__(self):
        return f"GraphParen({self.part!r})"
