"""Rows of the op table that work on a whole vector: reductions (max, min over the entries) and losses.

Each row is a ``MatrixOp``: shape rule, exact forward value, one vector-Jacobian rule per input,
display forms and notation, its kinks, and a check of the values it accepts (a one-hot
label, probabilities in (0, 1)). The losses follow the usual definitions for one sample:
softmax(s)_i = e^{s_i} / sum_j e^{s_j}; CE(s, t) = -sum_i t_i log softmax(s)_i (t a one-hot
label or a distribution); BCE(p, y) = mean(-(y ln p + (1 - y) ln(1 - p))); MSE(a, b) =
mean((a - b)^2); hinge(s, t) = sum_{j != y} max(0, s_j - s_y + 1), y the class of the one-hot t
(CS231n's multiclass SVM loss). A max or min over the entries sends the gradient to the entry
that wins; at a tie of k entries as the exam's tie convention says (symdl/ops/conventions.py):
1/k to each (the default, torch.amax's even split), all to the first in reading order
(torch.max along a dimension, torch.argmax), or the whole gradient to each.
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from symdl.ops.base import MatrixOp, ShapeError, m as _m, show_extreme
from symdl.ops.base import sign_of as _sign
from symdl.ops.conventions import DEFAULT_TIES, SUBGRADIENTS, tie_shares


def _vector_shape(name):
    def shape(shapes):
        (r, c), = shapes
        if r != 1 and c != 1:
            raise ShapeError(f"{name} of a {r}x{c} matrix: it takes a vector")
        return (r, c)
    return shape


def _pair_shape(name, vector=False):
    def shape(shapes):
        (sa, sb) = shapes
        if sa != sb:
            raise ShapeError(f"{name} of a {sa[0]}x{sa[1]} and a {sb[0]}x{sb[1]} operand (same shape needed)")
        if vector and 1 not in sa:
            raise ShapeError(f"{name} of a {sa[0]}x{sa[1]} matrix: it takes a vector of scores")
        return (1, 1)
    return shape


# --------------------------------------------------------------- max, min over entries ---

def winners(a, larger=True):
    """Positions (flat) of the entries of ``a`` that equal its max (min), decided exactly."""
    entries = list(a)
    best = 0
    for k in range(1, len(entries)):
        s = _sign(entries[k] - entries[best])
        if (s > 0) if larger else (s < 0):
            best = k
    return [k for k, v in enumerate(entries) if _sign(v - entries[best]) == 0]


def _extreme_forward(larger):
    def forward(vals, show):
        a = vals[0]
        if show:
            f = sympy.Max if larger else sympy.Min
            return _m([[show_extreme(f, *[sympy.UnevaluatedExpr(v) for v in a])]])
        return _m([[a[winners(a, larger)[0]]]])
    return forward


def _extreme_vjp(larger, ties=DEFAULT_TIES):
    """The gradient to the winning entries, a tie of k of them shared as ``ties`` says."""
    def vjp(g, vals, show, need):
        a = vals[0]
        if show:
            return [None]
        won = winners(a, larger)
        share = dict(zip(won, tie_shares(ties, len(won))))
        return [_m(a.rows, a.cols, [g[0, 0] * share[k] if k in share else 0 for k in range(len(a))])]
    return vjp


def _extreme_at_kink(larger):
    def at_kink(vals):
        return len(winners(vals[0], larger)) > 1
    return at_kink


_EXTREME_TEX = {"split": r"\frac{{{g}}}{{k}}\, \mathbf{{1}}[{0} = %s {0}]",
                "first": r"{g}\, \mathbf{{1}}[\text{{first }} {0} = %s {0}]",
                "all": r"{g}\, \mathbf{{1}}[{0} = %s {0}]"}


def _extreme_under(larger):
    def under(row, subgradients, ties):
        tex = _EXTREME_TEX[ties] % (r"\max" if larger else r"\min")
        return replace(row, vjp_f=_extreme_vjp(larger, ties), vjp_tex=(tex,))
    return under


# ------------------------------------------------------------------------- softmax ---

def _rows_of(s):
    """A vector is one row (softmax over its entries); a matrix's rows are each one (the last axis)."""
    return [s] if 1 in s.shape else [s[i, :] for i in range(s.rows)]


def _stack(s, parts):
    return parts[0] if 1 in s.shape else sympy.ImmutableMatrix.vstack(*parts)


def _softmax_row(s):
    exps = [sympy.exp(v) for v in s]
    total = sum(exps)
    return _m(s.rows, s.cols, [e / total for e in exps])


def softmax_exact(s):
    """softmax over a vector's entries, or over each row of a matrix (each row sums to 1)."""
    return _stack(s, [_softmax_row(r) for r in _rows_of(s)])


def _softmax_forward(vals, show):
    return None if show else softmax_exact(vals[0])


def _softmax_row_vjp(g, s):
    exps = [sympy.exp(v) for v in s]
    total, inner = sum(exps), sum(g[k] * exps[k] for k in range(len(exps)))
    # p_k (g_k - <g, p>) over one denominator, its numerator expanded: an equal upstream gives an exact 0
    return _m(s.rows, s.cols, [exps[k] * sympy.expand(g[k] * total - inner) / total**2 for k in range(len(exps))])


def _softmax_vjp(g, vals, show, need):
    if show:
        return [None]
    s = vals[0]
    return [_stack(s, [_softmax_row_vjp(gr, sr) for gr, sr in zip(_rows_of(g), _rows_of(s))])]


def _log_softmax_forward(vals, show):
    if show:
        return None
    s = vals[0]
    lse = sympy.log(sum(sympy.exp(v) for v in s))
    return _m(s.rows, s.cols, [v - lse for v in s])


def _log_softmax_vjp(g, vals, show, need):
    if show:
        return [None]
    p = softmax_exact(vals[0])
    total = sum(g)
    return [_m(p.rows, p.cols, [g[k] - p[k] * total for k in range(len(p))])]


# ------------------------------------------------------------------- causal mask ---

def _causal_forward(vals, show):
    """Entries above the diagonal (key after query, j > i) set to -inf: a softmax after it gives them 0."""
    a = vals[0]
    return _m(a.rows, a.cols, lambda i, j: -sympy.oo if j > i else a[i, j])


def _causal_vjp(g, vals, show, need):
    return [_m(g.rows, g.cols, lambda i, j: 0 if j > i else g[i, j])]


# -------------------------------------------------------------------------- losses ---

def _ce_forward(vals, show):
    if show:
        return None
    s, t = vals
    return _m([[-sum(t[k] * v for k, v in enumerate(_log_softmax_forward([s], False)) if t[k] != 0)]])


def _ce_vjp(g, vals, show, need):
    if show:
        return [None, None]
    s, t = vals
    p, logp = softmax_exact(s), _log_softmax_forward([s], False)
    mass = sum(t)
    return [_m(s.rows, s.cols, [g[0, 0] * (p[k] * mass - t[k]) for k in range(len(p))]),
            _m(t.rows, t.cols, [-g[0, 0] * logp[k] for k in range(len(p))])]


def _bce_forward(vals, show):
    if show:
        return None
    p, y = vals
    n = len(p)
    return _m([[sum(-(y[k] * sympy.log(p[k]) + (1 - y[k]) * sympy.log(1 - p[k])) for k in range(n)) / n]])


def _bce_vjp(g, vals, show, need):
    if show:
        return [None, None]
    p, y = vals
    n = len(p)
    return [_m(p.rows, p.cols, [g[0, 0] * (p[k] - y[k]) / (p[k] * (1 - p[k])) / n for k in range(n)]),
            _m(y.rows, y.cols, [g[0, 0] * (sympy.log(1 - p[k]) - sympy.log(p[k])) / n for k in range(n)])]


def _bce_check(vals):
    p, y = vals
    if any(_sign(v) <= 0 or _sign(1 - v) <= 0 for v in p):
        return "the first argument of BCE holds probabilities: every entry strictly between 0 and 1"
    if any(_sign(v) < 0 or _sign(1 - v) < 0 for v in y):
        return "the second argument of BCE holds targets between 0 and 1"
    return None


def _mse_forward(vals, show):
    a, b = vals
    n = len(a)
    if show:
        terms = [sympy.Pow(sympy.Add(sympy.UnevaluatedExpr(a[k]), -sympy.UnevaluatedExpr(b[k]), evaluate=False),
                           2, evaluate=False) for k in range(n)]
        return _m([[sympy.Mul(sympy.Add(*terms, evaluate=False), sympy.Pow(n, -1, evaluate=False), evaluate=False)]])
    return _m([[sum((a[k] - b[k]) ** 2 for k in range(n)) / n]])


def _mse_vjp(g, vals, show, need):
    if show:
        return [None, None]
    a, b = vals
    n = len(a)
    d = [2 * g[0, 0] * (a[k] - b[k]) / n for k in range(n)]
    return [_m(a.rows, a.cols, d), _m(b.rows, b.cols, [-v for v in d])]


def label_of(t):
    """The class of a one-hot label vector (its position of the 1), or None when it is not one-hot."""
    ones = [k for k, v in enumerate(t) if v == 1]
    return ones[0] if len(ones) == 1 and all(v == 0 for k, v in enumerate(t) if k != ones[0]) else None


def _hinge_forward(vals, show):
    if show:
        return None
    s, t = vals
    y = label_of(t)
    return _m([[sum(max_zero(s[j] - s[y] + 1) for j in range(len(s)) if j != y)]])


def max_zero(v):
    return v if _sign(v) > 0 else sympy.S.Zero


def _hinge_at_kink(vals):
    s, t = vals
    y = label_of(t)
    return y is not None and any(_sign(s[j] - s[y] + 1) == 0 for j in range(len(s)) if j != y)


def _hinge_under(row, subgradients, ties):
    """A margin of exactly 0 is relu's kink."""
    return replace(row, vjp_f=hinge_vjp(SUBGRADIENTS[subgradients]["relu"]))


def hinge_vjp(at_zero):
    """The hinge's rule with the relu convention at a margin of exactly 0 (``at_zero``)."""
    def vjp(g, vals, show, need):
        if show:
            return [None, None]
        s, t = vals
        y = label_of(t)
        active = [sympy.Integer(0) if j == y else
                  (sympy.Integer(1) if _sign(s[j] - s[y] + 1) > 0 else
                   (at_zero if _sign(s[j] - s[y] + 1) == 0 else sympy.Integer(0))) for j in range(len(s))]
        grad = [g[0, 0] * (active[j] if j != y else -sum(active)) for j in range(len(s))]
        return [_m(s.rows, s.cols, grad), _m(t.rows, t.cols, [0] * len(t))]
    return vjp


def _hinge_check(vals):
    return None if label_of(vals[1]) is not None else "the second argument of the hinge loss is a one-hot label"


def _ce_check(vals):
    t = vals[1]
    if any(_sign(v) < 0 for v in t):
        return "the second argument of CE is a label: a one-hot vector or a distribution (no negative entry)"
    return None


# ----------------------------------------------------------------------- the rows ---

def _row(name, words, arity, shape, forward, vjp, fwd, vjp_tex, symbol, text, **facts):
    return MatrixOp(name, words, arity, shape, forward, vjp, fwd, vjp_tex, symbol=symbol, text=text, **facts)


def _scalar(shapes):
    return (1, 1)


ROWS = [
    _row("max_all", "maximum over the entries", 1, _scalar, _extreme_forward(True), _extreme_vjp(True),
         r"\max {0}", (_EXTREME_TEX["split"] % r"\max",), r"\max", "max", overloads=("max",), kinks=("subgradient",),
         at_kink=_extreme_at_kink(True), under=_extreme_under(True)),
    _row("min_all", "minimum over the entries", 1, _scalar, _extreme_forward(False), _extreme_vjp(False),
         r"\min {0}", (_EXTREME_TEX["split"] % r"\min",), r"\min", "min", overloads=("min",), kinks=("subgradient",),
         at_kink=_extreme_at_kink(False), under=_extreme_under(False)),
    _row("softmax", "softmax", 1, lambda shapes: shapes[0], _softmax_forward, _softmax_vjp,
         r"\operatorname{{softmax}}({0})",
         (r"p \odot \left({g} - \langle {g}, p \rangle\right),\ p = \operatorname{{softmax}}({0})",),
         r"\mathrm{softmax}", "softmax", spellings=("softmax", "Softmax")),
    _row("causal", "causal mask (entries above the diagonal to minus infinity)", 1, lambda shapes: shapes[0],
         _causal_forward, _causal_vjp, r"\operatorname{{causal}}({0})", (r"{g} \odot \mathbf{{1}}[j \le i]",),
         r"\mathrm{causal}", "causal", spellings=("causal",), masks=True),
    _row("log_softmax", "log-softmax", 1, _vector_shape("log-softmax"), _log_softmax_forward, _log_softmax_vjp,
         r"\log\operatorname{{softmax}}({0})", (r"{g} - \operatorname{{softmax}}({0}) \textstyle\sum {g}",),
         r"\log\mathrm{softmax}", "log softmax", spellings=("logsoftmax", "LogSoftmax")),
    _row("cross_entropy", "cross-entropy", 2, _pair_shape("cross-entropy", vector=True), _ce_forward, _ce_vjp,
         r"\operatorname{{CE}}({0}, {1})",
         (r"{g} \left(\operatorname{{softmax}}({0}) \textstyle\sum {1} - {1}\right)",
          r"-{g} \log\operatorname{{softmax}}({0})"), r"\mathrm{CE}", "CE", spellings=("CE", "crossentropy"),
         check=_ce_check),
    _row("bce", "binary cross-entropy", 2, _pair_shape("binary cross-entropy"), _bce_forward, _bce_vjp,
         r"\operatorname{{BCE}}({0}, {1})",
         (r"\frac{{{g}}}{{n}}\, \frac{{{0} - {1}}}{{{0} \odot (1 - {0})}}",
          r"\frac{{{g}}}{{n}} \left(\ln(1 - {0}) - \ln {0}\right)"), r"\mathrm{BCE}", "BCE",
         spellings=("BCE",), check=_bce_check),
    _row("mse", "mean squared error", 2, _pair_shape("mean squared error"), _mse_forward, _mse_vjp,
         r"\operatorname{{MSE}}({0}, {1})",
         (r"\frac{{2 {g}}}{{n}} ({0} - {1})", r"-\frac{{2 {g}}}{{n}} ({0} - {1})"), r"\mathrm{MSE}", "MSE",
         spellings=("MSE",)),
    _row("hinge", "multiclass hinge loss", 2, _pair_shape("hinge loss", vector=True), _hinge_forward,
         hinge_vjp(sympy.Integer(0)), r"\operatorname{{hinge}}({0}, {1})",
         (r"{g} \left(\mathbf{{1}}[m > 0] - {1} \textstyle\sum_{{j}} \mathbf{{1}}[m_j > 0]\right),\ "
          r"m_j = s_j - s_y + 1\ (j \ne y)", "0"), r"\mathrm{hinge}", "hinge", spellings=("hinge",),
         kinks=("subgradient",), at_kink=_hinge_at_kink, under=_hinge_under, check=_hinge_check),
]
