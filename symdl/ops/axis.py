"""Rows of the op table for softmax and log-softmax along the columns: ``\\operatorname{softmax}_{0}(S)``.

The subscript is the axis as PyTorch numbers it: ``softmax_{0}`` is ``torch.softmax(S, dim=0)``,
each column on its own (every column sums to 1); ``softmax_{1}`` (or ``_{-1}``) is the plain
``softmax``, each row on its own. A row vector along axis 0 has columns of one entry: all 1 (log 0).
Backward, column by column: softmax ``p (g - <g, p>)``, log-softmax ``g - p sum(g)``.
"""

from __future__ import annotations

import sympy

from symdl.ops.base import MatrixOp, m as _m


def _columns(s):
    return [s[:, j] for j in range(s.cols)]


def _softmax_column(s):
    exps = [sympy.exp(v) for v in s]
    total = sum(exps)
    return _m(s.rows, 1, [e / total for e in exps])


def _softmax_column_vjp(g, s):
    exps = [sympy.exp(v) for v in s]
    total, inner = sum(exps), sum(g[k] * exps[k] for k in range(len(exps)))
    # p_k (g_k - <g, p>) over one denominator, its numerator expanded: an equal upstream gives an exact 0
    return _m(s.rows, 1, [exps[k] * sympy.expand(g[k] * total - inner) / total**2 for k in range(len(exps))])


def _log_softmax_column(s):
    lse = sympy.log(sum(sympy.exp(v) for v in s))
    return _m(s.rows, 1, [v - lse for v in s])


def _log_softmax_column_vjp(g, s):
    p, total = _softmax_column(s), sum(g)
    return _m(s.rows, 1, [g[k] - p[k] * total for k in range(s.rows)])


def _by_columns(one):
    def forward(vals, show):
        return None if show else sympy.ImmutableMatrix.hstack(*[one(c) for c in _columns(vals[0])])
    return forward


def _vjp_by_columns(one):
    def vjp(g, vals, show, need):
        if show:
            return [None]
        s = vals[0]
        return [sympy.ImmutableMatrix.hstack(*[one(gc, sc) for gc, sc in zip(_columns(g), _columns(s))])]
    return vjp


def _same_shape(shapes):
    return shapes[0]


ROWS = [
    MatrixOp("softmax_col", "softmax along the columns (axis 0)", 1, _same_shape, _by_columns(_softmax_column),
             _vjp_by_columns(_softmax_column_vjp), r"\operatorname{{softmax}}_{{0}}({0})",
             (r"p \odot \left({g} - \mathbf{{1}} \mathbf{{1}}^T ({g} \odot p)\right),\ "
              r"p = \operatorname{{softmax}}_{{0}}({0})",),
             symbol=r"\mathrm{softmax}_0", text="softmax_0", axis=("softmax", 0)),
    MatrixOp("log_softmax_col", "log-softmax along the columns (axis 0)", 1, _same_shape,
             _by_columns(_log_softmax_column), _vjp_by_columns(_log_softmax_column_vjp),
             r"\log\operatorname{{softmax}}_{{0}}({0})",
             (r"{g} - \operatorname{{softmax}}_{{0}}({0}) \odot \mathbf{{1}} \mathbf{{1}}^T {g}",),
             symbol=r"\log\mathrm{softmax}_0", text="log softmax_0", axis=("log_softmax", 0)),
]
