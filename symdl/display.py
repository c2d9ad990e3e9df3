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


# -- sum and vector display helpers shared by the neuron and softmax kinds (moved from kinds/neuron.py) --
import math  # noqa: E402

import sympy as sp  # noqa: E402

from symdl.printer import tex, value_tex  # noqa: E402
from symdl.solution import Tex  # noqa: E402

UE = sp.UnevaluatedExpr
MAX_SUM_TERMS_PER_LINE = 6


def display_tex(question, name):
    """Field ``name`` as LaTeX to show on the sheet, checked against the allow-list of macros."""
    from symdl.errors import LatexError
    from symdl.latex_parse import display_latex

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


VECTOR_WRAP = 8     # entries per line of a long vector


def vector_tex(value):
    """(relation, LaTeX) of a column vector written as a transposed row, rounded when inexact.

    A vector longer than VECTOR_WRAP entries is wrapped onto several lines inside the
    brackets (read line by line), so that it fits the page.
    """
    row = sp.Matrix(value).T
    relation, body = value_tex(row)
    if row.cols <= VECTOR_WRAP:
        return relation, Tex(body + "^T")
    cells = [value_tex(v)[1] for v in row]
    lines = [r" \quad ".join(cells[i:i + VECTOR_WRAP]) for i in range(0, len(cells), VECTOR_WRAP)]
    return relation, Tex(r"\left[\begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}\right]^T")


def product(*factors):
    """An unevaluated product of numbers, printed ``a \\cdot b``."""
    return sp.Mul(*[UE(f) for f in factors], evaluate=False)


def num(value) -> str:
    """A float for TikZ/pgfplots coordinates."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("non-finite coordinate")
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


# -- the softmax kind's formulas (printed by symdl.printer._print_SoftmaxFormula) --------------------
class SoftmaxFormula:
    """One of the softmax kind's named formulas (``printer.SOFTMAX_FORMULAS``), its slots filled
    with ``args`` (SymPy objects, numbers, printed math, or a class name shown as text)."""

    def __init__(self, name, *args):
        self.name, self.args = name, tuple(args)

    def __repr__(self):
        return f"SoftmaxFormula({self.name!r}: {str(tex(self))!r})"      # the math as printed


class SoftmaxClassName(str):
    """A class name inside a softmax formula: printed as upright text, TeX's specials escaped."""
