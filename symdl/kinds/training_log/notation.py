"""The training-log kind's notation: the epoch span, what a row says of the iterations per epoch,
the training-set size, a least-squares fit's sums and terms, a t critical value and a compound rate,
each printing itself.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so these objects need nothing attached to it.
"""

from __future__ import annotations

import sympy


class LogEpochSpan(sympy.Symbol):
    """The number of epochs between two rows of a training log, shown as Delta e."""

    def __new__(cls, **assumptions):
        return super().__new__(cls, "Delta_e", **assumptions)

    def __getnewargs_ex__(self):
        return (), dict(self.assumptions0)

    def _symdl_latex(self, printer):
        return r"\Delta e"


class LogIterationBound:
    """What a log row says of the iterations per epoch I.

    ``side="row"``: (e-1) I < i <= e I; ``"lower"``: I >= ceil(i/e); ``"upper"``:
    I <= floor((i-1)/(e-1)); with ``i``, ``e`` and ``value`` the numbers and the value.
    """

    def __init__(self, side, i=None, e=None, value=None):
        self.side, self.i, self.e, self.value = side, i, e, value

    def __repr__(self):
        return f"LogIterationBound({self.side!r}, {self.i}, {self.e}, {self.value})"

    def _symdl_latex(self, printer):
        if self.side == "row":
            return r"(e-1)\,I < i \le e\,I"
        if self.side == "lower":
            if self.i is None:
                return r"I \ge \lceil i/e \rceil"
            return rf"I \ge \lceil {self.i}/{self.e} \rceil = {self.value}"
        if self.i is None:
            return r"I \le \lfloor (i-1)/(e-1) \rfloor"
        return rf"I \le \lfloor {self.i - 1}/{self.e - 1} \rfloor = {self.value}"


class LogSetSize:
    """The training-set size N: lo <= N <= hi, or (no bounds) N approx I B."""

    def __init__(self, lo=None, hi=None):
        self.lo, self.hi = lo, hi

    def __repr__(self):
        return f"LogSetSize({self.lo}, {self.hi})"

    def _symdl_latex(self, printer):
        if self.lo is None:
            return r"N \approx I\,B"
        return printer._print(self.lo) + r" \le N \le " + printer._print(self.hi)


class LogFitSums:
    """The four sums of a least-squares line, each named, written as a sum and valued."""

    def __init__(self, sx, sy, sxx, sxy):
        self.values = (sx, sy, sxx, sxy)

    def __repr__(self):
        return "LogFitSums(" + ", ".join(map(str, self.values)) + ")"

    def _symdl_latex(self, printer):
        sx, sy, sxx, sxy = (printer._print(v) for v in self.values)
        return (r"S_x = \sum x_k = " + sx + r",\ S_y = \sum y_k = " + sy
                + r",\ S_{xx} = \sum x_k^2 = " + sxx + r",\ S_{xy} = \sum x_k y_k = " + sxy)


_FIT_TERMS = {"sse": r"SSE = \sum (y_k - a - b x_k)^2 = ", "intercept": "a = ",
              "centered": r"S_{xx}^{c} = S_{xx} - S_x^2/n = "}


class LogFitTerm:
    """One named term of a least-squares fit and its value: ``"sse"``, ``"intercept"`` or ``"centered"``."""

    def __init__(self, name, value):
        if name not in _FIT_TERMS:
            raise ValueError(f"unknown fit term {name!r}")
        self.name, self.value = name, value

    def __repr__(self):
        return f"LogFitTerm({self.name!r}, {self.value})"

    def _symdl_latex(self, printer):
        return _FIT_TERMS[self.name] + printer._print(self.value)


class LogTCritical:
    """A one-sided t critical value, approx ``value``: t_{level, df} when both are given, else t_crit."""

    def __init__(self, value, level=None, df=None):
        self.value, self.level, self.df = value, level, df

    def __repr__(self):
        return f"LogTCritical({self.value}, {self.level}, {self.df})"

    def _symdl_latex(self, printer):
        value = printer._print(self.value)
        if self.level is None:
            return r"t_{crit} \approx " + value
        return "t_{" + printer._print(self.level) + r",\," + str(self.df) + r"} \approx " + value


class LogCompoundRate:
    """(last / first)^(1/span) - 1 with the power's base and exponent kept as given (unevaluated)."""

    def __init__(self, last, first, span):
        self.last, self.first, self.span = last, first, span

    def __repr__(self):
        return f"LogCompoundRate({self.last}, {self.first}, {self.span})"

    def _symdl_latex(self, printer):
        return (r"\left(\frac{" + printer._print(self.last) + "}{" + printer._print(self.first) + r"}\right)^{1/"
                + printer._print(self.span) + "} - 1")
