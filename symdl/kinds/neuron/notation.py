"""The neuron kind's notation: bold vector names, partial derivatives, boxes, norms, probabilities,
cases, its named formulas and the corner sum of a box's volume, each printing itself.

The printer (symdl.notation.printer.SymdlPrinter) calls an object's ``_symdl_latex(printer)`` before any
``_print_<Class>`` of its own, so these objects need nothing attached to it.
"""

from __future__ import annotations

import sympy
import sympy as sp

from symdl.notation.display import NamedFormula, RelationChain
from symdl.notation.printer import terminating_decimal, tex, text_in_math, value_tex
from symdl.solution import Tex


class VectorSymbol(sympy.Symbol):
    """A vector's name printed bold (W, x, 0 as the zero vector); a SymPy symbol otherwise."""

    def __new__(cls, name, **assumptions):
        return super().__new__(cls, name, **assumptions)

    def _symdl_latex(self, printer):
        name = self.name
        cut = min((i for i in (name.find("_"), name.find("^")) if i > 0), default=len(name))
        return r"\mathbf{" + name[:cut] + "}" + name[cut:]


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

    def _symdl_latex(self, printer):
        top, bottom, bold, style = self.parts
        bottom = r"\mathbf{" + bottom + "}" if bold else bottom
        if style.startswith("slash"):
            body = rf"\partial {top}/\partial {bottom}"
            return r"\left|" + body + r"\right|" if style == "slash-abs" else body
        body = r"\frac{\partial " + top + r"}{\partial " + bottom + "}"
        return r"\left|" + body + r"\right|" if style == "abs" else body


class MathText:
    """Words inside a formula (an upright text box), e.g. the left side 'active fraction'."""

    def __init__(self, text):
        self.text = str(text)

    def __repr__(self):
        return self.text

    def _symdl_latex(self, printer):
        return text_in_math(self.text)


class BoxOf:
    """A box of intervals: ``BoxOf(0, 1, power=3)`` shows [0, 1]^3; ``BoxOf(lows, highs)`` joins with x."""

    def __init__(self, lows, highs, power=None):
        self.power = power
        self.lows = tuple(lows) if isinstance(lows, (list, tuple)) else (lows,)
        self.highs = tuple(highs) if isinstance(highs, (list, tuple)) else (highs,)

    def __repr__(self):
        return str(tex(self))

    def _symdl_latex(self, printer):
        def interval(lo, hi):
            return f"[{tex(lo)}, {tex(hi)}]"
        if self.power is not None:
            return interval(self.lows[0], self.highs[0]) + "^{" + str(self.power) + "}"
        return r" \times ".join(interval(lo, hi) for lo, hi in zip(self.lows, self.highs))


class NormOf(sympy.Function):
    """The Euclidean norm ||v||_2 of a vector name, kept unevaluated."""

    nargs = 1

    def _symdl_latex(self, printer):
        return r"\lVert " + printer._print(self.args[0]) + r" \rVert_2"


class ProbOf:
    """P(condition) with the condition a RelationChain's items: ``ProbOf(z, ">", 0)``."""

    def __init__(self, *condition):
        self.condition = RelationChain(*condition)

    def __repr__(self):
        return str(tex(self))

    def _symdl_latex(self, printer):
        return "P(" + tex(self.condition) + ")"


class CasesOf:
    """A definition by cases: ``CasesOf((1, cond1), (0, cond2))``, each condition any math object."""

    def __init__(self, *cases):
        self.cases = tuple(cases)

    def __repr__(self):
        return str(tex(self))

    def _symdl_latex(self, printer):
        rows = r" \\ ".join(tex(value) + " & " + tex(condition) for value, condition in self.cases)
        return r"\begin{cases} " + rows + r" \end{cases}"


class NeuronFormula(NamedFormula):
    """One of the neuron kind's named formulas (NEURON_FORMULAS), its slots filled with ``args``
    (math or plain pieces)."""


class BracketedValue(sympy.Symbol):
    """A number put into a formula in place of a symbol, shown as printed (its name) in brackets."""

    def _symdl_latex(self, printer):
        return r"\left(" + self.name + r"\right)"


class CornerSum:
    """The inclusion-exclusion sum over a cube's corners, numbers put in: ``lead`` ("" or "1 - "),
    the dimension ``k``, the weights ``c``, the (sigma, signed count) ``terms`` below ``r``."""

    def __init__(self, lead, k, c, terms, r):
        self.lead, self.k, self.c, self.terms, self.r = lead, k, tuple(c), tuple(terms), r

    def _symdl_latex(self, printer):
        """(lead) 1/(k! prod c) ( sum of signed counts times (r - sigma)^k ), broken into aligned lines."""
        k, body = self.k, ""
        for i, (sigma, weight) in enumerate(self.terms):
            rest = self.r - sigma
            rest = rest if rest.is_Rational else sympy.Float(float(rest), 5)
            piece = r"\left(" + tex(rest) + r"\right)^{" + str(k) + "}"
            count = "" if abs(weight) == 1 else str(abs(weight)) + r"\,"
            if i and i % (6 if k <= 6 else 4) == 0:
                body += r" \\ &\qquad "
            sign = ("-" if weight < 0 else "") if i == 0 else f" {'-' if weight < 0 else '+'} "
            body += sign + count + piece
        c_prod = sympy.Mul(*self.c)
        prod = (r" \cdot ".join(tex(ci) for ci in self.c) if k <= 8
                else tex(c_prod) if value_tex(c_prod)[0] == "=" else r"\prod_i c_i")
        return self.lead + r"\frac{1}{" + str(k) + r"! \cdot " + prod + r"}\Big(" + body + r"\Big)"


# @1, @2 are the slots
NEURON_FORMULAS = {
    "times": r"@1 \cdot @2",
    "pre_activation_at": r"\mathbf{W}^T\mathbf{x}@1 + b",
    "x_prime": r"\mathbf{x}'",
    "tanh_tail": r"1 - \tanh^2(@1) = \frac{1}{\cosh^2(@1)}",
    "zsat_sigmoid": r"\ln\frac{1 + \sqrt{1 - 4\tau}}{1 - \sqrt{1 - 4\tau}}",
    "zsat_tanh": r"\operatorname{artanh}\sqrt{1 - \tau}",
    "slab": r"\{\mathbf{x} : |\mathbf{W}^T\mathbf{x} + b| < z_{\mathrm{sat}}\} = \{\mathbf{x} : |@1| < @2\}",
    "slab_long": r"\begin{aligned} &\{\mathbf{x} : |\mathbf{W}^T\mathbf{x} + b| < z_{\mathrm{sat}}\} \\ &= "
                 r"\{\mathbf{x} : \big|@1\big| < @2\}\end{aligned}",
    "half_space": r"\{\mathbf{x} : \mathbf{W}^T\mathbf{x} + b > 0\} = \{\mathbf{x} : @1 > 0\}",
    "half_space_long": r"\begin{aligned} &\{\mathbf{x} : \mathbf{W}^T\mathbf{x} + b > 0\} \\ &= "
                       r"\{\mathbf{x} : @1 > 0\}\end{aligned}",
    "witness": r"\mathbf{x}_0 @1 @2.",
    "x_star_i": r"x^*_i",
    "x_star": r"\mathbf{x}^*",
    "x_max": r"\mathbf{x}_{\max}",
    "x_rel": r"x_i = x^*_i \mp (u_i - l_i)\, v_i",
    "z_rel": r"z = z_{\max} - \sum_i c_i v_i",
    "c_def": r"c_i = |W_i|\,(u_i - l_i)",
    "plane": r"\sum_i c_i v_i = r",
    "F_def": r"F(r) = \operatorname{vol}\Big\{\mathbf{v} \in [0,1]^k : \sum_i c_i v_i < r\Big\} = "
             r"\frac{1}{k!\,\prod_i c_i} \sum_{S \subseteq \{1,\dots,k\}} (-1)^{|S|}"
             r"\Big(r - \sum_{i \in S} c_i\Big)_+^{\,k}",
    "sum_c": r"\sum_i c_i",
    "v_flip": r"v_i \to 1 - v_i",
    "F_flip": r"F(r) = 1 - F\big(\textstyle\sum_i c_i - r\big)",
    "sum_c_minus_r": r"\sum_i c_i - r @1",
    "F_closed": r"@1\frac{1}{@2!\,\prod_i c_i}\sum_S (-1)^{|S|}\Big(@3 - \sum_{i \in S} c_i\Big)_+^{\,@2}",
    # the parameter update (issue 13): one step of SGD, momentum or Adam
    "sgd": r"@1 - \eta\, @2",
    "velocity": r"\mu\, @1 + @2",
    "adam_m": r"\beta_1 @1 + (1 - \beta_1)\, @2",
    "adam_v": r"\beta_2 @1 + (1 - \beta_2) \left(@2\right)^{\odot 2}",
    "adam_hat": r"\frac{@1}{1 - @2^{@3}}",
    "adam_step": r"@1 - \eta\, \frac{@2}{\sqrt{@3} + \epsilon}",
    "new": r"@1'",
    "state": r"@1_{@2}",
    "new_state": r"@1'_{@2}",
    "hat_state": r"\hat{@1}_{@2}",
    "decayed": r"@1 + \lambda\, @2",
    "minus_times": r"@1 - @2 \cdot @3",
    "lin_comb": r"@1 \cdot @2 + @3 \cdot @4",
    "mu_sub": r"@1 \cdot @2 + @3",
    "lin_comb_sq": r"@1 \cdot @2 + @3 \cdot @4^{\odot 2}",
    "pow10": r"10^{@1}",
    "adam_sub": r"@1 - @2 \cdot \frac{@3}{\sqrt{@4} + @5}",
    "z_new": r"\mathbf{W}'^T \mathbf{x} + b'",
    "paren": r"\left(@1\right)",
    "A_of": r"A\left(@1\right)",
}

NeuronFormula.TABLE = NEURON_FORMULAS


# -- numbers and sums written into the neuron's sentences and formulas (moved from symdl/notation/display.py) --

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


def prose_tex(value, sig=5) -> Tex:
    """A value inside a sentence: the exact decimal, or ``\\approx`` and the rounded value."""
    relation, body = value_tex(value, sig)
    return Tex(body if relation == "=" else r"\approx " + body)


def pct_tex(fraction) -> Tex:
    """A fraction as a percentage inside a sentence."""
    return Tex(prose_tex(fraction * 100) + r"\,\%")
