"""Reductions and losses as graph ops: published worked examples, torch autograd, the run-time check.

Sources: CS231n "Linear classification" notes (cs231n.github.io/linear-classify/): the multiclass
SVM example (scores 3.2, 5.1, -1.7 for a cat: loss 2.9; the car's 1.3, 4.9, 2.0: 0; the frog's
2.2, 2.5, -3.1: 12.9) and the softmax example (scores -2.85, 0.86, 0.28, third class correct:
probabilities 0.016, 0.631, 0.353, loss 1.04).
"""

import numpy as np
import pytest
import sympy

from symdl.errors import SpecError
from symdl.check.verify import to_float_array, verify
from support import one_question, solution_of

try:
    import torch
except ImportError:      # the torch cross-checks are skipped where torch is not installed
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


def solved(tmp_path, function, values, upstream=None, subgradients=None):
    lines = [f"function = '{function}'"] + ([f"upstream = '{upstream}'"] if upstream else [])
    lines += ["[question.values]"] + [f"{k} = '{v}'" for k, v in values.items()]
    q = one_question(tmp_path, "graph", "\n".join(lines) + "\n")
    if subgradients:
        q.subgradients = subgradients
    sol = solution_of(q)
    bad = [c for c in verify(q, sol) if not c.ok]
    assert not bad, bad
    return {k: np.squeeze(to_float_array(v)) for k, v in sol.answers.items()}, sol


def col(values):
    return "[" + r" \quad ".join(str(v) for v in values) + "]^T"


@pytest.mark.parametrize("scores, label, loss", [([3.2, 5.1, -1.7], 0, 2.9), ([1.3, 4.9, 2.0], 1, 0.0),
                                                  ([2.2, 2.5, -3.1], 2, 12.9)])
def test_hinge_cs231n(tmp_path, scores, label, loss):
    t = [1 if k == label else 0 for k in range(3)]
    answers, _ = solved(tmp_path, r"\operatorname{hinge}(s, t)", {"s": col(scores), "t": col(t)})
    assert float(answers["output"]) == pytest.approx(loss, abs=1e-12)
    margins = np.array(scores) - scores[label] + 1
    active = (margins > 0) & (np.arange(3) != label)
    expected = active.astype(float)
    expected[label] = -active.sum()
    np.testing.assert_allclose(answers["grad.s"], expected)
    np.testing.assert_allclose(answers["grad.t"], 0.0)


def test_softmax_cross_entropy_cs231n(tmp_path):
    answers, _ = solved(tmp_path, r"\operatorname{CE}(s, t)", {"s": col([-2.85, 0.86, 0.28]), "t": col([0, 0, 1])})
    assert float(answers["output"]) == pytest.approx(1.04, abs=0.005)           # published to 2 decimals
    p = np.exp([-2.85, 0.86, 0.28]) / np.exp([-2.85, 0.86, 0.28]).sum()
    np.testing.assert_allclose(p, [0.016, 0.631, 0.353], atol=1e-3)             # as the notes round them
    np.testing.assert_allclose(answers["grad.s"], p - [0, 0, 1], rtol=1e-12)


def test_max_min_over_entries(tmp_path):
    answers, _ = solved(tmp_path, r"\max(W x) - \min(x)",
                        {"W": r"\begin{bmatrix} 1 & 2 \\ 3 & -1 \end{bmatrix}", "x": col([1, 0.5])})
    # W x = [2, 2.5]: max 2.5 from row 2; min x = 0.5 (entry 2)
    assert float(answers["output"]) == pytest.approx(2.0)
    np.testing.assert_allclose(answers["grad.x"], np.array([3, -1]) - [0, 1])
    np.testing.assert_allclose(answers["grad.W"], [[0, 0], [1, 0.5]])


def test_max_over_entries_tie_splits_evenly(tmp_path):
    answers, _ = solved(tmp_path, r"\max(x)", {"x": col([2, -1, 2])})
    np.testing.assert_allclose(answers["grad.x"], [0.5, 0, 0.5])          # torch.max(x).backward(): even split
    answers, _ = solved(tmp_path, r"\max(x)", {"x": col([2, 2, 2])})
    np.testing.assert_allclose(answers["grad.x"], [1 / 3, 1 / 3, 1 / 3])  # torch.max(x): a third to each


def test_a_non_one_hot_label_is_refused(tmp_path):
    with pytest.raises(SpecError, match="one-hot"):
        solved(tmp_path, r"\operatorname{hinge}(s, t)", {"s": col([1, 2]), "t": col([0.5, 0.5])})


@needs_torch
def test_losses_against_torch_autograd(tmp_path):
    F = torch.nn.functional
    W = np.array([[0.2, -0.5, 0.1], [1.5, 1.3, 2.1], [0.0, 0.25, 0.2]])
    x = np.array([0.6, -0.4, 0.9])
    y = np.array([0.0, 1.0, 0.0])
    values = {"W": r"\begin{bmatrix} 0.2 & -0.5 & 0.1 \\ 1.5 & 1.3 & 2.1 \\ 0 & 0.25 & 0.2 \end{bmatrix}",
              "x": col(x), "y": col(y)}
    cases = {
        r"\operatorname{CE}(W x, y)": lambda s, t: F.cross_entropy(s[None], t[None]),
        r"\operatorname{MSE}(\tanh(W x), y)": lambda s, t: F.mse_loss(torch.tanh(s), t),
        r"\operatorname{BCE}(\sigma(W x), y)": lambda s, t: F.binary_cross_entropy(torch.sigmoid(s), t),
        r"\operatorname{MSE}(\operatorname{softmax}(W x), y)": lambda s, t: F.mse_loss(F.softmax(s, 0), t),
        r"\operatorname{sum}(\operatorname{logsoftmax}(W x))": lambda s, t: F.log_softmax(s, 0).sum(),
        r"\operatorname{hinge}(W x, y)": lambda s, t: F.multi_margin_loss(s[None], t.argmax()[None]) * 3,
        r"\max(W x) + \min(x)": lambda s, t: s.max() + Xt.min(),
    }
    for k, (function, loss) in enumerate(cases.items()):
        Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
        Xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        out = loss(Wt @ Xt, torch.tensor(y, dtype=torch.float64))
        out.backward()
        (tmp_path / str(k)).mkdir()
        used = {name: v for name, v in values.items() if name != "y" or "y)" in function}
        answers, _ = solved(tmp_path / str(k), function, used)
        assert float(answers["output"]) == pytest.approx(out.item(), rel=1e-12), function
        np.testing.assert_allclose(answers["grad.W"], Wt.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=function)
        np.testing.assert_allclose(answers["grad.x"], Xt.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=function)


def test_exact_values(tmp_path):
    _, sol = solved(tmp_path, r"\operatorname{CE}(s, t)", {"s": col([0, 0]), "t": col([1, 0])})
    assert sol.answers["output"][0] == sympy.log(2)                 # -ln(1/2)
    assert sol.answers["grad.s"] == sympy.ImmutableMatrix([-sympy.Rational(1, 2), sympy.Rational(1, 2)])
