"""Attention beyond softmax and causal: valid lengths (d2l's masked_softmax), a given mask, batches
stacked as blocks, several heads with their projections; forward and backward against torch
(d2l's own masked_softmax written out, scaled_dot_product_attention, nn.MultiheadAttention) and
by hand; an exact zero (a softmax row's gradient summed against equal keys) verified as zero."""

import numpy as np
import pytest
import sympy

from symdl.ops import table
from symdl.errors import SpecError
from support import solution_of
from symdl.check.verify import verify

from test_graph_attention import as_float, solved, tex
from test_graph_subgradients import question

VALID = r"\operatorname{sum}(U \odot (\operatorname{softmax}(\operatorname{valid}(\frac{Q K^T}{\sqrt{d}}, l)) V))"
MASKED = r"\operatorname{sum}(U \odot (\operatorname{softmax}(\operatorname{mask}(\frac{Q K^T}{\sqrt{d}}, M)) V))"
CAUSAL_BATCH = (r"\operatorname{sum}(U \odot (\operatorname{softmax}(\operatorname{valid}("
                r"\operatorname{causal}(\frac{Q K^T}{\sqrt{d}}), l)) V))")


def rounded(rng, shape):
    return np.round(rng.uniform(-1, 1, shape), 2)


# ------------------------------------------------------------------------ by hand ---

def test_valid_lengths_by_hand(tmp_path):
    # one sequence, lengths per query [1 2]: S = [[0, ln 3, 5], [ln 3, 0, 7]] masks S_12, S_13 and S_23:
    # P = [[1, 0, 0], [3/4, 1/4, 0]]; upstream [[1, 0, 0], [1, 0, 0]]: dS row 1 = 0 (one key),
    # row 2 = p (e_1 - p_1) = [3/4 * 1/4, -1/4 * 3/4, 0] = [3/16, -3/16, 0]
    a = solved(question(tmp_path, r"\operatorname{softmax}(\operatorname{valid}(S, l))",
                        {"S": r"\begin{bmatrix} 0 & \ln(3) & 5 \\ \ln(3) & 0 & 7 \end{bmatrix}",
                         "l": r"[1 \quad 2]"},
                        upstream=r"\begin{bmatrix} 1 & 0 & 0 \\ 1 & 0 & 0 \end{bmatrix}"))
    assert [sympy.nsimplify(sympy.simplify(v)) for v in a["output"]] == \
        [1, 0, 0, sympy.Rational(3, 4), sympy.Rational(1, 4), 0]
    assert [sympy.nsimplify(sympy.simplify(v)) for v in a["grad.S"]] == \
        [0, 0, 0, sympy.Rational(3, 16), -sympy.Rational(3, 16), 0]
    assert "grad.l" not in a            # lengths are counts: no gradient is asked of them


def test_batch_blocks_by_hand(tmp_path):
    # two sequences of one query and two keys each, lengths per sequence [1 2]: the 2 x 4 scores keep
    # S_11 (sequence 1, key 1) and S_23, S_24 (sequence 2, both keys); everything else is masked
    a = solved(question(tmp_path, r"\operatorname{valid}(S, l)",
                        {"S": r"\begin{bmatrix} 1 & 2 & 3 & 4 \\ 5 & 6 & 7 & 8 \end{bmatrix}",
                         "l": r"[1 \quad 2]^T"},
                        upstream=r"\begin{bmatrix} 1 & 1 & 1 & 1 \\ 1 & 1 & 1 & 1 \end{bmatrix}"))
    oo = sympy.oo
    assert list(a["output"]) == [1, -oo, -oo, -oo, -oo, -oo, 7, 8]
    assert list(a["grad.S"]) == [1, 0, 0, 0, 0, 0, 1, 1]


def test_mask_by_hand(tmp_path):
    a = solved(question(tmp_path, r"\operatorname{softmax}(\operatorname{mask}(S, M))",
                        {"S": r"\begin{bmatrix} 0 & \ln(3) \\ \ln(2) & 9 \end{bmatrix}",
                         "M": r"\begin{bmatrix} 1 & 1 \\ 1 & 0 \end{bmatrix}"},
                        upstream=r"\begin{bmatrix} 1 & 0 \\ 1 & 0 \end{bmatrix}"))
    assert [sympy.nsimplify(sympy.simplify(v)) for v in a["output"]] == [sympy.Rational(1, 4), sympy.Rational(3, 4), 1, 0]
    assert [sympy.nsimplify(sympy.simplify(v)) for v in a["grad.S"]] == \
        [sympy.Rational(3, 16), -sympy.Rational(3, 16), 0, 0]


@pytest.mark.parametrize("function, values, words", [
    (r"\operatorname{valid}(S, l)", {"S": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", "l": r"[1 \quad 0]"},
     "a length of 0 masks a whole row"),
    (r"\operatorname{valid}(S, l)", {"S": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", "l": "1.5"},
     "whole number of keys"),
    (r"\operatorname{valid}(S, l)", {"S": r"\begin{bmatrix} 1 & 2 & 3 \\ 3 & 4 & 5 \end{bmatrix}",
                                     "l": r"[1 \quad 2]^T"}, "must split into 2 sequences"),
    (r"\operatorname{mask}(S, M)", {"S": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
                                    "M": r"\begin{bmatrix} 1 & 0 \\ 0 & 0 \end{bmatrix}"}, "attends to nothing"),
    (r"\operatorname{mask}(S, M)", {"S": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
                                    "M": r"\begin{bmatrix} 1 & 0.5 \\ 1 & 1 \end{bmatrix}"}, "holds 1"),
])
def test_bad_lengths_and_masks_are_refused(tmp_path, function, values, words):
    upstream = r"\begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}" if "2 & 3 \\\\ 3" not in values["S"] else \
        r"\begin{bmatrix} 1 & 1 & 1 \\ 1 & 1 & 1 \end{bmatrix}"
    with pytest.raises(SpecError, match=words):
        solution_of(question(tmp_path, function, values, upstream=upstream))


def test_rows_hold_every_fact():
    for name in ("valid", "mask", "concat"):
        row = table.TABLE[name]
        assert row.arity == 2 and len(row.vjp_tex) == 2 and row.spellings == (name,)
        assert table.FUNCTION_NAMES[name] == name and row.masks == (name != "concat")


# ------------------------------------------------------------ against torch (d2l) ---

def _d2l_masked_softmax(torch, x, valid_lens):
    """d2l.ai's masked_softmax (section 11.3), its -1e6 written as d2l writes it, without the in-place write."""
    shape = x.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    flat = x.reshape(-1, shape[-1])
    mask = torch.arange(shape[-1], dtype=torch.float64)[None, :] < valid_lens[:, None]
    flat = torch.where(mask, flat, torch.tensor(-1e6, dtype=torch.float64))
    return torch.nn.functional.softmax(flat.reshape(shape), dim=-1)


def _compare(answers, tensors, out, u):
    assert float(answers["output"][0]) == pytest.approx(float((out.detach().numpy() * u).sum()), rel=1e-12)
    for name, t in tensors:
        got = as_float(answers[f"grad.{name}"], (-1, t.shape[-1]))
        np.testing.assert_allclose(got, t.grad.numpy().reshape(-1, t.shape[-1]), rtol=1e-10, atol=1e-12)


CASES = [  # (batch, queries, keys, d, value dim, lengths: per sequence (1-D) or per query (2-D))
    (1, 3, 3, 2, 2, [2]),
    (1, 2, 3, 2, 2, [[1, 3]]),
    (2, 2, 3, 2, 2, [2, 3]),
    (2, 1, 4, 2, 1, [2, 4]),
    (2, 2, 2, 3, 2, [[1, 2], [2, 1]]),
]


@pytest.mark.parametrize("case", CASES)
def test_valid_lengths_against_d2l(tmp_path, case):
    torch = pytest.importorskip("torch")
    b, n, m, d, dv, lengths = case
    rng = np.random.default_rng(b * 100 + n * 10 + m)
    q, k, v, u = (rounded(rng, s) for s in ((b, n, d), (b, m, d), (b, m, dv), (b, n, dv)))
    table = np.array(lengths).reshape(b, -1)
    answers = solved(question(tmp_path, VALID, {"Q": tex(q.reshape(-1, d)), "K": tex(k.reshape(-1, d)),
                                                "V": tex(v.reshape(-1, dv)), "U": tex(u.reshape(-1, dv)),
                                                "d": str(d), "l": tex(table)}))
    tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v))
    scores = torch.bmm(tq, tk.transpose(1, 2)) / np.sqrt(d)
    out = torch.bmm(_d2l_masked_softmax(torch, scores, torch.tensor(lengths, dtype=torch.float64)), tv)
    (out * torch.tensor(u)).sum().backward()
    _compare(answers, (("Q", tq), ("K", tk), ("V", tv)), out, u)


# ------------------------------------------------------------ against torch (sdpa) ---

@pytest.mark.parametrize("shape", [(2, 2, 2, 2), (3, 2, 4, 2), (4, 3, 3, 1)])
def test_mask_against_sdpa(tmp_path, shape):
    torch = pytest.importorskip("torch")
    n, d, m, dv = shape
    rng = np.random.default_rng(sum(shape))
    q, k, v, u = (rounded(rng, s) for s in ((n, d), (m, d), (m, dv), (n, dv)))
    mask = (rng.uniform(size=(n, m)) < 0.6).astype(int)
    mask[np.arange(n), rng.integers(0, m, n)] = 1          # every query attends to a key
    answers = solved(question(tmp_path, MASKED, {"Q": tex(q), "K": tex(k), "V": tex(v), "U": tex(u),
                                                 "d": str(d), "M": tex(mask)}))
    for attn_mask in (torch.tensor(mask == 1),                                       # boolean: True = attend
                      torch.tensor(np.where(mask == 1, 0.0, -np.inf))):              # additive float mask
        tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v))
        out = torch.nn.functional.scaled_dot_product_attention(tq[None], tk[None], tv[None], attn_mask=attn_mask)[0]
        (out * torch.tensor(u)).sum().backward()
        _compare(answers, (("Q", tq), ("K", tk), ("V", tv)), out, u)
    assert "grad.M" not in answers      # a mask is no variable


@pytest.mark.parametrize("causal", [False, True])
def test_batch_against_sdpa(tmp_path, causal):
    torch = pytest.importorskip("torch")
    b, n, d, dv = 2, 3, 2, 2
    rng = np.random.default_rng(7 + causal)
    q, k, v, u = (rounded(rng, s) for s in ((b, n, d), (b, n, d), (b, n, dv), (b, n, dv)))
    answers = solved(question(tmp_path, CAUSAL_BATCH if causal else VALID,
                              {"Q": tex(q.reshape(-1, d)), "K": tex(k.reshape(-1, d)), "V": tex(v.reshape(-1, dv)),
                               "U": tex(u.reshape(-1, dv)), "d": str(d), "l": r"[3 \quad 3]^T"}))
    tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v))
    out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)
    (out * torch.tensor(u)).sum().backward()
    _compare(answers, (("Q", tq), ("K", tk), ("V", tv)), out, u)


# ------------------------------------------------- several heads, nn.MultiheadAttention ---

def _head(h, batch):
    scores = rf"\frac{{X W_{{q{h}}} (X W_{{k{h}}})^T}}{{\sqrt{{2}}}}"
    if batch > 1:
        scores = rf"\operatorname{{valid}}({scores}, l)"
    return rf"\operatorname{{softmax}}({scores}) X W_{{v{h}}}"


@pytest.mark.parametrize("batch", [1, 2])
def test_two_heads_against_multihead_attention(tmp_path, batch):
    torch = pytest.importorskip("torch")
    n, e, heads, dh = 2, 4, 2, 2
    rng = np.random.default_rng(11 + batch)
    x, u = rounded(rng, (batch, n, e)), rounded(rng, (batch, n, e))
    w = {f"W_{p}{h}": rounded(rng, (e, dh)) for p in "qkv" for h in (1, 2)}
    w["W_o"] = rounded(rng, (e, e))
    function = rf"\operatorname{{sum}}(U \odot (\operatorname{{concat}}({_head(1, batch)}, {_head(2, batch)}) W_o))"
    values = {"X": tex(x.reshape(-1, e)), "U": tex(u.reshape(-1, e)), **{k: tex(a) for k, a in w.items()}}
    if batch > 1:
        values["l"] = tex(np.full((batch, 1), n))
    answers = solved(question(tmp_path, function, values))
    mha = torch.nn.MultiheadAttention(e, heads, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():       # PyTorch computes x W^T: its rows of in_proj_weight are our columns, head by head
        mha.in_proj_weight.copy_(torch.tensor(np.vstack([np.hstack([w[f"W_{p}1"], w[f"W_{p}2"]]).T for p in "qkv"])))
        mha.out_proj.weight.copy_(torch.tensor(w["W_o"].T))
    tx = torch.tensor(x, requires_grad=True)
    out, _ = mha(tx, tx, tx, need_weights=False)
    (out * torch.tensor(u)).sum().backward()
    assert float(answers["output"][0]) == pytest.approx(float((out.detach().numpy() * u).sum()), rel=1e-12)
    np.testing.assert_allclose(as_float(answers["grad.X"], (-1, e)), tx.grad.numpy().reshape(-1, e), rtol=1e-10)
    grads = mha.in_proj_weight.grad.numpy()
    for k, p in enumerate("qkv"):
        block = grads[k * e:(k + 1) * e].T                    # our W_p1 | W_p2, side by side
        for h in (1, 2):
            np.testing.assert_allclose(as_float(answers[f"grad.W_{p}{h}"], (e, dh)),
                                       block[:, (h - 1) * dh:h * dh], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(as_float(answers["grad.W_o"], (e, e)), mha.out_proj.weight.grad.numpy().T,
                               rtol=1e-10, atol=1e-13)


# ------------------------------------------------------------ an exact zero, both ways ---

ATTENTION = r"\operatorname{sum}(U \odot (\operatorname{softmax}(\frac{Q K^T}{\sqrt{2}}) V))"


def test_exact_zero_of_named_values_is_zero(tmp_path):
    # every key has first entry 0.4: dQ's first column is 0.4 / sqrt 2 times a row sum of dS, which is 0
    # (a softmax's gradient sums to 0 along its row); the entries are long enough to be kept by name
    values = {"Q": r"\begin{bmatrix} 0.3 & -0.2 \\ 0.5 & 0.1 \\ 0.7 & -0.4 \end{bmatrix}",
              "K": r"\begin{bmatrix} 0.4 & 0.7 \\ 0.4 & 0.1 \\ 0.4 & -0.3 \end{bmatrix}",
              "V": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \\ -1 & 0.5 \end{bmatrix}",
              "U": r"\begin{bmatrix} 1 & -1 \\ 2 & 0.5 \\ 0.3 & 0.2 \end{bmatrix}"}
    a = solved(question(tmp_path, ATTENTION, values))
    dq = list(a["grad.Q"])
    assert dq[0] == dq[2] == dq[4] == 0 and dq[0] is sympy.S.Zero        # exact, not a 1e-6371 residue
    assert all(abs(float(v)) > 0.01 for v in dq[1::2])


def test_named_value_keeps_a_true_tiny_value():
    from symdl.kinds.graph.named import Named
    tiny = Named(1 - sympy.tanh(sympy.Integer(150)), "t")         # 2 e^-300, after a cancellation of 1 - 1
    assert not tiny.vanishes
    assert float(sympy.N(tiny / (2 * sympy.exp(-300)), 20)) == pytest.approx(1, rel=1e-12)
    residue = Named(sympy.sqrt(2) * tiny - sympy.sqrt(2) * tiny * sympy.Integer(1), "r")
    assert residue.vanishes or residue == 0


def _equal_keys(tmp_path):
    # K's two rows equal: every softmax row is uniform, and U's first row sends an upstream of equal
    # entries into it, so row 1 of dS is exactly 0; the independent route's accumulation leaves 1e-163
    values = {"Q": r"\begin{bmatrix} 0.3 & -0.2 \\ 0.5 & 0.1 \end{bmatrix}",
              "K": r"\begin{bmatrix} 0.4 & 0.7 \\ 0.4 & 0.7 \end{bmatrix}",
              "V": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
              "U": r"\begin{bmatrix} 1 & -1 \\ 2 & 0.5 \end{bmatrix}"}
    q = question(tmp_path, ATTENTION, values)
    return q, solution_of(q)


def test_exact_zero_against_a_rounding_residue(tmp_path):
    q, sol = _equal_keys(tmp_path)
    scores_grad = [n for n in sol.answers if n.startswith("grad.z") and list(sol.answers[n])[:2] == [0, 0]]
    assert scores_grad                                                     # the exact zeros are there
    assert all(c.ok for c in verify(q, sol)), [c for c in verify(q, sol) if not c.ok]


def test_a_wrong_tiny_value_still_fails(tmp_path):
    q, sol = _equal_keys(tmp_path)
    name = next(n for n in sol.answers if n.startswith("grad.z") and list(sol.answers[n])[:2] == [0, 0])
    good = sol.answers[name]
    sol.answers[name] = sympy.ImmutableMatrix(good.rows, good.cols, [sympy.Rational(1, 10**40)] + list(good)[1:])
    bad = [c.name for c in verify(q, sol) if not c.ok]
    assert bad == [name]


def test_two_heads_with_biases_against_multihead_attention(tmp_path):
    # nn.MultiheadAttention's default bias=True: each projection adds a bias to every row, written
    # X W + 1 b^T with 1 a column of ones (a constant of the function); in_proj_bias = [b_q; b_k; b_v]
    torch = pytest.importorskip("torch")
    n, e, dh = 2, 4, 2
    rng = np.random.default_rng(5)
    x, u = rounded(rng, (n, e)), rounded(rng, (n, e))
    w = {f"W_{p}{h}": rounded(rng, (e, dh)) for p in "qkv" for h in (1, 2)}
    w.update({f"b_{p}{h}": rounded(rng, (dh, 1)) for p in "qkv" for h in (1, 2)})
    w["W_o"], w["b_o"] = rounded(rng, (e, e)), rounded(rng, (e, 1))
    ones = r"[1 \quad 1]^T"

    def proj(p, h):
        return rf"(X W_{{{p}{h}}} + {ones} b_{{{p}{h}}}^T)"

    def head(h):
        return rf"\operatorname{{softmax}}(\frac{{{proj('q', h)} {proj('k', h)}^T}}{{\sqrt{{2}}}}) {proj('v', h)}"
    function = rf"\operatorname{{sum}}(U \odot (\operatorname{{concat}}({head(1)}, {head(2)}) W_o + {ones} b_o^T))"
    answers = solved(question(tmp_path, function, {"X": tex(x), "U": tex(u), **{k: tex(a) for k, a in w.items()}}))
    mha = torch.nn.MultiheadAttention(e, 2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.tensor(np.vstack([np.hstack([w[f"W_{p}1"], w[f"W_{p}2"]]).T for p in "qkv"])))
        mha.in_proj_bias.copy_(torch.tensor(np.concatenate([np.vstack([w[f"b_{p}1"], w[f"b_{p}2"]]).ravel()
                                                            for p in "qkv"])))
        mha.out_proj.weight.copy_(torch.tensor(w["W_o"].T))
        mha.out_proj.bias.copy_(torch.tensor(w["b_o"].ravel()))
    tx = torch.tensor(x[None], requires_grad=True)
    out, _ = mha(tx, tx, tx, need_weights=False)
    (out[0] * torch.tensor(u)).sum().backward()
    assert float(answers["output"][0]) == pytest.approx(float((out[0].detach().numpy() * u).sum()), rel=1e-12)
    np.testing.assert_allclose(as_float(answers["grad.X"], (n, e)), tx.grad.numpy()[0], rtol=1e-10)
    bias_grad = mha.in_proj_bias.grad.numpy()
    for k, p in enumerate("qkv"):
        for h in (1, 2):
            start = k * e + (h - 1) * dh
            np.testing.assert_allclose(as_float(answers[f"grad.b_{p}{h}"], (dh,)), bias_grad[start:start + dh],
                                       rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(as_float(answers["grad.b_o"], (e,)), mha.out_proj.bias.grad.numpy(), rtol=1e-10)


def test_a_residue_squared_is_an_exact_zero(tmp_path):
    # found by test_graph.py's random graphs: (1/2 - 1/2)^2 chased to 6,000 digits read 7.3e-12842 with
    # every bit "accurate"; evaluated again with twice the digits it moves by thousands of orders: a residue
    a = solved(question(tmp_path, r"(((0.5) - (0.5)) \cdot (\tanh(A)))^{2}", {"A": "0.05"}))
    assert a["grad.A"][0] is sympy.S.Zero


def test_a_true_tiny_named_value_is_kept():
    from symdl.kinds.graph.named import Named, _named
    value = _named(sympy.exp(-400) / (1 + sympy.exp(-400)) ** 2, "s")         # sigma'(400), below 2^-512
    assert isinstance(value, Named) and float(sympy.N(value / sympy.exp(-400), 20)) == pytest.approx(1, rel=1e-12)
