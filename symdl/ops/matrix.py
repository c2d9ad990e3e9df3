"""Rows of the matrix ops: the matrix product, the transpose, and the sum and mean of all entries."""

from __future__ import annotations

import sympy

from symdl.ops.base import U, MatrixOp, ShapeError, full, m, show_add, show_mul


def _matmul_shape(shapes):
    (rows, k), (k2, cols) = shapes
    if k != k2:
        raise ShapeError(f"matrix product of a {rows}x{k} and a {k2}x{cols} operand")
    return (rows, cols)


def _dot_show(a, b, i, j):
    terms = [show_mul(U(a[i, k]), U(b[k, j])) for k in range(a.cols)]
    return terms[0] if len(terms) == 1 else show_add(*terms)


def _matmul_forward(vals, show):
    a, b = vals
    if show:
        return full((a.rows, b.cols), lambda i, j: _dot_show(a, b, i, j))
    return m(a * b)


def _matmul_vjp(g, vals, show, need):
    a, b = vals
    if show:
        bt, at = b.T, a.T
        return [full(a.shape, lambda i, j: _dot_show(g, bt, i, j)) if need[0] else None,
                full(b.shape, lambda i, j: _dot_show(at, g, i, j)) if need[1] else None]
    return [m(g * b.T), m(a.T * g)]


def _sum_forward(vals, show):
    a = vals[0]
    return m([[sympy.Add(*[U(v) for v in a], evaluate=False) if show else sum(a)]])


def _mean_forward(vals, show):
    a = vals[0]
    if show:
        return m([[sympy.Mul(sympy.Add(*[U(v) for v in a], evaluate=False),
                             sympy.Pow(len(a), -1, evaluate=False), evaluate=False)]])
    return m([[sum(a) / len(a)]])


def _mean_vjp(g, vals, show, need):
    a = vals[0]
    n = len(a)
    if show:
        return [full(a.shape, lambda i, j: sympy.Mul(U(g[0, 0]), sympy.Pow(n, -1, evaluate=False),
                                                     evaluate=False))]
    return [full(a.shape, lambda i, j: g[0, 0] / n)]


def _scalar(shapes):
    return (1, 1)


ROWS = [
    MatrixOp("matmul", "matrix product", 2, _matmul_shape, _matmul_forward, _matmul_vjp, "{0} {1}",
             (r"{g}\, {1}^{{T}}", r"{0}^{{T}} {g}"), symbol=r"\cdot", text="·"),
    MatrixOp("transpose", "transpose", 1, lambda shapes: (shapes[0][1], shapes[0][0]),
             lambda vals, show: m(vals[0].T), lambda g, vals, show, need: [m(g.T)], "{0}^{{T}}", (r"{g}^{{T}}",),
             symbol="T", text="T"),
    MatrixOp("sum", "sum of all entries", 1, _scalar, _sum_forward,
             lambda g, vals, show, need: [full(vals[0].shape, lambda i, j: g[0, 0])],
             r"\textstyle\sum {0}", (r"{g}\, \mathbf{{1}}",), symbol=r"\Sigma", text="Σ", spellings=("sum",)),
    MatrixOp("mean", "mean of all entries", 1, _scalar, _mean_forward, _mean_vjp, r"\operatorname{{mean}}({0})",
             (r"\frac{{{g}}}{{n}}\, \mathbf{{1}}",), symbol=r"\mathrm{mean}", text="mean", spellings=("mean",)),
]
