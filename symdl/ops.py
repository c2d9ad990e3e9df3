"""The op table: each atomic operation's forward rule and vector-Jacobian rule side by side.

Every value is a SymPy matrix (a scalar is 1 x 1). A rule gives, for its inputs' values:
the exact forward value, the same written entry by entry with the numbers put in and left
unevaluated (for the sheet), one gradient per input from the upstream gradient ``g`` (the
vector-Jacobian product), its entries written out, and a float numpy forward used only by
the verifier (an independent route). An op with no row here is an error, never a zero.

Kinks (ties in max/min, relu and abs at 0) follow the exam's subgradient convention
(SUBGRADIENTS): "pytorch" (the default) has relu'(0) = 0, |x|'(0) = 0 and a tie sends half of
the gradient to each side; "symmetric" differs only in relu'(0) = 1/2. The sheet states it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import sympy

from symdl import ops_attention, ops_elementary, ops_vector
from symdl.op_names import OVERLOADS, SPELLINGS

HALF = sympy.Rational(1, 2)
U = sympy.UnevaluatedExpr


class ShapeError(ValueError):
    """Operand shapes that an op cannot combine."""


class MissingRule(KeyError):
    """An op with no rule in the table."""


def sign_of(value):
    """-1, 0 or 1 for an exact real value (decided exactly, numerically when needed)."""
    if isinstance(value, sympy.Rational):       # the common case, decided by the numerator
        return (value.p > 0) - (value.p < 0)
    value = sympy.sympify(value)
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    n = sympy.N(value, 50)
    if n == 0:
        return 0 if sympy.simplify(value) == 0 else (1 if sympy.N(value, 200) > 0 else -1)
    return 1 if n > 0 else -1


def _m(value):
    return sympy.ImmutableMatrix(value)


def _full(shape, entry):
    return sympy.ImmutableMatrix(shape[0], shape[1], lambda i, j: entry(i, j))


def _show_mul(*factors):
    """``Mul(*factors, evaluate=False)`` for numbers, built without asking SymPy's assumptions."""
    return sympy.Mul._from_args(factors, True)


def _show_add(*terms):
    """``Add(*terms, evaluate=False)`` for numbers, built without asking SymPy's assumptions."""
    return sympy.Add._from_args(terms, True)


# --------------------------------------------------------------------- elementwise ---

@dataclass(frozen=True)
class Unary:
    """An elementwise function: f, its derivative in terms of (x, y = f(x)), a numpy twin."""

    name: str
    words: str
    f: Callable              # exact: x -> f(x)
    show: Callable           # unevaluated display of f(x) for one entry
    df: Callable             # exact: (x, y) -> f'(x)
    df_show: str             # the local derivative, closed form, in x and y (LaTeX format)
    fwd_tex: str             # forward, closed form, '{0}' is the operand
    np_f: Callable
    arity: int = 1
    symbol: str = ""         # the op's mark in the drawing of the graph
    spellings: tuple = ()    # names a spec may call it by (\\operatorname{...}, \\sigma, ...)

    def shape(self, shapes):
        return shapes[0]

    def forward(self, vals, shape, show=False):
        return unary_forward(self, vals[0], show=show)

    def vjp(self, g, vals, y, show=False, need=(True,)):
        return unary_vjp(self, g, vals[0], y, show=show)

    def local_template(self, position):
        return self.df_show

    def vjp_template(self, position, summed=False):
        """The closed form of the gradient sent to input ``position``: a str.format template whose
        fields {0}, .. are the inputs' names and {arity} the upstream gradient."""
        return _elementwise_vjp_display(self.local_template(position), "{%d}" % self.arity, summed)

    def vjp_display(self, position, names, g, summed=False):
        """The same written out (LaTeX): g times the local derivative."""
        return self.vjp_template(position, summed).format(*names, g)


def _relu(x):
    """max(0, x) exactly; a rational decided directly (same value SymPy's Max gives)."""
    if isinstance(x, sympy.Rational):
        return x if x.p > 0 else sympy.S.Zero
    return sympy.Max(0, x)


def _relu_d(x, y, at_zero=HALF):
    s = sign_of(x)
    return sympy.Integer(1) if s > 0 else (at_zero if s == 0 else sympy.Integer(0))


def _abs_d(x, y):
    return sympy.Integer(sign_of(x))


def _sigmoid(x):
    return 1 / (1 + sympy.exp(-x))


UNARY = {
    "exp": Unary("exp", "elementwise exponential", sympy.exp,
                 lambda x: sympy.Pow(sympy.E, U(x), evaluate=False),
                 lambda x, y: y, r"e^{{{0}}}", r"e^{{{0}}}", np.exp),
    "log": Unary("log", "elementwise natural logarithm", sympy.log,
                 lambda x: sympy.log(U(x), evaluate=False),
                 lambda x, y: 1 / x, r"\frac{{1}}{{{0}}}", r"\ln {0}", np.log),
    "tanh": Unary("tanh", "elementwise hyperbolic tangent", sympy.tanh,
                  lambda x: sympy.tanh(U(x), evaluate=False),
                  lambda x, y: 1 - y**2, r"1 - \tanh^2 {0}", r"\tanh {0}", np.tanh),
    "sigmoid": Unary("sigmoid", "elementwise logistic sigmoid", _sigmoid,
                     lambda x: sympy.Pow(1 + sympy.Pow(sympy.E, -U(x), evaluate=False), -1, evaluate=False),
                     lambda x, y: y * (1 - y), r"\sigma({0})\,(1 - \sigma({0}))", r"\sigma({0})",
                     lambda a: 1.0 / (1.0 + np.exp(-a))),
    "relu": Unary("relu", "elementwise rectifier max(0, .)", _relu,
                  lambda x: sympy.Max(0, U(x), evaluate=False),
                  _relu_d, r"\mathbf{{1}}[{0} > 0]", r"\max(0, {0})", lambda a: np.maximum(a, 0.0)),
    "abs": Unary("abs", "elementwise absolute value", sympy.Abs,
                 lambda x: sympy.Abs(U(x), evaluate=False),
                 _abs_d, r"\operatorname{{sign}}({0})", r"\lvert {0} \rvert", np.abs),
    "neg": Unary("neg", "negation", lambda x: -x, lambda x: -U(x),
                 lambda x, y: sympy.Integer(-1), r"-1", r"-{0}", np.negative),
}
UNARY.update(ops_elementary.unary_rows(Unary))     # sin, cos, tan, floor, ceil, round


def power_rule(c):
    """Elementwise x^c for a constant exponent c."""
    c = sympy.nsimplify(c)
    power, lower = _braced(sympy.latex(c)), _braced(sympy.latex(c - 1))   # \frac{1}{2} is not a field
    return Unary("pow", f"elementwise power x^{c}", lambda x: x**c,
                 lambda x: sympy.Pow(U(x), c, evaluate=False),
                 lambda x, y: c * x**(c - 1), rf"{power}\, {{0}}^{{{{{lower}}}}}",
                 rf"{{0}}^{{{{{power}}}}}", lambda a: np.power(a, float(c)),
                 symbol=f"(\\cdot)^{{{sympy.latex(c)}}}")


def _braced(latex: str) -> str:
    """LaTeX put into a str.format template as literal text (its braces doubled)."""
    return latex.replace("{", "{{").replace("}", "}}")


# ----------------------------------------------------------------------- binary ops ---

@dataclass(frozen=True)
class Binary:
    """An elementwise binary op with scalar broadcasting."""

    name: str
    words: str
    f: Callable              # exact (a, b) -> value
    show: Callable           # unevaluated display of one entry
    da: Callable             # exact local derivative wrt a: (a, b, y) -> value
    db: Callable
    da_tex: str
    db_tex: str
    fwd_tex: str
    np_f: Callable
    arity: int = 2
    symbol: str = ""
    spellings: tuple = ()

    def shape(self, shapes):
        return broadcast_shape(self.words, *shapes)

    def forward(self, vals, shape, show=False):
        return binary_forward(self, vals[0], vals[1], shape, show=show)

    def vjp(self, g, vals, y, show=False, need=(True, True)):
        return binary_vjp(self, g, vals[0], vals[1], y, show=show, need=need)

    def local_template(self, position):
        return self.da_tex if position == 0 else self.db_tex

    def vjp_template(self, position, summed=False):
        """As Unary's; ``summed`` when the input is a broadcast scalar (its contributions add up)."""
        return _elementwise_vjp_display(self.local_template(position), "{%d}" % self.arity, summed)

    def vjp_display(self, position, names, g, summed=False):
        return self.vjp_template(position, summed).format(*names, g)


def _elementwise_vjp_display(local, g, summed):
    if local == "1":
        body = g
    elif local == "0":
        body = "0"
    elif local == "-1":
        body = "-" + g
    else:
        body = rf"{g} \odot \left({local}\right)"
    return rf"\textstyle\sum {body}" if summed else body


def _max_da(a, b, y):
    s = sign_of(a - b)
    return sympy.Integer(1) if s > 0 else (HALF if s == 0 else sympy.Integer(0))


def _max_db(a, b, y):
    return 1 - _max_da(a, b, y)


BINARY = {
    "add": Binary("add", "addition", lambda a, b: a + b, lambda a, b: sympy.Add(U(a), U(b), evaluate=False),
                  lambda a, b, y: sympy.Integer(1), lambda a, b, y: sympy.Integer(1),
                  "1", "1", "{0} + {1}", np.add),
    "sub": Binary("sub", "subtraction", lambda a, b: a - b,
                  lambda a, b: sympy.Add(U(a), -U(b), evaluate=False),
                  lambda a, b, y: sympy.Integer(1), lambda a, b, y: sympy.Integer(-1),
                  "1", "-1", "{0} - {1}", np.subtract),
    "mul": Binary("mul", "elementwise product", lambda a, b: a * b,
                  lambda a, b: sympy.Mul(U(a), U(b), evaluate=False),
                  lambda a, b, y: b, lambda a, b, y: a, "{1}", "{0}", r"{0} \odot {1}", np.multiply),
    "div": Binary("div", "elementwise division", lambda a, b: a / b,
                  lambda a, b: sympy.Mul(U(a), sympy.Pow(U(b), -1, evaluate=False), evaluate=False),
                  lambda a, b, y: 1 / b, lambda a, b, y: -a / b**2,
                  r"\frac{{1}}{{{1}}}", r"-\frac{{{0}}}{{{1}^2}}", r"\frac{{{0}}}{{{1}}}", np.divide),
    "max": Binary("max", "elementwise maximum", lambda a, b: sympy.Max(a, b),
                  lambda a, b: sympy.Max(U(a), U(b), evaluate=False),
                  _max_da, _max_db, r"\mathbf{{1}}[{0} > {1}]", r"\mathbf{{1}}[{1} > {0}]",
                  r"\max\left({0}, {1}\right)", np.maximum),
    "min": Binary("min", "elementwise minimum", lambda a, b: sympy.Min(a, b),
                  lambda a, b: sympy.Min(U(a), U(b), evaluate=False),
                  lambda a, b, y: _max_db(a, b, y), lambda a, b, y: _max_da(a, b, y),
                  r"\mathbf{{1}}[{0} < {1}]", r"\mathbf{{1}}[{1} < {0}]", r"\min\left({0}, {1}\right)", np.minimum),
}


def broadcast_shape(name, sa, sb):
    if sa == sb:
        return sa
    if sa == (1, 1):
        return sb
    if sb == (1, 1):
        return sa
    raise ShapeError(f"{name} of a {sa[0]}x{sa[1]} and a {sb[0]}x{sb[1]} operand")


def _entry(value, i, j):
    return value[0, 0] if value.shape == (1, 1) else value[i, j]


def binary_forward(rule, a, b, shape, show=False):
    fn = rule.show if show else rule.f
    return _full(shape, lambda i, j: fn(_entry(a, i, j), _entry(b, i, j)))


def binary_vjp(rule, g, a, b, y, show=False, need=(True, True)):
    """Gradients for a and b; a broadcast 1 x 1 operand sums its entries' contributions.

    With ``show``, an input whose ``need`` is false gets None (its working is not shown).
    """
    out = []
    for which, (operand, local) in enumerate(((a, rule.da), (b, rule.db))):
        if show and not need[which]:
            out.append(None)
            continue

        def contrib(i, j):
            d = local(_entry(a, i, j), _entry(b, i, j), y[i, j])
            return _show_mul(U(g[i, j]), U(d)) if show else g[i, j] * d
        full = _full(g.shape, contrib)
        if operand.shape == (1, 1) and g.shape != (1, 1):
            if show:
                total = _show_add(*[full[k] for k in range(len(full))])
            else:
                total = sum(full[k] for k in range(len(full)))
            out.append(_m([[total]]))
        else:
            out.append(full)
    return out


def unary_forward(rule, a, show=False):
    fn = rule.show if show else rule.f
    return a.applyfunc(fn)


def unary_vjp(rule, g, a, y, show=False):
    def contrib(i, j):
        d = rule.df(a[i, j], y[i, j])
        return _show_mul(U(g[i, j]), U(d)) if show else g[i, j] * d
    return [_full(g.shape, contrib)]


# --------------------------------------------------------------------- matrix ops ---

@dataclass(frozen=True)
class MatrixOp:
    """A matrix op (product, transpose, reduction): shape, forward and one VJP per input."""

    name: str
    words: str
    arity: int
    shape_f: Callable        # operand shapes -> result shape (ShapeError when they do not fit)
    forward_f: Callable      # (vals, show) -> value
    vjp_f: Callable          # (g, vals, show, need) -> one gradient per input
    np_f: Callable
    fwd_tex: str
    vjp_tex: tuple           # one closed form per input, '{g}' the upstream gradient
    symbol: str = ""
    spellings: tuple = ()
    check: Callable | None = None    # values -> None, or why the op does not accept them

    def shape(self, shapes):
        return self.shape_f(shapes)

    def forward(self, vals, shape, show=False):
        return self.forward_f(vals, show)

    def vjp(self, g, vals, y, show=False, need=(True, True)):
        return self.vjp_f(g, vals, show, need)

    def vjp_template(self, position, summed=False):
        return self.vjp_tex[position].replace("{g}", "{%d}" % self.arity)

    def vjp_display(self, position, names, g, summed=False):
        return self.vjp_tex[position].format(*names, g=g)


def _matmul_shape(shapes):
    (m, k), (k2, n) = shapes
    if k != k2:
        raise ShapeError(f"matrix product of a {m}x{k} and a {k2}x{n} operand")
    return (m, n)


def _dot_show(a, b, i, j):
    terms = [_show_mul(U(a[i, k]), U(b[k, j])) for k in range(a.cols)]
    return terms[0] if len(terms) == 1 else _show_add(*terms)


def _matmul_forward(vals, show):
    a, b = vals
    if show:
        return _full((a.rows, b.cols), lambda i, j: _dot_show(a, b, i, j))
    return _m(a * b)


def _matmul_vjp(g, vals, show, need):
    a, b = vals
    if show:
        bt, at = b.T, a.T
        return [_full(a.shape, lambda i, j: _dot_show(g, bt, i, j)) if need[0] else None,
                _full(b.shape, lambda i, j: _dot_show(at, g, i, j)) if need[1] else None]
    return [_m(g * b.T), _m(a.T * g)]


def _sum_forward(vals, show):
    a = vals[0]
    return _m([[sympy.Add(*[U(v) for v in a], evaluate=False) if show else sum(a)]])


def _mean_forward(vals, show):
    a = vals[0]
    if show:
        return _m([[sympy.Mul(sympy.Add(*[U(v) for v in a], evaluate=False),
                              sympy.Pow(len(a), -1, evaluate=False), evaluate=False)]])
    return _m([[sum(a) / len(a)]])


def _mean_vjp(g, vals, show, need):
    a = vals[0]
    n = len(a)
    if show:
        return [_full(a.shape, lambda i, j: sympy.Mul(U(g[0, 0]), sympy.Pow(n, -1, evaluate=False),
                                                      evaluate=False))]
    return [_full(a.shape, lambda i, j: g[0, 0] / n)]


MATRIX = {
    "matmul": MatrixOp("matmul", "matrix product", 2, _matmul_shape, _matmul_forward, _matmul_vjp,
                       lambda a, b: a @ b, "{0} {1}", (r"{g}\, {1}^{{T}}", r"{0}^{{T}} {g}"), r"\cdot"),
    "transpose": MatrixOp("transpose", "transpose", 1, lambda shapes: (shapes[0][1], shapes[0][0]),
                          lambda vals, show: _m(vals[0].T), lambda g, vals, show, need: [_m(g.T)],
                          lambda a: a.T, "{0}^{{T}}", (r"{g}^{{T}}",), "T"),
    "sum": MatrixOp("sum", "sum of all entries", 1, lambda shapes: (1, 1), _sum_forward,
                    lambda g, vals, show, need: [_full(vals[0].shape, lambda i, j: g[0, 0])],
                    lambda a: np.array([[a.sum()]]), r"\textstyle\sum {0}", (r"{g}\, \mathbf{{1}}",),
                    r"\Sigma", SPELLINGS["sum"][0]),
    "mean": MatrixOp("mean", "mean of all entries", 1, lambda shapes: (1, 1), _mean_forward, _mean_vjp,
                     lambda a: np.array([[a.mean()]]), r"\operatorname{{mean}}({0})",
                     (r"\frac{{{g}}}{{n}}\, \mathbf{{1}}",), r"\mathrm{mean}", SPELLINGS["mean"][0]),
}
MATRIX.update({name: replace(row, spellings=SPELLINGS[name][0]) for name, row in ops_vector.rows(MatrixOp).items()})
MATRIX.update({name: replace(row, spellings=SPELLINGS[name][0])
               for name, row in ops_elementary.matrix_rows(MatrixOp).items()})     # clamp, diag
MATRIX.update({name: replace(row, spellings=SPELLINGS[name][0])
               for name, row in ops_attention.rows(MatrixOp).items()})     # valid, mask, concat
MATRIX_WORDS = {name: row.words for name, row in MATRIX.items()}
MATRIX_FWD_TEX = {name: row.fwd_tex for name, row in MATRIX.items()}
MATRIX_VJP_TEX = {name: list(row.vjp_tex) for name, row in MATRIX.items()}


def matrix_shape(name, shapes):
    return MATRIX[name].shape(shapes)


def matrix_forward(name, vals, show=False):
    if name not in MATRIX:
        raise MissingRule(name)
    return MATRIX[name].forward_f(vals, show)


def matrix_vjp(name, g, vals, y, show=False, need=(True, True)):
    if name not in MATRIX:
        raise MissingRule(name)
    return MATRIX[name].vjp_f(g, vals, show, need)


def matrix_numeric(name, vals):
    if name not in MATRIX:
        raise MissingRule(name)
    return MATRIX[name].np_f(*vals)


# --------------------------------------------------------- marks, spellings, conventions ---

# the op's mark in the drawing and the names a spec may call it by (one row per op)
_MARKS = {
    "add": "+", "sub": "-", "mul": r"\times", "div": r"\div", "neg": "-1", "exp": r"\exp", "log": r"\ln",
    "tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\mathrm{relu}", "abs": "|\\cdot|", "max": r"\max",
    "min": r"\min", "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "floor": r"\lfloor\cdot\rfloor",
    "ceil": r"\lceil\cdot\rceil", "round": r"\mathrm{round}",
}


def _marked(name, row):
    spellings = SPELLINGS.get(name, ((), row.arity))[0]
    return replace(row, symbol=_MARKS[name], spellings=spellings)
UNARY = {name: _marked(name, row) for name, row in UNARY.items()}
BINARY = {name: _marked(name, row) for name, row in BINARY.items()}
TABLE = {**UNARY, **BINARY, **MATRIX}

# every spelling a spec may call a function by -> its op, and each op's number of arguments
assert all(TABLE[op].arity == arity for op, (_, arity) in SPELLINGS.items())   # one column, two files
FUNCTION_NAMES = {spelling: name for name, row in TABLE.items() for spelling in row.spellings}
FUNCTION_ARITY = {name: row.arity for name, row in TABLE.items()}
CALLS = frozenset(FUNCTION_NAMES.values()) | {"transpose", "mul"} | frozenset(OVERLOADS.values())   # ops the parser leaves as f(...)
# ops whose derivative jumps somewhere (the sheet states the convention), and ops that grow or
# flatten exponentially (their argument is bounded so that a value and its gradient can be checked)
KINKS = frozenset({"relu", "abs", "max", "min", "max_all", "min_all", "hinge", "floor", "ceil", "round", "clamp"})
STEPS = frozenset({"floor", "ceil", "round"})      # derivative 0 where it exists, none at a jump
STEEP = frozenset({"exp", "sigmoid", "tanh"})
# the display form of an op applied to a whole expression (in brackets), where it differs from fwd_tex
CALL_TEX = {"exp": r"\exp{0}"}
# SymPy's own function classes the parser leaves in a tree -> the op
SYMPY_FUNCTIONS = ((sympy.tanh, "tanh"), (sympy.Abs, "abs"), (sympy.Max, "max"), (sympy.Min, "min"),
                   (sympy.sin, "sin"), (sympy.cos, "cos"), (sympy.tan, "tan"), (sympy.floor, "floor"),
                   (sympy.ceiling, "ceil"))

ALL_OPS = sorted(set(TABLE) | {"pow"})

# The subgradient at a kink, one convention for the whole exam ([exam] subgradients):
# relu'(0), |x|'(0), and the share of a max/min tie each argument gets.
SUBGRADIENTS = {
    "pytorch": {"relu": sympy.Integer(0), "abs": sympy.Integer(0), "tie": HALF, "clamp": sympy.Integer(1)},
    "symmetric": {"relu": HALF, "abs": sympy.Integer(0), "tie": HALF, "clamp": HALF},
}
DEFAULT_SUBGRADIENTS = "pytorch"
SUBGRADIENT_WORDS = {
    "pytorch": "Kinks follow PyTorch's subgradients: relu'(0) = 0 and |x|'(0) = 0, and at a tie of max/min "
               "half of the gradient goes to each argument.",
    "symmetric": "Kinks use the symmetric subgradient: at a tie of max/min half of the gradient goes to "
                 "each argument, relu'(0) = 1/2 and |x|'(0) = 0 (what central finite differences give).",
}

# what the sheet says of a step function or clamp in the graph (beside SUBGRADIENT_WORDS)
_OLD_KINKS = frozenset({"relu", "abs", "max", "min", "max_all", "min_all", "hinge"})
STEP_WORDS = ("floor, ceil and round are step functions: their derivative is 0 wherever it exists and "
              "does not exist at a jump (floor and ceil jump at every integer, round at every half-integer); "
              "the backward pass uses 0 there too, as PyTorch does.")
ROUND_WORDS = "round(x) rounds a half to the even neighbour (round(2.5) = 2, round(3.5) = 4), as torch.round does."
CLAMP_WORDS = {
    "pytorch": "clamp(x, lo, hi) = min(max(x, lo), hi) passes the gradient to x where lo <= x <= hi, the bounds "
               "included (as torch.clamp does), to lo where x < lo and to hi where x > hi.",
    "symmetric": "clamp(x, lo, hi) = min(max(x, lo), hi) passes the gradient to x where lo < x < hi, to lo where "
                 "x < lo and to hi where x > hi; at x = lo or x = hi half of it goes to x and half to the bound.",
}


def kink_notes(convention, names):
    """The sentences stating the kink conventions of the ops ``names`` present in a graph."""
    notes = [SUBGRADIENT_WORDS[convention]] if names & _OLD_KINKS else []
    if names & STEPS:
        notes.append(STEP_WORDS)
    if "round" in names:
        notes.append(ROUND_WORDS)
    if "clamp" in names:
        notes.append(CLAMP_WORDS[convention])
    return notes


def tied(name, vals):
    """True when op ``name`` at its inputs' values ``vals`` sits on a kink (a tie, relu at 0, a jump)."""
    if name in STEPS:
        return any(ops_elementary.step_tie(name, v) for v in vals[0])
    if name == "clamp":
        return ops_elementary.clamp_tied(vals)
    if len(vals) == 2:
        a, b = vals
        shape = broadcast_shape(name, a.shape, b.shape) if a.shape != b.shape else a.shape
        return any(sign_of(_entry(a, i, j) - _entry(b, i, j)) == 0 for i in range(shape[0]) for j in range(shape[1]))
    return any(sign_of(v) == 0 for v in vals[0])


def _at_convention(rule, convention):
    """``rule`` with the kink values of ``convention`` (relu'(0); abs and ties agree in both)."""
    if rule.name == "relu" and convention != "symmetric":
        at_zero = SUBGRADIENTS[convention]["relu"]
        return replace(rule, df=lambda x, y: _relu_d(x, y, at_zero))
    if rule.name == "clamp":            # x's share of the gradient at x = lo or x = hi
        return replace(rule, vjp_f=ops_elementary.clamp_vjp(SUBGRADIENTS[convention]["clamp"]))
    if rule.name == "hinge":            # a margin of exactly 0 is relu's kink
        return replace(rule, vjp_f=ops_vector.hinge_vjp(SUBGRADIENTS[convention]["relu"]))
    return rule


_CONVENTION_ROWS: dict = {}


def rule_for(name, param=None, subgradients="symmetric"):
    """The op's row (Unary, Binary or MatrixOp) under the subgradient convention; MissingRule when none."""
    if subgradients not in SUBGRADIENTS:
        raise ValueError(f"unknown subgradient convention {subgradients!r}")
    if name == "pow":
        return power_rule(param)
    if name not in TABLE:
        raise MissingRule(name)
    key = (name, subgradients)
    if key not in _CONVENTION_ROWS:
        _CONVENTION_ROWS[key] = _at_convention(TABLE[name], subgradients)
    return _CONVENTION_ROWS[key]


def activation(name, subgradients=DEFAULT_SUBGRADIENTS):
    """An elementwise activation's exact forward f(x) and derivative f'(x) under a convention.

    For a kind with its own activations (the neuron): ``f, df = activation("relu", "pytorch")``.
    """
    rule = rule_for(FUNCTION_NAMES.get(name, name), subgradients=subgradients)
    if not isinstance(rule, Unary):
        raise MissingRule(name)
    return rule.f, lambda x: rule.df(x, rule.f(x))
