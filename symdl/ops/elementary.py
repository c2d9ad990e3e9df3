"""Rows of the op table for elementary functions: sin, cos, tan, floor, ceil, round, clamp and diag.

Each row holds its exact forward rule, its vector-Jacobian rule, its notation and its kinks.

- sin, cos, tan: SymPy's exact functions, so sin(pi/6) = 1/2 stays exact; tan'(x) = 1 + tan^2 x.
- floor, ceil, round: step functions. Their derivative is 0 wherever it exists; it does not exist
  at a jump (every integer for floor and ceil, every half-integer for round). The backward pass
  uses 0 there as well, as torch.autograd does, and the sheet says so. round is round-half-to-even,
  as torch.round and numpy.round define it: round(2.5) = 2, round(3.5) = 4, round(-0.5) = 0.
- clamp(x, lo, hi) = min(max(x, lo), hi) with lo < hi (torch.clamp's definition). The gradient
  goes to x where lo <= x <= hi (the bounds included, as torch.clamp does), to lo where x < lo
  and to hi where x > hi; under the symmetric convention half of it goes to each side at x = lo
  or x = hi. A bound may be a scalar (its contributions add up) or the shape of x.
- diag, as torch.diag: a vector (row or column) becomes the square matrix with it on the
  diagonal; a matrix gives its diagonal as a column vector. Its gradient is diag of the upstream.
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symdl.ops.base import HALF, U, MatrixOp, ShapeError, Unary, entry as _entry, m as _m, show_extreme, show_mul
from symdl.ops.base import sign_of as _sign
from symdl.ops.conventions import SUBGRADIENTS


# ------------------------------------------------------------------ step functions ---

def floor_exact(x):
    if isinstance(x, sympy.Rational):
        return sympy.Integer(x.p // x.q)
    return sympy.floor(x)


def ceil_exact(x):
    if isinstance(x, sympy.Rational):
        return sympy.Integer(-((-x.p) // x.q))
    return sympy.ceiling(x)


def round_half_even(x):
    """x rounded to the nearest integer, a half to the even neighbour (torch.round, numpy.round)."""
    k = floor_exact(x)
    s = _sign(x - k - HALF)
    if s > 0:
        return k + 1
    if s < 0:
        return k
    return k if k % 2 == 0 else k + 1


def step_tie(name, x):
    """True when ``x`` sits on a jump of the step function ``name`` (its derivative does not exist)."""
    if name == "round":
        return _sign(x - floor_exact(x) - HALF) == 0
    return _sign(x - floor_exact(x)) == 0


_ROUND = sympy.Function("round")


def _zero(x, y):
    return sympy.Integer(0)


def _tan_d(x, y):
    return 1 + y**2


def _step_at_kink(name):
    def at_kink(vals):
        return any(step_tie(name, v) for v in vals[0])
    return at_kink


def _unary(name, words, f, show, df, df_show, fwd_tex, symbol, text, sympy_class=None, kinks=()):
    at_kink = _step_at_kink(name) if kinks else None
    return Unary(name, words, f, show, df, df_show, fwd_tex, symbol=symbol, text=text, spellings=(name,),
                 sympy_class=sympy_class, kinks=kinks, at_kink=at_kink)


UNARY = [
    _unary("sin", "elementwise sine", sympy.sin, lambda x: sympy.sin(U(x), evaluate=False),
           lambda x, y: sympy.cos(x), r"\cos {0}", r"\sin {0}", r"\sin", "sin", sympy.sin),
    _unary("cos", "elementwise cosine", sympy.cos, lambda x: sympy.cos(U(x), evaluate=False),
           lambda x, y: -sympy.sin(x), r"-\sin {0}", r"\cos {0}", r"\cos", "cos", sympy.cos),
    _unary("tan", "elementwise tangent", sympy.tan, lambda x: sympy.tan(U(x), evaluate=False),
           _tan_d, r"1 + \tan^2 {0}", r"\tan {0}", r"\tan", "tan", sympy.tan),
    _unary("floor", "elementwise floor (round down)", floor_exact, lambda x: sympy.floor(U(x), evaluate=False),
           _zero, "0", r"\lfloor {0} \rfloor", r"\lfloor\cdot\rfloor", "⌊·⌋", sympy.floor, ("step",)),
    _unary("ceil", "elementwise ceiling (round up)", ceil_exact, lambda x: sympy.ceiling(U(x), evaluate=False),
           _zero, "0", r"\lceil {0} \rceil", r"\lceil\cdot\rceil", "⌈·⌉", sympy.ceiling, ("step",)),
    _unary("round", "elementwise rounding, half to even", round_half_even, lambda x: _ROUND(U(x)),
           _zero, "0", r"\operatorname{{round}}({0})", r"\mathrm{round}", "round", None, ("step", "round")),
]


# -------------------------------------------------------------------------- clamp ---

def _clamp_shape(shapes):
    x, lo, hi = shapes
    for bound in (lo, hi):
        if bound not in ((1, 1), x):
            raise ShapeError(f"clamp of a {x[0]}x{x[1]} operand with a {bound[0]}x{bound[1]} bound "
                             "(a bound is a scalar or has the operand's shape)")
    return x


def clamp_exact(x, lo, hi):
    if _sign(x - lo) < 0:
        return lo
    if _sign(x - hi) > 0:
        return hi
    return x


def _clamp_forward(vals, show):
    x, lo, hi = vals
    if show:
        return sympy.ImmutableMatrix(x.rows, x.cols, lambda i, j: show_extreme(
            sympy.Min, show_extreme(sympy.Max, U(x[i, j]), U(_entry(lo, i, j))), U(_entry(hi, i, j))))
    return sympy.ImmutableMatrix(x.rows, x.cols, lambda i, j: clamp_exact(x[i, j], _entry(lo, i, j), _entry(hi, i, j)))


def clamp_shares(x, lo, hi, at_edge):
    """(share of x, of lo, of hi) of the upstream at one entry; ``at_edge`` is x's share at x = lo or hi."""
    below, above = _sign(x - lo), _sign(x - hi)
    if below < 0:
        return sympy.Integer(0), sympy.Integer(1), sympy.Integer(0)
    if above > 0:
        return sympy.Integer(0), sympy.Integer(0), sympy.Integer(1)
    if below == 0:
        return at_edge, 1 - at_edge, sympy.Integer(0)
    if above == 0:
        return at_edge, sympy.Integer(0), 1 - at_edge
    return sympy.Integer(1), sympy.Integer(0), sympy.Integer(0)


def clamp_vjp(at_edge):
    """clamp's rule with x's share ``at_edge`` at a bound (1 as torch.clamp, 1/2 symmetric)."""
    def vjp(g, vals, show, need):
        x, lo, hi = vals
        shares = [[clamp_shares(x[i, j], _entry(lo, i, j), _entry(hi, i, j), at_edge) for j in range(x.cols)]
                  for i in range(x.rows)]
        if show:
            gx = sympy.ImmutableMatrix(x.rows, x.cols, lambda i, j: show_mul(U(g[i, j]), U(shares[i][j][0])))
            return [gx if need[0] else None, None, None]
        out = [sympy.ImmutableMatrix(x.rows, x.cols, lambda i, j: g[i, j] * shares[i][j][0])]
        for k, bound in ((1, lo), (2, hi)):
            full = [g[i, j] * shares[i][j][k] for i in range(x.rows) for j in range(x.cols)]
            out.append(_m([[sum(full)]]) if bound.shape == (1, 1) and x.shape != (1, 1)
                       else _m(x.rows, x.cols, full))
        return out
    return vjp


def _clamp_check(vals):
    x, lo, hi = vals
    for i in range(x.rows):
        for j in range(x.cols):
            if _sign(_entry(hi, i, j) - _entry(lo, i, j)) <= 0:
                return "clamp needs its lower bound below its upper bound"
    return None


def clamp_tied(vals):
    x, lo, hi = vals
    return any(_sign(x[i, j] - _entry(lo, i, j)) == 0 or _sign(x[i, j] - _entry(hi, i, j)) == 0
               for i in range(x.rows) for j in range(x.cols))


# --------------------------------------------------------------------------- diag ---

def _diag_shape(shapes):
    (r, c), = shapes
    if r == 1 or c == 1:
        return (r * c, r * c)
    return (min(r, c), 1)


def diag_exact(a):
    if a.rows == 1 or a.cols == 1:
        n = len(a)
        return _m(n, n, lambda i, j: a[i] if i == j else 0)
    return _m(min(a.rows, a.cols), 1, [a[k, k] for k in range(min(a.rows, a.cols))])


def _diag_forward(vals, show):
    a = vals[0]
    if show and (a.rows == 1 or a.cols == 1):
        n = len(a)
        return _m(n, n, lambda i, j: U(a[i]) if i == j else sympy.Integer(0))
    return diag_exact(a)


def _diag_vjp(g, vals, show, need):
    a = vals[0]
    if a.rows == 1 or a.cols == 1:          # the gradient of each entry is its diagonal entry of g
        return [_m(a.rows, a.cols, [g[k, k] for k in range(len(a))])]
    return [_m(a.rows, a.cols, lambda i, j: g[i, 0] if i == j else 0)]


def _clamp_under(row, subgradients, ties):
    """x's share of the gradient at x = lo or x = hi under the convention."""
    return replace(row, vjp_f=clamp_vjp(SUBGRADIENTS[subgradients]["clamp"]))


MATRIX = [
    MatrixOp("clamp", "elementwise clamp to [lo, hi]", 3, _clamp_shape, _clamp_forward, clamp_vjp(sympy.Integer(1)),
             r"\mathrm{{clamp}}({0}, {1}, {2})",
             (r"{g} \odot \mathbf{{1}}[{1} \le {0} \le {2}]", r"{g} \odot \mathbf{{1}}[{0} < {1}]",
              r"{g} \odot \mathbf{{1}}[{0} > {2}]"),
             symbol=r"\mathrm{clamp}", text="clamp", spellings=("clamp",), kinks=("clamp",), at_kink=clamp_tied,
             under=_clamp_under, check=_clamp_check),
    MatrixOp("diag", "diagonal matrix of a vector (diagonal of a matrix)", 1, _diag_shape, _diag_forward, _diag_vjp,
             r"\operatorname{{diag}}({0})", (r"\operatorname{{diag}}({g})",),
             symbol=r"\mathrm{diag}", text="diag", spellings=("diag",)),
]
