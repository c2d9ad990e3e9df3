"""The conv kind's notation: long sums, one-line quotients, -infinity padding and the window sum of
a convolution, each printing itself.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so these objects need nothing attached to it.
"""

from __future__ import annotations

import sympy


class SumLines:
    """A sum of terms joined by + and - (a term printed with a leading minus is subtracted), each term
    printed as given; ``per_line``: a line break (an aligned continuation) after every that many
    terms, None: one line. No terms: 0."""

    def __init__(self, terms, per_line=None):
        self.terms, self.per_line = tuple(terms), per_line

    def __repr__(self):
        return f"SumLines({len(self.terms)} terms)"

    def _symdl_latex(self, printer):
        out = ""
        for n, term in enumerate(self.terms):
            text = printer._print(term)
            if self.per_line and n and n % self.per_line == 0:
                out += r" \\ &\qquad "
            out += text if n == 0 else (" - " + text[1:].lstrip() if text.startswith("-") else " + " + text)
        return out or "0"


class SlashOf:
    """A quotient on one line, (numerator) / denominator, neither part evaluated."""

    def __init__(self, numerator, denominator):
        self.numerator, self.denominator = numerator, denominator

    def __repr__(self):
        return f"SlashOf({self.numerator}, {self.denominator})"

    def _symdl_latex(self, printer):
        return r"\left(" + printer._print(self.numerator) + r"\right) / " + printer._print(self.denominator)


class MinusInfinity(sympy.Symbol):
    """Negative infinity as a matrix entry that is shown, not computed with (a max-pool's padding)."""

    def __new__(cls, name="minus_infinity", **assumptions):
        return super().__new__(cls, name, **assumptions)

    def _symdl_latex(self, printer):
        return r"-\infty"


def _window_index(s, d, i, u):
    """The padded-input row (or column) under kernel entry u of output i: s(i-1) + d(u-1) + 1."""
    if s == 1 and d == 1:
        return f"{i}+{u}-1"
    return (f"{s}" if s > 1 else "") + f"({i}-1)+" + (f"{d}" if d > 1 else "") + f"({u}-1)+1"


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

    def _symdl_latex(self, printer):
        f = "^{(f)}" if self.filters else ""
        bias = "b_f + " if self.filters else ("b + " if self.bias else "")
        return (r"Y_{i,j}" + f + " = " + bias + (r"\sum_{c}" if self.channels else "") + r"\sum_{u,v} K" + f +
                (r"_{c,u,v}" if self.channels else "_{u,v}") + r"\, \tilde{X}" +
                (r"_{c,\," if self.channels else "_{") +
                _window_index(self.stride[0], self.dilation[0], "i", "u") + r",\, " +
                _window_index(self.stride[1], self.dilation[1], "j", "v") + "}")
