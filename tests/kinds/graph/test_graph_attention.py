"""Scaled dot-product attention as graph operations: the row-wise softmax and the causal mask,
forward and backward, by hand and against torch.nn.functional.scaled_dot_product_attention."""

import numpy as np
import pytest
import sympy

from symdl.check.verify import verify

from test_graph_subgradients import question
from support import solution_of

ATTENTION = r"\operatorname{sum}(U \odot (\operatorname{softmax}(\frac{Q K^T}{\sqrt{d}}) V))"
CAUSAL = r"\operatorname{sum}(U \odot (\operatorname{softmax}(\operatorname{causal}(\frac{Q K^T}{\sqrt{d}})) V))"


def solved(q):
    sol = solution_of(q)
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    return sol.answers


def tex(a):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in a) + r" \end{bmatrix}"


def as_float(values, shape):
    return np.array([float(v) for v in values], dtype=float).reshape(shape)


# ------------------------------------------------------------------------ by hand ---

def test_row_softmax_by_hand(tmp_path):
    # softmax of [[0, ln 3], [ln 2, ln 2]] row by row: [[1/4, 3/4], [1/2, 1/2]]
    a = solved(question(tmp_path, r"\operatorname{softmax}(S)",
                        {"S": r"\begin{bmatrix} 0 & \ln(3) \\ \ln(2) & \ln(2) \end{bmatrix}"},
                        upstream=r"\begin{bmatrix} 1 & 0 \\ 1 & 0 \end{bmatrix}"))
    out = [sympy.nsimplify(sympy.simplify(v)) for v in a["output"]]
    assert out == [sympy.Rational(1, 4), sympy.Rational(3, 4), sympy.Rational(1, 2), sympy.Rational(1, 2)]
    # d/ds of p_1 (upstream e_1 in each row): p_1 (e_1 - p) = [p1 p2, -p1 p2] per row
    grad = [sympy.nsimplify(sympy.simplify(v)) for v in a["grad.S"]]
    assert grad == [sympy.Rational(3, 16), -sympy.Rational(3, 16), sympy.Rational(1, 4), -sympy.Rational(1, 4)]


def test_attention_2x2_by_hand(tmp_path):
    # Q = I, K = [[ln 3 * sqrt 2... ]]: take d = 1 so S = Q K^T; Q = I, K = [[0, 0], [0, ln 3]]... written so
    # S = [[0, 0], [0, ln 3]], P = [[1/2, 1/2], [1/4, 3/4]], V = [[1, 2], [3, 4]]:
    # O = P V = [[2, 3], [5/2, 7/2]]; with U = ones, sum(O) = 11;
    # dV = P^T 1 = [[3/4, 3/4], [5/4, 5/4]]
    values = {"Q": r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}",
              "K": r"\begin{bmatrix} 0 & 0 \\ 0 & \ln(3) \end{bmatrix}",
              "V": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
              "U": r"\begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}", "d": "1"}
    a = solved(question(tmp_path, ATTENTION, values))
    assert sympy.simplify(a["output"][0] - 11) == 0
    dv = [sympy.nsimplify(sympy.simplify(v)) for v in a["grad.V"]]
    assert dv == [sympy.Rational(3, 4), sympy.Rational(3, 4), sympy.Rational(5, 4), sympy.Rational(5, 4)]
    # dS = P * (dP - rowsum(dP * P)), dP = 1 V^T = [[3, 7], [3, 7]]: row 1 [1/2(3-5), 1/2(7-5)] = [-1, 1],
    # row 2 [1/4(3-6), 3/4(7-6)] = [-3/4, 3/4]; dQ = dS K = [[0, ln 3], [0, 3/4 ln 3]]
    dq = [sympy.simplify(v) for v in a["grad.Q"]]
    assert [sympy.simplify(v - w) for v, w in zip(dq, [0, sympy.log(3), 0, sympy.Rational(3, 4) * sympy.log(3)])] \
        == [0, 0, 0, 0]


def test_causal_2x2_by_hand(tmp_path):
    # Q = I, K = [[ln 2, 0], [0, ln 3]], d = 1: S = [[ln 2, 0], [0, ln 3]]; the mask drops S_12, so
    # P = [[1, 0], [1/4, 3/4]]; V = [[1, 2], [3, 4]]: O = [[1, 2], [5/2, 7/2]], sum(O) = 9;
    # dV = P^T 1 = [[5/4, 5/4], [3/4, 3/4]]; row 1 of dS is 0 (a single unmasked entry), row 2 is
    # [1/4 (3 - 6), 3/4 (7 - 6)] = [-3/4, 3/4], so dK = dS^T Q = [[0, -3/4], [0, 3/4]]
    values = {"Q": r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}",
              "K": r"\begin{bmatrix} \ln(2) & 0 \\ 0 & \ln(3) \end{bmatrix}",
              "V": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
              "U": r"\begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}", "d": "1"}
    a = solved(question(tmp_path, CAUSAL, values))
    assert sympy.simplify(a["output"][0] - 9) == 0
    assert [sympy.nsimplify(sympy.simplify(v)) for v in a["grad.V"]] == \
        [sympy.Rational(5, 4), sympy.Rational(5, 4), sympy.Rational(3, 4), sympy.Rational(3, 4)]
    assert [sympy.nsimplify(sympy.simplify(v)) for v in a["grad.K"]] == [0, -sympy.Rational(3, 4), 0, sympy.Rational(3, 4)]


# ------------------------------------------------------------------ against torch ---

SHAPES = [(2, 2, 2, 2), (3, 2, 3, 2), (4, 3, 4, 2), (2, 3, 3, 2)]     # (queries, d, keys, value dim)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_attention_against_torch(tmp_path, shape, causal):
    torch = pytest.importorskip("torch")
    n, d, m, dv = shape
    if causal and n != m:
        pytest.skip("is_causal in torch aligns the mask to the top left: square only here")
    rng = np.random.default_rng(sum(shape) + causal)
    q, k, v, u = (np.round(rng.uniform(-1, 1, s), 2) for s in ((n, d), (m, d), (m, dv), (n, dv)))
    answers = solved(question(tmp_path, CAUSAL if causal else ATTENTION,
                              {"Q": tex(q), "K": tex(k), "V": tex(v), "U": tex(u), "d": str(d)}))
    tq, tk, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v))
    out = torch.nn.functional.scaled_dot_product_attention(tq[None], tk[None], tv[None], is_causal=causal)[0]
    (out * torch.tensor(u, dtype=torch.float64)).sum().backward()
    assert float(answers["output"][0]) == pytest.approx(float((out.detach().numpy() * u).sum()), rel=1e-12)
    for name, t in (("Q", tq), ("K", tk), ("V", tv)):
        got = as_float(answers[f"grad.{name}"], t.shape)
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_masked_scores_print_as_minus_infinity(tmp_path):
    from symdl.notation.printer import tex
    a = solved(question(tmp_path, r"\operatorname{causal}(S)",
                        {"S": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"},
                        upstream=r"\begin{bmatrix} 1 & 1 \\ 1 & 1 \end{bmatrix}"))
    assert list(a["grad.S"]) == [1, 0, 1, 1]
    assert list(a["output"]) == [1, -sympy.oo, 3, 4]
    assert r"-\infty" in str(tex(a["output"])) and "NegativeInfinity" not in str(tex(a["output"]))
