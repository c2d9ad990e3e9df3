"""Display objects: what a kind shows where SymPy has no object of its own (printed by symdl.printer).

A kind builds these and puts them in steps, text and table cells; the printer
(``SymdlPrinter._print_<Class>``) writes their LaTeX, so no kind writes LaTeX itself. This module
builds on the printer; the printer never imports it (the few objects it takes apart are in
symdl/display_base.py, named here too).
"""

from __future__ import annotations

import math

import sympy
import sympy as sp

from symdl.display_base import GraphFormula, GraphParen, SoftmaxClassName  # noqa: F401  (kinds import them here)
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


# -- training log ---------------------------------------------------------------------------------
class LogEpochSpan(sympy.Symbol):
    """The number of epochs between two rows of a training log, shown as Delta e."""

    def __new__(cls, **assumptions):
        return super().__new__(cls, "Delta_e", **assumptions)

    def __getnewargs_ex__(self):
        return (), dict(self.assumptions0)


class LogIterationBound:
    """What a log row says of the iterations per epoch I.

    ``side="row"``: (e-1) I < i <= e I; ``"lower"``: I >= ceil(i/e); ``"upper"``:
    I <= floor((i-1)/(e-1)); with ``i``, ``e`` and ``value`` the numbers and the value.
    """

    def __init__(self, side, i=None, e=None, value=None):
        self.side, self.i, self.e, self.value = side, i, e, value

    def __repr__(self):
        return f"LogIterationBound({self.side!r}, {self.i}, {self.e}, {self.value})"


class LogSetSize:
    """The training-set size N: lo <= N <= hi, or (no bounds) N approx I B."""

    def __init__(self, lo=None, hi=None):
        self.lo, self.hi = lo, hi

    def __repr__(self):
        return f"LogSetSize({self.lo}, {self.hi})"


class LogFitSums:
    """The four sums of a least-squares line, each named, written as a sum and valued."""

    def __init__(self, sx, sy, sxx, sxy):
        self.values = (sx, sy, sxx, sxy)

    def __repr__(self):
        return "LogFitSums(" + ", ".join(map(str, self.values)) + ")"


class LogFitTerm:
    """One named term of a least-squares fit and its value: ``"sse"``, ``"intercept"`` or ``"centered"``."""

    def __init__(self, name, value):
        if name not in ("sse", "intercept", "centered"):
            raise ValueError(f"unknown fit term {name!r}")
        self.name, self.value = name, value

    def __repr__(self):
        return f"LogFitTerm({self.name!r}, {self.value})"


class LogTCritical:
    """A one-sided t critical value, approx ``value``: t_{level, df} when both are given, else t_crit."""

    def __init__(self, value, level=None, df=None):
        self.value, self.level, self.df = value, level, df

    def __repr__(self):
        return f"LogTCritical({self.value}, {self.level}, {self.df})"


class LogCompoundRate:
    """(last / first)^(1/span) - 1 with the power's base and exponent kept as given (unevaluated)."""

    def __init__(self, last, first, span):
        self.last, self.first, self.span = last, first, span

    def __repr__(self):
        return f"LogCompoundRate({self.last}, {self.first}, {self.span})"


class LogFixed:
    """A number shown with a fixed number of decimals (a rounded table value)."""

    def __init__(self, value, decimals=2):
        self.value, self.decimals = value, decimals

    def __repr__(self):
        return f"LogFixed({self.value}, {self.decimals})"


# -- added for the conv kind --------------------------------------------------------------------------

class SumLines:
    """A sum of terms joined by + and - (a term printed with a leading minus is subtracted), each term
    printed as given; ``per_line``: a line break (an aligned continuation) after every that many
    terms, None: one line. No terms: 0."""

    def __init__(self, terms, per_line=None):
        self.terms, self.per_line = tuple(terms), per_line

    def __repr__(self):
        return f"SumLines({len(self.terms)} terms)"


class SlashOf:
    """A quotient on one line, (numerator) / denominator, neither part evaluated."""

    def __init__(self, numerator, denominator):
        self.numerator, self.denominator = numerator, denominator

    def __repr__(self):
        return f"SlashOf({self.numerator}, {self.denominator})"


class PartialOf:
    """The derivative of ``of`` with respect to ``wrt`` (both symbols): d of / d wrt written with
    partial signs, on one line with a slash, or as a fraction (``fraction=True``)."""

    def __init__(self, of, wrt, *, fraction=False):
        self.of, self.wrt, self.fraction = of, wrt, fraction

    def __repr__(self):
        return f"PartialOf({self.of}, {self.wrt})"


class MinusInfinity(sympy.Symbol):
    """Negative infinity as a matrix entry that is shown, not computed with (a max-pool's padding)."""

    def __new__(cls, name="minus_infinity", **assumptions):
        return super().__new__(cls, name, **assumptions)


class ConvWindowSum:
    """The general window sum of a 2-D convolution, Y_{i,j} = b + sum_c sum_{u,v} K_{c,u,v} X~_{c, row, col},
    with the padded input's row s(i-1) + d(u-1) + 1 (and column likewise) for the given stride and
    dilation; ``channels``: a sum over input channels; ``filters``: the filter index f on Y, K and b;
    ``bias``: the bias added."""

    def __init__(self, *, channels, filters, bias, stride, dilation):
        self.channels, self.filters, self.bias = channels, filters, bias
        self.stride, self.dilation = tuple(stride), tuple(dilation)

    def __repr__(self):
        return f"ConvWindowSum(stride={self.stride}, dilation={self.dilation})"


MAX_SUM_TERMS_PER_LINE = 6

# -- vector, sum and number helpers shared by the neuron and softmax kinds (moved from kinds/neuron) ---

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



# -- neuron-kind display objects: bold vector names, partial derivatives, relation chains --------

class VectorSymbol(sympy.Symbol):
    """A vector's name printed bold (W, x, 0 as the zero vector); a SymPy symbol otherwise."""

    def __new__(cls, name, **assumptions):
        return super().__new__(cls, name, **assumptions)


class PartialSymbol(sympy.Symbol):
    """A partial derivative d(top)/d(bottom) as one symbol; ``bottom`` may be a VectorSymbol.

    ``style``: "frac" (a fraction, the default), "slash" (top / bottom inline), "abs" (the
    fraction between absolute-value bars), "slash-abs" (inline between bars).
    """

    def __new__(cls, top, bottom, style="frac", **assumptions):
        bold = isinstance(bottom, VectorSymbol)
        name = f"d {top}/d {'*' if bold else ''}{bottom}|{style}"
        obj = super().__new__(cls, name, **assumptions)
        return obj

    @property
    def parts(self):
        """(top, bottom, bottom is bold, style)."""
        body, _, style = self.name.partition("|")
        top, _, bottom = body[2:].partition("/d ")
        return top, bottom.lstrip("*"), bottom.startswith("*"), style

    def __getnewargs_ex__(self):
        top, bottom, bold, style = self.parts
        return (top, VectorSymbol(bottom) if bold else bottom, style), dict(self.assumptions0)


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


class MathText:
    """Words inside a formula (an upright text box), e.g. the left side 'active fraction'."""

    def __init__(self, text):
        self.text = str(text)

    def __repr__(self):
        return self.text


class BoxOf:
    """A box of intervals: ``BoxOf(0, 1, power=3)`` shows [0, 1]^3; ``BoxOf(lows, highs)`` joins with x."""

    def __init__(self, lows, highs, power=None):
        self.power = power
        self.lows = tuple(lows) if isinstance(lows, (list, tuple)) else (lows,)
        self.highs = tuple(highs) if isinstance(highs, (list, tuple)) else (highs,)

    def __repr__(self):
        return str(tex(self))


class NormOf(sympy.Function):
    """The Euclidean norm ||v||_2 of a vector name, kept unevaluated."""

    nargs = 1


class ProbOf:
    """P(condition) with the condition a RelationChain's items: ``ProbOf(z, ">", 0)``."""

    def __init__(self, *condition):
        self.condition = RelationChain(*condition)

    def __repr__(self):
        return str(tex(self))


class CasesOf:
    """A definition by cases: ``CasesOf((1, cond1), (0, cond2))``, each condition any math object."""

    def __init__(self, *cases):
        self.cases = tuple(cases)

    def __repr__(self):
        return str(tex(self))


# -- added for the softmax kind ------------------------------------------------------------------

UE = sp.UnevaluatedExpr



class SoftmaxFormula:
    """One of the softmax kind's named formulas (``printer.SOFTMAX_FORMULAS``), its slots filled
    with ``args`` (SymPy objects, numbers, printed math, or a class name shown as text)."""

    def __init__(self, name, *args):
        self.name, self.args = name, tuple(args)

    def __repr__(self):
        return f"SoftmaxFormula({self.name!r}: {str(tex(self))!r})"      # the math as printed



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


# -- the neuron kind's formulas (printer_display.NEURON_FORMULAS; @1, @2 are the slots) and sums ---
class NeuronFormula(SoftmaxFormula):
    """One of the neuron kind's named formulas, its slots filled with ``args`` (math or plain pieces)."""


class BracketedValue(sympy.Symbol):
    """A number put into a formula in place of a symbol, shown as printed (its name) in brackets."""


class CornerSum:
    """The inclusion-exclusion sum over a cube's corners, numbers put in: ``lead`` ("" or "1 - "),
    the dimension ``k``, the weights ``c``, the (sigma, signed count) ``terms`` below ``r``."""

    def __init__(self, lead, k, c, terms, r):
        self.lead, self.k, self.c, self.terms, self.r = lead, k, tuple(c), tuple(terms), r
