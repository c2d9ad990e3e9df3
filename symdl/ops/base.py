"""The op table's row classes: each row holds every fact of one atomic operation.

Every value is a SymPy matrix (a scalar is 1 x 1). A row gives, for its inputs' values: the
exact forward value, the same written entry by entry with the numbers put in and left
unevaluated (for the sheet), one gradient per input from the upstream gradient ``g`` (the
vector-Jacobian product) and its display form; and beside them the op's notation (its mark in
the drawing of the graph, in LaTeX and as plain text for SVG and HTML, its forward formula, the
names a spec may call it by), its kinks (the sheet's notes that apply, how it reads a kink
convention, where its values sit on a kink) and whether it grows or flattens exponentially.
This module imports neither numpy nor any other part of symdl: the LaTeX parser reads the
spellings from the rows on a Python where only pure-Python packages are installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

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


def m(*value):
    return sympy.ImmutableMatrix(*value)


def full(shape, entry):
    return sympy.ImmutableMatrix(shape[0], shape[1], lambda i, j: entry(i, j))


def entry(value, i, j):
    """Entry (i, j) of ``value``, or its only entry when it is a broadcast 1 x 1."""
    return value[0, 0] if value.shape == (1, 1) else value[i, j]


def show_mul(*factors):
    """``Mul(*factors, evaluate=False)`` for numbers, built without asking SymPy's assumptions."""
    return sympy.Mul._from_args(factors, True)


def show_add(*terms):
    """``Add(*terms, evaluate=False)`` for numbers, built without asking SymPy's assumptions."""
    return sympy.Add._from_args(terms, True)


def show_extreme(cls, *args):
    """max/min (``cls``) of ``args`` left unevaluated with every argument in its place: SymPy's own
    Max(..., evaluate=False) keeps a set, so a tie (max(2, 0, 2, 2)) would lose its tied entries."""
    return sympy.Basic.__new__(cls, *args)


def braced(latex: str) -> str:
    """LaTeX put into a str.format template as literal text (its braces doubled)."""
    return latex.replace("{", "{{").replace("}", "}}")


def broadcast_shape(name, sa, sb):
    if sa == sb:
        return sa
    if sa == (1, 1):
        return sb
    if sb == (1, 1):
        return sa
    raise ShapeError(f"{name} of a {sa[0]}x{sa[1]} and a {sb[0]}x{sb[1]} operand")


# ------------------------------------------------------------------ facts of every row ---

@dataclass(frozen=True, kw_only=True)
class Facts:
    """What every row states beside its rules (keyword fields, after each class's own)."""

    symbol: str = ""             # the op's mark in the drawing of the graph (LaTeX)
    text: str = ""               # the same mark as plain text (SVG, HTML)
    spellings: tuple = ()        # names a spec may call it by (\operatorname{...}, \sigma, ...)
    overloads: tuple = ()        # another op's spellings that mean this op when called with its arity
    call_tex: str = ""           # its display applied to a whole expression, where it differs from fwd_tex
    sympy_class: object = None   # SymPy's own function class the parser leaves in a tree for it
    kinks: tuple = ()            # the sheet's notes on its kinks ("subgradient", "step", "round", "clamp")
    steep: bool = False          # grows or flattens exponentially (its argument is bounded in a check)
    at_kink: Callable | None = None      # values -> True where the op sits on a kink (a tie, a jump)
    under: Callable | None = None        # (row, subgradients, ties) -> the row under those conventions
    check: Callable | None = None        # values -> None, or why the op does not accept them
    masks: bool = False          # its -inf entries are its own: a mask (a softmax after it gives them 0)
    counts: tuple = ()           # positions of the arguments it reads as counts (lengths, a mask): no gradient
    axis: tuple = ()             # (op, axis): the op written with that axis as a subscript, softmax_{0}(S)

    def on_kink(self, vals):
        """True when the op at its inputs' values ``vals`` sits on a kink (a tie, relu at 0, a jump)."""
        if self.at_kink is not None:
            return self.at_kink(vals)
        if len(vals) == 2:
            a, b = vals
            shape = broadcast_shape(self.name, a.shape, b.shape)
            return any(sign_of(entry(a, i, j) - entry(b, i, j)) == 0
                       for i in range(shape[0]) for j in range(shape[1]))
        return any(sign_of(v) == 0 for v in vals[0])


def elementwise_vjp_display(local, g, summed):
    if local == "1":
        body = g
    elif local == "0":
        body = "0"
    elif local == "-1":
        body = "-" + g
    else:
        body = rf"{g} \odot \left({local}\right)"
    return rf"\textstyle\sum {body}" if summed else body


# --------------------------------------------------------------------- elementwise ---

@dataclass(frozen=True)
class Unary(Facts):
    """An elementwise function: f, its derivative in terms of (x, y = f(x))."""

    name: str
    words: str
    f: Callable              # exact: x -> f(x)
    show: Callable           # unevaluated display of f(x) for one entry
    df: Callable             # exact: (x, y) -> f'(x)
    df_show: str             # the local derivative, closed form, in x and y (LaTeX format)
    fwd_tex: str             # forward, closed form, '{0}' is the operand
    arity: int = 1

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
        return elementwise_vjp_display(self.local_template(position), "{%d}" % self.arity, summed)

    def vjp_display(self, position, names, g, summed=False):
        """The same written out (LaTeX): g times the local derivative."""
        return self.vjp_template(position, summed).format(*names, g)


@dataclass(frozen=True)
class Binary(Facts):
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
    arity: int = 2

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
        return elementwise_vjp_display(self.local_template(position), "{%d}" % self.arity, summed)

    def vjp_display(self, position, names, g, summed=False):
        return self.vjp_template(position, summed).format(*names, g)


def binary_forward(rule, a, b, shape, show=False):
    fn = rule.show if show else rule.f
    return full(shape, lambda i, j: fn(entry(a, i, j), entry(b, i, j)))


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
            d = local(entry(a, i, j), entry(b, i, j), y[i, j])
            return show_mul(U(g[i, j]), U(d)) if show else g[i, j] * d
        grad = full(g.shape, contrib)
        if operand.shape == (1, 1) and g.shape != (1, 1):
            if show:
                total = show_add(*[grad[k] for k in range(len(grad))])
            else:
                total = sum(grad[k] for k in range(len(grad)))
            out.append(m([[total]]))
        else:
            out.append(grad)
    return out


def unary_forward(rule, a, show=False):
    fn = rule.show if show else rule.f
    return a.applyfunc(fn)


def unary_vjp(rule, g, a, y, show=False):
    def contrib(i, j):
        d = rule.df(a[i, j], y[i, j])
        return show_mul(U(g[i, j]), U(d)) if show else g[i, j] * d
    return [full(g.shape, contrib)]


# --------------------------------------------------------------------- matrix ops ---

@dataclass(frozen=True)
class MatrixOp(Facts):
    """A matrix op (product, transpose, reduction, loss): shape, forward and one VJP per input."""

    name: str
    words: str
    arity: int
    shape_f: Callable        # operand shapes -> result shape (ShapeError when they do not fit)
    forward_f: Callable      # (vals, show) -> value
    vjp_f: Callable          # (g, vals, show, need) -> one gradient per input
    fwd_tex: str
    vjp_tex: tuple           # one closed form per input, '{g}' the upstream gradient

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
