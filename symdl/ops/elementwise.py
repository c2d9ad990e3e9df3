"""Rows of the elementwise ops: exp, log, tanh, sigmoid, relu, abs, negation, the four arithmetic
operations, max and min of two operands (a scalar broadcasts), and the power x^c.

relu'(0) follows the exam's subgradient convention; a tie of max or min its tie convention
(symdl/ops/conventions.py).
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symdl.ops.base import HALF, U, Binary, Unary, braced, show_extreme, sign_of
from symdl.ops.conventions import SUBGRADIENTS, tie_shares

ONE, ZERO = sympy.Integer(1), sympy.Integer(0)


def _relu(x):
    """max(0, x) exactly; a rational decided directly (same value SymPy's Max gives)."""
    if isinstance(x, sympy.Rational):
        return x if x.p > 0 else sympy.S.Zero
    return sympy.Max(0, x)


def relu_d(x, y, at_zero=HALF):
    s = sign_of(x)
    return ONE if s > 0 else (at_zero if s == 0 else ZERO)


def _relu_under(row, subgradients, ties):
    at_zero = SUBGRADIENTS[subgradients]["relu"]
    return replace(row, df=lambda x, y: relu_d(x, y, at_zero))


def _abs_d(x, y):
    return sympy.Integer(sign_of(x))


def _sigmoid(x):
    return 1 / (1 + sympy.exp(-x))


def _extreme_d(larger, first, tie):
    """d max(a, b)/da (first) or /db: 1 where that operand wins, ``tie`` at a tie, else 0."""
    def d(a, b, y):
        s = sign_of(a - b) if first else sign_of(b - a)
        if not larger:
            s = -s
        return ONE if s > 0 else (tie if s == 0 else ZERO)
    return d


def _extreme_under(larger):
    def under(row, subgradients, ties):
        share_a, share_b = tie_shares(ties, 2)
        return replace(row, da=_extreme_d(larger, True, share_a), db=_extreme_d(larger, False, share_b))
    return under


def _unary(name, words, f, show, df, df_show, fwd_tex, symbol, text, **facts):
    return Unary(name, words, f, show, df, df_show, fwd_tex, symbol=symbol, text=text, **facts)


UNARY = [
    _unary("exp", "elementwise exponential", sympy.exp, lambda x: sympy.Pow(sympy.E, U(x), evaluate=False),
           lambda x, y: y, r"e^{{{0}}}", r"e^{{{0}}}", r"\exp", "exp", spellings=("exp",),
           call_tex=r"\exp{0}", steep=True),
    _unary("log", "elementwise natural logarithm", sympy.log, lambda x: sympy.log(U(x), evaluate=False),
           lambda x, y: 1 / x, r"\frac{{1}}{{{0}}}", r"\ln {0}", r"\ln", "ln", spellings=("ln", "log")),
    _unary("tanh", "elementwise hyperbolic tangent", sympy.tanh, lambda x: sympy.tanh(U(x), evaluate=False),
           lambda x, y: 1 - y**2, r"1 - \tanh^2 {0}", r"\tanh {0}", r"\tanh", "tanh", spellings=("tanh",),
           sympy_class=sympy.tanh, steep=True),
    _unary("sigmoid", "elementwise logistic sigmoid", _sigmoid,
           lambda x: sympy.Pow(1 + sympy.Pow(sympy.E, -U(x), evaluate=False), -1, evaluate=False),
           lambda x, y: y * (1 - y), r"\sigma({0})\,(1 - \sigma({0}))", r"\sigma({0})", r"\sigma", "σ",
           spellings=("sigma", "sigmoid", "sigm"), steep=True),
    _unary("relu", "elementwise rectifier max(0, .)", _relu, lambda x: sympy.Max(0, U(x), evaluate=False),
           relu_d, r"\mathbf{{1}}[{0} > 0]", r"\max(0, {0})", r"\mathrm{relu}", "relu",
           spellings=("relu", "ReLU", "RELU"), kinks=("subgradient",), under=_relu_under),
    _unary("abs", "elementwise absolute value", sympy.Abs, lambda x: sympy.Abs(U(x), evaluate=False),
           _abs_d, r"\operatorname{{sign}}({0})", r"\lvert {0} \rvert", "|\\cdot|", "|·|", spellings=("abs",),
           sympy_class=sympy.Abs, kinks=("subgradient",)),
    _unary("neg", "negation", lambda x: -x, lambda x: -U(x), lambda x, y: sympy.Integer(-1), r"-1", r"-{0}",
           "-1", "-1"),
]


def power_rule(c):
    """Elementwise x^c for a constant exponent c."""
    c = sympy.nsimplify(c)
    power, lower = braced(sympy.latex(c)), braced(sympy.latex(c - 1))   # \frac{1}{2} is not a field
    return Unary("pow", f"elementwise power x^{c}", lambda x: x**c,
                 lambda x: sympy.Pow(U(x), c, evaluate=False),
                 lambda x, y: c * x**(c - 1), rf"{power}\, {{0}}^{{{{{lower}}}}}",
                 rf"{{0}}^{{{{{power}}}}}", symbol=f"(\\cdot)^{{{sympy.latex(c)}}}", text=f"(·)^{c}")


def _binary(name, words, f, show, da, db, da_tex, db_tex, fwd_tex, symbol, text, **facts):
    return Binary(name, words, f, show, da, db, da_tex, db_tex, fwd_tex, symbol=symbol, text=text, **facts)


def _one(a, b, y):
    return ONE


BINARY = [
    _binary("add", "addition", lambda a, b: a + b, lambda a, b: sympy.Add(U(a), U(b), evaluate=False),
            _one, _one, "1", "1", "{0} + {1}", "+", "+"),
    _binary("sub", "subtraction", lambda a, b: a - b, lambda a, b: sympy.Add(U(a), -U(b), evaluate=False),
            _one, lambda a, b, y: sympy.Integer(-1), "1", "-1", "{0} - {1}", "-", "-"),
    _binary("mul", "elementwise product", lambda a, b: a * b, lambda a, b: sympy.Mul(U(a), U(b), evaluate=False),
            lambda a, b, y: b, lambda a, b, y: a, "{1}", "{0}", r"{0} \odot {1}", r"\times", "×"),
    _binary("div", "elementwise division", lambda a, b: a / b,
            lambda a, b: sympy.Mul(U(a), sympy.Pow(U(b), -1, evaluate=False), evaluate=False),
            lambda a, b, y: 1 / b, lambda a, b, y: -a / b**2,
            r"\frac{{1}}{{{1}}}", r"-\frac{{{0}}}{{{1}^2}}", r"\frac{{{0}}}{{{1}}}", r"\div", "÷"),
    _binary("max", "elementwise maximum", lambda a, b: sympy.Max(a, b),
            lambda a, b: show_extreme(sympy.Max, U(a), U(b)),
            _extreme_d(True, True, HALF), _extreme_d(True, False, HALF),
            r"\mathbf{{1}}[{0} > {1}]", r"\mathbf{{1}}[{1} > {0}]", r"\max\left({0}, {1}\right)", r"\max", "max",
            spellings=("max",), sympy_class=sympy.Max, kinks=("subgradient",), under=_extreme_under(True)),
    _binary("min", "elementwise minimum", lambda a, b: sympy.Min(a, b),
            lambda a, b: show_extreme(sympy.Min, U(a), U(b)),
            _extreme_d(False, True, HALF), _extreme_d(False, False, HALF),
            r"\mathbf{{1}}[{0} < {1}]", r"\mathbf{{1}}[{1} < {0}]", r"\min\left({0}, {1}\right)", r"\min", "min",
            spellings=("min",), sympy_class=sympy.Min, kinks=("subgradient",), under=_extreme_under(False)),
]
