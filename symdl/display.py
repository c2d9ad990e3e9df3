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
