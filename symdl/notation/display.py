"""Shared display objects: what more than one kind shows where SymPy has no object of its own.

A kind builds these and puts them in steps, text and table cells; each prints itself through
``_symdl_latex(printer)``, which the printer (symdl/notation/printer.py, SymPy's ``printmethod``)
calls before any ``_print_<Class>`` of its own, so no kind writes LaTeX itself and nothing is
attached to the printer from outside. A display object used by one kind only lives in that kind's
package (``symdl/kinds/<kind>/notation.py``) and prints itself the same way. ``NamedFormula`` is
the shared base of a kind's table of named formulas. This module builds on the printer; the
printer never imports it.
"""

from __future__ import annotations

import math
import re

import sympy
import sympy as sp

from symdl.errors import LatexError
from symdl.input.latex import display_latex
from symdl.notation.printer import tex, value_tex, vector_tex  # noqa: F401  (vector_tex: the kinds' name)
from symdl.solution import Tex


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

    def _symdl_latex(self, printer):
        base, sub, accent = self.parts
        out = rf"\mathrm{{{base}}}" if len(base) > 1 else base
        if accent == "tilde":
            out = rf"\tilde{{{out}}}"
        if sub:
            out += r"_{\mathrm{" + sub.replace("_", r"\_") + "}}"
        return out


def _raised(text, exp):
    """A function's LaTeX to the power ``exp`` (SymPy's printer hands a function's power down as ``exp``)."""
    return text if exp is None else rf"{text}^{{{exp}}}"


class FloorOf(sympy.Function):
    """floor(x) kept unevaluated (SymPy's own floor evaluates its argument's assumptions)."""

    nargs = 1

    def _symdl_latex(self, printer, exp=None):
        return _raised(r"\left\lfloor " + printer._print(self.args[0]) + r" \right\rfloor", exp)


class CeilOf(sympy.Function):
    """ceil(x) kept unevaluated."""

    nargs = 1

    def _symdl_latex(self, printer, exp=None):
        return _raised(r"\left\lceil " + printer._print(self.args[0]) + r" \right\rceil", exp)


class MaxOf(sympy.Function):
    """max(a, b) kept unevaluated."""

    def _symdl_latex(self, printer, exp=None):
        return _raised(r"\max\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)", exp)


class Percent:
    """A share in per cent; ``approx``: shown rounded to ``sig`` digits after an approx sign."""

    def __init__(self, value, *, approx=False, sig=3):
        self.value, self.approx, self.sig = value, approx, sig

    def __repr__(self):
        return f"Percent({self.value})"

    def _symdl_latex(self, printer):
        if self.approx:
            return r"\approx " + tex(self.value, sig_digits=self.sig, approximate=True) + r"\,\%"
        return printer._print(sympy.sympify(self.value)) + r"\,\%"


class LogFixed:
    """A number shown with a fixed number of decimals (a rounded table value)."""

    def __init__(self, value, decimals=2):
        self.value, self.decimals = value, decimals

    def __repr__(self):
        return f"LogFixed({self.value}, {self.decimals})"

    def _symdl_latex(self, printer):
        return f"{float(self.value):.{self.decimals}f}"


class PartialOf:
    """The derivative of ``of`` with respect to ``wrt`` (both symbols): d of / d wrt written with
    partial signs, on one line with a slash, or as a fraction (``fraction=True``)."""

    def __init__(self, of, wrt, *, fraction=False):
        self.of, self.wrt, self.fraction = of, wrt, fraction

    def __repr__(self):
        return f"PartialOf({self.of}, {self.wrt})"

    def _symdl_latex(self, printer):
        of, wrt = printer._print(self.of), printer._print(self.wrt)
        if self.fraction:
            return r"\frac{\partial " + of + r"}{\partial " + wrt + "}"
        return r"\partial " + of + r" / \partial " + wrt


MAX_SUM_TERMS_PER_LINE = 6

# -- vector, sum and number helpers shared by the neuron and softmax kinds (moved from kinds/neuron) ---

def display_tex(question, name):
    """Field ``name`` as LaTeX to show on the sheet, checked against the allow-list of macros."""
    try:
        return Tex(display_latex(question.get(name, str)))
    except LatexError as exc:
        raise question.error(name, exc.message) from None


def sum_tex(terms, per_line=MAX_SUM_TERMS_PER_LINE) -> Tex:
    """A sum of printed terms, ``+``/``-`` joined, broken into aligned lines when long."""
    out = ""
    for i, term in enumerate(terms):
        text = tex(term)
        if i and i % per_line == 0:
            out += r" \\ &\qquad "
        if i == 0:
            out += text
        elif text.startswith("-"):
            out += " - " + text[1:].lstrip()
        else:
            out += " + " + text
    return Tex(out)


def product(*factors):
    """An unevaluated product of numbers, printed ``a \\cdot b``."""
    return sp.Mul(*[sp.UnevaluatedExpr(f) for f in factors], evaluate=False)


def num(value) -> str:
    """A float for TikZ/pgfplots coordinates."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("non-finite coordinate")
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


# -- values and relations shown inside formulas -----------------------------------------------------


# Relations a RelationChain may hold between its terms, by name, and their LaTeX.
RELATION_TEX = {"-": "-", "=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne",
                "<-": r"\leftarrow", ":": ":", "in": r"\in", "~": r"\approx"}
RELATIONS = tuple(RELATION_TEX)


class ValueShown:
    """``= v`` for an exact decimal, else ``~ v`` rounded to ``sig`` digits (the relation included)."""

    def __init__(self, value, sig=5, bare=False):
        self.value, self.sig, self.bare = value, sig, bare     # bare: the number only, no relation

    def __repr__(self):
        return str(tex(self))           # as printed: the numbers a reader of the sheet sees

    def _symdl_latex(self, printer):
        relation, body = value_tex(self.value, self.sig)
        return str(body) if self.bare else f"{relation} {body}"


class RelationChain:
    """Terms joined by relations: ``RelationChain(z, "=", 0.5, ">", 0)`` shows z = 0.5 > 0.

    A string item is a relation name (one of RELATIONS); any other item is math (SymPy, a
    display object, or a ValueShown, which brings its own relation). Items are joined by spaces.
    """

    def __init__(self, *items):
        for item in items:
            if isinstance(item, str) and not hasattr(item, "latex") and item not in RELATIONS:
                if type(item) is str:
                    raise ValueError(f"unknown relation {item!r} (known: {', '.join(RELATIONS)})")
        self.items = tuple(items)

    def __repr__(self):
        return str(tex(self))           # as printed: the numbers a reader of the sheet sees

    def _symdl_latex(self, printer):
        return " ".join(RELATION_TEX[item] if isinstance(item, str) and not isinstance(item, Tex) else tex(item)
                        for item in self.items)


class VectorShown:
    """A column vector shown as a transposed row (wrapped when long), rounded when inexact.

    ``relation=True`` puts its own ``=`` or ``~`` in front (as ValueShown does for a number).
    """

    def __init__(self, value, relation=False):
        self.value, self.relation = value, relation

    def __repr__(self):
        return str(tex(self))

    def _symdl_latex(self, printer):
        relation, body = vector_tex(self.value)
        return f"{relation} {body}" if self.relation else str(body)


UE = sp.UnevaluatedExpr


class NamedFormula:
    """One of a kind's named formulas: ``TABLE[name]`` (the kind's table, set on its subclass), each
    slot @1, @2, ... filled with ``args`` (SymPy objects, numbers, printed math or plain pieces)."""

    TABLE: dict = {}

    def __init__(self, name, *args):
        self.name, self.args = name, tuple(args)

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}: {str(tex(self))!r})"      # the math as printed

    def _slot(self, printer, arg):
        if isinstance(arg, str):             # printed math (Tex) or a literal piece such as "0.1234"
            return arg
        return printer._print(sympy.sympify(arg) if isinstance(arg, int) else arg)

    def _symdl_latex(self, printer):
        return re.sub(r"@([1-9])", lambda m: self._slot(printer, self.args[int(m.group(1)) - 1]),
                      self.TABLE[self.name])


class GraphFormula:
    """A formula written from a display form (``template``: str.format fields {0}, {1}, ...) and its
    operands (names as the printer wrote them, Tex, GraphFormula, GraphParen or any printable): an
    op's display form in the graph kind, an optimizer's update rule in the graph and neuron kinds."""

    def __init__(self, template, *parts):
        self.template, self.parts = template, tuple(parts)

    def __repr__(self):
        return f"GraphFormula({self.template!r}, {len(self.parts)} parts)"

    def _symdl_latex(self, printer):
        """Written without recursion: a graph's function may nest hundreds of ops deep."""
        done = {}
        stack = [self]
        while stack:
            item = stack[-1]
            parts = item.parts if isinstance(item, GraphFormula) else (item.part,)
            pending = [p for p in parts if isinstance(p, (GraphFormula, GraphParen)) and id(p) not in done]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            shown = [done[id(p)] if isinstance(p, (GraphFormula, GraphParen)) else
                     p if isinstance(p, str) else printer._print(p) for p in parts]
            done[id(item)] = (item.template.format(*shown) if isinstance(item, GraphFormula)
                              else r"\left(" + shown[0] + r"\right)")
        return done[id(self)]


class GraphParen:
    """An operand put in brackets that grow with it."""

    def __init__(self, part):
        self.part = part

    def __repr__(self):
        return f"GraphParen({self.part!r})"

    def _symdl_latex(self, printer):
        return GraphFormula("{0}", self)._symdl_latex(printer)
