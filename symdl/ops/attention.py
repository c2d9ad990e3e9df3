"""Rows of the op table for attention beside softmax and causal: valid lengths, a given mask, concatenation.

- ``valid(S, l)``: d2l's valid lengths. The keys past a query's valid length are masked. A batch of
  B sequences is stacked: S holds B blocks of n query rows and m key columns (S = Q K^T of the
  stacked Q (B n x d) and K (B m x d)), and every entry outside a sequence's own diagonal block is
  masked too. ``l`` is 1 x 1 (one sequence, one length), B x 1 (one length per sequence, d2l's 1-D
  valid_lens) or B x n (one length per query, d2l's 2-D valid_lens). A valid length of 0 masks a
  whole row and is refused (PyTorch's -inf gives NaN there, d2l's -1e6 equal weights).
- ``mask(S, M)``: M of S's shape, 1 where query i may attend to key j and 0 where not (the
  boolean ``attn_mask`` of ``torch.nn.functional.scaled_dot_product_attention``, True = attend):
  S + A with A = 0 where M = 1 and -inf where M = 0 (PyTorch's additive float mask).
- ``concat(A, B)``: A and B side by side (the heads of multi-head attention, ``torch.cat(dim=-1)``).

A masked entry is -inf (PyTorch's convention), so a softmax after it gives exactly 0; d2l's
masked_softmax writes -1e6, whose weight e^{-10^6} is below 10^{-434294}: the same numbers in
every digit shown and in float64. The backward pass passes the upstream gradient where an entry
is kept and 0 where it is masked; the lengths and the mask are counts, not variables: gradient 0.
"""

from __future__ import annotations

import sympy

from symdl.ops.base import MatrixOp, ShapeError, m as _m


# ------------------------------------------------------------------- valid lengths ---

def layout(s_shape, l_shape):
    """(B, n, m, per_query) for scores of ``s_shape`` and lengths of ``l_shape``; ShapeError when they do not fit."""
    (r, c), (b, k) = s_shape, l_shape
    if (b, k) == (1, 1):
        return 1, r, c, False
    if r % b or c % b:
        raise ShapeError(f"valid lengths of {b} sequences for a {r}x{c} score matrix: its rows and columns "
                           f"must split into {b} sequences")
    n = r // b
    if k not in (1, n):
        raise ShapeError(f"valid lengths as a {b}x{k} table for {b} sequences of {n} queries: one column "
                           f"(a length per sequence) or {n} (a length per query)")
    return b, n, c // b, k == n and k > 1


def kept_by_length(s_shape, lengths):
    """keep(i, j) for valid lengths ``lengths`` (a SymPy matrix of integers)."""
    b, n, m, per_query = layout(s_shape, tuple(lengths.shape))

    def keep(i, j):
        seq = i // n
        if j // m != seq:
            return False
        length = lengths[seq, i % n] if per_query else lengths[seq, 0]
        return j - seq * m < length
    return keep


def _valid_shape(shapes):
    layout(*shapes)
    return shapes[0]


def _valid_forward(vals, show):
    s, lengths = vals
    keep = kept_by_length(s.shape, lengths)
    return _m(s.rows, s.cols, lambda i, j: s[i, j] if keep(i, j) else -sympy.oo)


def _valid_vjp(g, vals, show, need):
    s, lengths = vals
    keep = kept_by_length(s.shape, lengths)
    return [_m(g.rows, g.cols, lambda i, j: g[i, j] if keep(i, j) else 0), sympy.zeros(*lengths.shape)]


def _valid_check(vals):
    s, lengths = vals
    if any(not (isinstance(v, sympy.Integer) and v >= 1) for v in lengths):
        return ("a valid length is a whole number of keys, at least 1 (a length of 0 masks a whole row: "
                "PyTorch's softmax gives NaN there, d2l's -1e6 equal weights)")
    return None



# ---------------------------------------------------------------------------- mask ---

def _mask_shape(shapes):
    s, m = shapes
    if s != m:
        raise ShapeError(f"mask of a {s[0]}x{s[1]} score matrix with a {m[0]}x{m[1]} mask (same shape needed)")
    return s


def _mask_forward(vals, show):
    s, mask = vals
    return _m(s.rows, s.cols, lambda i, j: s[i, j] if mask[i, j] == 1 else -sympy.oo)


def _mask_vjp(g, vals, show, need):
    s, mask = vals
    return [_m(g.rows, g.cols, lambda i, j: g[i, j] if mask[i, j] == 1 else 0), sympy.zeros(*mask.shape)]


def _mask_check(vals):
    s, mask = vals
    if any(v not in (0, 1) for v in mask):
        return "a mask holds 1 (the query attends to the key) or 0 (it does not) in every entry"
    if any(all(mask[i, j] == 0 for j in range(mask.cols)) for i in range(mask.rows)):
        return ("a row of the mask is all 0: that query attends to nothing (PyTorch's softmax gives NaN there); "
                "keep at least one key per row")
    return None



# ----------------------------------------------------------------------- concat ---

def _concat_shape(shapes):
    (ra, ca), (rb, cb) = shapes
    if ra != rb:
        raise ShapeError(f"concat of a {ra}x{ca} and a {rb}x{cb} matrix side by side (same rows needed)")
    return (ra, ca + cb)


def _concat_forward(vals, show):
    return _m(sympy.ImmutableMatrix.hstack(*vals))


def _concat_vjp(g, vals, show, need):
    a, b = vals
    return [_m(g[:, :a.cols]), _m(g[:, a.cols:])]


# ----------------------------------------------------------------------- the rows ---

ROWS = [
    MatrixOp("valid", "valid lengths (each query keeps the first l keys of its own sequence; the other scores "
             "become minus infinity)", 2, _valid_shape, _valid_forward, _valid_vjp,
             r"\operatorname{{valid}}({0}, {1})",
             (r"{g} \odot \mathbf{{1}}[\text{{key }} j \text{{ valid for query }} i]", "0"),
             symbol=r"\mathrm{valid}", text="valid", spellings=("valid",), check=_valid_check, masks=True, counts=(1,)),
    MatrixOp("mask", "mask (a score whose mask entry is 0 becomes minus infinity)", 2, _mask_shape, _mask_forward,
             _mask_vjp, r"\operatorname{{mask}}({0}, {1})", (r"{g} \odot {1}", "0"),
             symbol=r"\mathrm{mask}", text="mask", spellings=("mask",), check=_mask_check, masks=True, counts=(1,)),
    MatrixOp("concat", "concatenation side by side", 2, _concat_shape, _concat_forward, _concat_vjp,
             r"\left[{0} \;\; {1}\right]",
             (r"\text{{the first columns of }} {g}", r"\text{{the last columns of }} {g}"),
             symbol=r"[\,\cdot\;\cdot\,]", text="[· ·]", spellings=("concat",)),
]
