"""Shared display objects: what more than one kind shows where SymPy has no object of its own.

A kind builds these and puts them in steps, text and table cells; the printer writes their LaTeX
(``SymdlPrinter._print_<Class>``, symdl/printer_display.py), so no kind writes LaTeX itself. A
display object used by one kind only lives in that kind's package (``symdl/kinds/<kind>/notation.py``)
and prints itself: the printer calls an object's ``_symdl_latex(printer)`` first (SymPy's
``printmethod``). ``NamedFormula`` is the shared base of a kind's table of named formulas. This
module builds on the printer; the printer never imports it (the few objects it takes apart are in
symdl/display_base.py, named here too).
"""

from __future__ import annotations

import math
import re

import sympy
import sympy as sp

from symdl.display_base import GraphFormula, GraphParen  # noqa: F401  (kinds import them here)
from symdl.printer import tex, terminating_decimal, value_tex, vector_tex  # noqa: F401  (vector_tex: the kinds' name)
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


class FloorOf(sympy.Function):
    """floor(x) kept unevaluated (SymPy's own floor evaluates its argument's assumptions)."""

    nargs = 1


class CeilOf(sympy.Function):
    """ceil(x) kept unevaluated."""

    nargs = 1


class MaxOf(sympy.Function):
    """max(a, b) kept unevaluated."""


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


class LogFixed:
    """A number shown with a fixed number of decimals (a rounded table value)."""

    def __init__(self, value, decimals=2):
        self.value, self.decimals = value, decimals

    def __repr__(self):
        return f"LogFixed({self.value}, {self.decimals})"


class PartialOf:
    """The derivative of ``of`` with respect to ``wrt`` (both symbols): d of / d wrt written with
    partial signs, on one line with a slash, or as a fraction (``fraction=True``)."""

    def __init__(self, of, wrt, *, fraction=False):
        self.of, self.wrt, self.fraction = of, wrt, fraction

    def __repr__(self):
        return f"PartialOf({self.of}, {self.wrt})"


MAX_SUM_TERMS_PER_LINE = 6

# -- vector, sum and number helpers shared by the neuron and softmax kinds (moved from kinds/neuron) ---

def display_tex(question, name):
    """Field ``name`` as LaTeX to show on the sheet, checked against the allow-list of macros."""
    from symdl.errors import LatexError
    from symdl.input.latex import display_latex

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


def linear_tex(coeffs, symbols, const=None, per_line=None) -> Tex:
    """``c_1 s_1 + c_2 s_2 + ... + const`` with signs folded and zero terms dropped.

    With ``per_line``, an aligned line break follows every ``per_line`` terms.
    """
    out = ""
    count = 0
    for c, sym in zip(coeffs, symbols):
        if c == 0:
            continue
        if per_line and count and count % per_line == 0:
            out += r" \\ &\quad "
        count += 1
        mag = "" if abs(c) == 1 else tex(abs(c)) + r"\, "
        sign = "-" if c < 0 else "+"
        out += (("-" if sign == "-" else "") if not out else f" {sign} ") + mag + tex(sym)
    if const is not None and (const != 0 or not out):
        c_text = tex(abs(const)) if out else tex(const)
        out += (f" {'-' if const < 0 else '+'} " + c_text) if out else c_text
    return Tex(out)


def _plain_number(value) -> str:
    """A number for a plain-text sentence: its exact decimal, else 6 significant digits."""
    text = terminating_decimal(value) if sp.sympify(value).is_Rational else None
    return text if text is not None else f"{float(value):.6g}"


def result_tex(value):
    """(relation, LaTeX) for a result; a non-terminating fraction is shown exactly, then rounded."""
    relation, body = value_tex(value)
    value = sp.sympify(value)
    if relation != "=" and isinstance(value, sp.Rational) and value.q < 10**6:
        return "=", Tex(sp.latex(value) + r" \approx " + body)
    return relation, body


def _factor_tex(value) -> str:
    """A number printed as a factor: bracketed when negative."""
    text = tex(value)
    return r"\left(" + text + r"\right)" if text.startswith("-") else text


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


def prose_tex(value, sig=5) -> Tex:
    """A value inside a sentence: the exact decimal, or ``\\approx`` and the rounded value."""
    relation, body = value_tex(value, sig)
    return Tex(body if relation == "=" else r"\approx " + body)


def pct_tex(fraction) -> Tex:
    """A fraction as a percentage inside a sentence."""
    return Tex(prose_tex(fraction * 100) + r"\,\%")


def approx_tex(value, sig=5) -> Tex:
    """``= v`` or ``\\approx v`` for a value shown inside a sentence."""
    relation, body = value_tex(value, sig)
    return Tex(f"{relation} {body}")


# -- values and relations shown inside formulas -----------------------------------------------------


# Relations a RelationChain may hold between its terms, by name.
RELATIONS = ("=", "<", ">", "<=", ">=", "!=", "<-", ":", "in", "~", "-")


class ValueShown:
    """``= v`` for an exact decimal, else ``~ v`` rounded to ``sig`` digits (the relation included)."""

    def __init__(self, value, sig=5, bare=False):
        self.value, self.sig, self.bare = value, sig, bare     # bare: the number only, no relation

    def __repr__(self):
        return str(tex(self))           # as printed: the numbers a reader of the sheet sees


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


class VectorShown:
    """A column vector shown as a transposed row (wrapped when long), rounded when inexact.

    ``relation=True`` puts its own ``=`` or ``~`` in front (as ValueShown does for a number).
    """

    def __init__(self, value, relation=False):
        self.value, self.relation = value, relation

    def __repr__(self):
        return str(tex(self))


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
