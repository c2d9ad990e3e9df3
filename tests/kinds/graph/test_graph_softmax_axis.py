"""softmax and log-softmax along the columns, \\operatorname{softmax}_{0}(S) (torch's dim=0): by hand,
against torch.softmax(x, dim=0) / torch.log_softmax(x, dim=0) forward and backward, and in attention."""

import numpy as np
import pytest
import sympy

from symdl.errors import SpecError

from support import solution_of
from test_graph_attention import as_float, tex
from test_graph_subgradients import question, solved


def exact(values):
    return [sympy.nsimplify(sympy.simplify(v)) for v in values]


def test_column_softmax_by_hand(tmp_path):
    # columns of [[0, ln 2], [ln 3, ln 2]]: [1, 3]/4 and [1/2, 1/2]; upstream e_1 in each column:
    # p_1 (e_1 - p) = [1/4 * 3/4, -3/16] and [1/4, -1/4]
    a = solved(question(tmp_path, r"\operatorname{softmax}_{0}(S)",
                        {"S": r"\begin{bmatrix} 0 & \ln(2) \\ \ln(3) & \ln(2) \end{bmatrix}"},
                        upstream=r"\begin{bmatrix} 1 & 1 \\ 0 & 0 \end{bmatrix}"))
    R = sympy.Rational
    assert exact(a["output"]) == [R(1, 4), R(1, 2), R(3, 4), R(1, 2)]
    assert exact(a["grad.S"]) == [R(3, 16), R(1, 4), -R(3, 16), -R(1, 4)]


def test_axis_one_is_the_row_softmax(tmp_path):
    values = {"S": r"\begin{bmatrix} 0 & \ln(3) \\ \ln(2) & \ln(2) \end{bmatrix}"}
    up = r"\begin{bmatrix} 1 & 0 \\ 1 & 0 \end{bmatrix}"
    rows = solved(question(tmp_path, r"\operatorname{softmax}(S)", values, upstream=up, name="a"))
    for written in (r"\operatorname{softmax}_{1}(S)", r"\operatorname{softmax}_{-1}(S)"):
        again = solved(question(tmp_path, written, values, upstream=up, name="b"))
        assert exact(again["output"]) == exact(rows["output"]) == [sympy.Rational(1, 4), sympy.Rational(3, 4),
                                                                    sympy.Rational(1, 2), sympy.Rational(1, 2)]


def test_column_log_softmax_by_hand(tmp_path):
    # a row vector along axis 0: each column holds one entry, log-softmax 0 and gradient g - 1 * g = 0
    a = solved(question(tmp_path, r"\operatorname{sum}(U \odot \operatorname{logsoftmax}_{0}(S))",
                        {"S": r"[1 \quad 2]", "U": r"[3 \quad 5]"}))
    assert exact(a["output"]) == [0] and exact(a["grad.S"]) == [0, 0]
    # a column [0, ln 3]: log-softmax [-ln 4, ln 3 - ln 4], gradient g - p sum(g) with g = [1, 0]: [3/4, -3/4]
    b = solved(question(tmp_path, r"\operatorname{logsoftmax}_{0}(S)", {"S": r"\begin{bmatrix} 0 \\ \ln(3) \end{bmatrix}"},
                        upstream=r"[1 \quad 0]^T", name="b"))
    assert sympy.simplify(b["output"][0] + sympy.log(4)) == 0
    assert exact(b["grad.S"]) == [sympy.Rational(3, 4), -sympy.Rational(3, 4)]


def test_axis_refused_where_it_means_nothing(tmp_path):
    with pytest.raises(SpecError, match="function.*axis is 0"):
        solution_of(question(tmp_path, r"\operatorname{softmax}_{2}(S)", {"S": r"[1 \quad 2]"}))
    with pytest.raises(SpecError, match="function.*takes no axis"):
        solution_of(question(tmp_path, r"\operatorname{sum}_{0}(S)", {"S": r"[1 \quad 2]"}, name="b"))


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape", [(3, 2), (2, 4), (4, 1), (1, 3)])
def test_against_torch(tmp_path, shape, log):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(shape[0] * 10 + shape[1] + log)
    s, u = (np.round(rng.uniform(-2, 2, shape), 2) for _ in range(2))
    name = "logsoftmax" if log else "softmax"
    a = solved(question(tmp_path, rf"\operatorname{{{name}}}_{{0}}(S)", {"S": tex(s)}, upstream=tex(u)))
    ts = torch.tensor(s, dtype=torch.float64, requires_grad=True)
    out = (torch.log_softmax if log else torch.softmax)(ts, dim=0)
    (out * torch.tensor(u, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(as_float(a["output"], shape), out.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(as_float(a["grad.S"], shape), ts.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_attention_over_the_queries_against_torch(tmp_path):
    # weights normalised over the queries (each key's column sums to 1), then the values mixed: the
    # whole expression and every gradient against torch with softmax(dim=0)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    q, k, v, u = (np.round(rng.uniform(-1, 1, sh), 2) for sh in ((3, 2), (2, 2), (2, 2), (3, 2)))
    a = solved(question(tmp_path, r"\operatorname{sum}(U \odot (\operatorname{softmax}_{0}(Q K^T) V))",
                        {"Q": tex(q), "K": tex(k), "V": tex(v), "U": tex(u)}))
    tq, tk, tv = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (q, k, v))
    total = (torch.softmax(tq @ tk.T, dim=0) @ tv * torch.tensor(u, dtype=torch.float64)).sum()
    total.backward()
    assert float(a["output"][0]) == pytest.approx(float(total.detach()), rel=1e-12)
    for name, t in (("Q", tq), ("K", tk), ("V", tv)):
        np.testing.assert_allclose(as_float(a[f"grad.{name}"], t.shape), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("log", [False, True])
def test_float_route_rules_against_torch(log):
    # the independent float64 route (graphs past the high-precision budget) has its own column rules
    torch = pytest.importorskip("torch")
    from symdl.kinds.graph.check_ops import NUMPY, NUMPY_VJP
    rng = np.random.default_rng(3 + log)
    s, g = rng.uniform(-3, 3, (4, 3)), rng.uniform(-1, 1, (4, 3))
    name = "log_softmax_col" if log else "softmax_col"
    y = NUMPY[name](s)
    ts = torch.tensor(s, dtype=torch.float64, requires_grad=True)
    out = (torch.log_softmax if log else torch.softmax)(ts, dim=0)
    (out * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(NUMPY_VJP[name](g, [s], y)[0], ts.grad.numpy(), rtol=1e-12, atol=1e-15)
