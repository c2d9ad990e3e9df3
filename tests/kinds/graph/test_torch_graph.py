"""Graph gradients cross-checked with PyTorch autograd (skipped when torch is not installed)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from symdl.input.spec import default_spec, load_exam  # noqa: E402
from symdl.check.verify import to_float_array  # noqa: E402
from support import solution_of  # noqa: E402


def make_question(tmp_path, function, values, upstream):
    lines = ["[exam]", 'id = "t"', 'title = "t"', "[[question]]", 'id = "Q"', 'kind = "graph"',
             f"function = '{function}'", f"upstream = '{upstream}'", "[question.values]"]
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    path = tmp_path / "g.toml"
    path.write_text("\n".join(lines) + "\n")
    return load_exam(path).questions[0]


def t(a):
    return torch.tensor(np.array(a, dtype=float), dtype=torch.float64, requires_grad=True)


def test_di504_q1_against_autograd():
    q = load_exam(default_spec()).questions[0]
    sol = solution_of(q)
    W = t([[-0.1, -0.5], [0.3, 0.2]])
    x = t([[0.3], [-0.1]])
    f = torch.maximum(torch.tensor([[1.0], [0.0]], dtype=torch.float64), torch.exp(W @ x + torch.tensor([[0.0], [1.0]], dtype=torch.float64)))
    f.backward(torch.ones_like(f))
    np.testing.assert_allclose(to_float_array(sol.answers["output"]).ravel(), f.detach().numpy().ravel(), rtol=1e-12)
    np.testing.assert_allclose(to_float_array(sol.answers["grad.W"]), W.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(to_float_array(sol.answers["grad.x"]).ravel(), x.grad.numpy().ravel(), rtol=1e-12)


def test_two_layer_network_against_autograd(tmp_path):
    rng = np.random.default_rng(5)
    W1 = rng.integers(-9, 10, size=(4, 3)) / 10
    W2 = rng.integers(-9, 10, size=(2, 4)) / 10
    b = rng.integers(-9, 10, size=(4, 1)) / 10
    x = rng.integers(-9, 10, size=(3, 1)) / 10

    def bm(a):
        return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(f"{v:.1f}" for v in row) for row in a) + r" \end{bmatrix}"

    q = make_question(tmp_path, r"\sigma(W_2 \tanh(W_1 x + b))", {"W_1": bm(W1), "W_2": bm(W2), "b": bm(b), "x": bm(x)},
                      upstream=r"[0.5 \quad -2]^T")
    sol = solution_of(q)
    tW1, tW2, tb, tx = t(W1), t(W2), t(b), t(x)
    out = torch.sigmoid(tW2 @ torch.tanh(tW1 @ tx + tb))
    out.backward(torch.tensor([[0.5], [-2.0]], dtype=torch.float64))
    for name, tensor in (("W_1", tW1), ("W_2", tW2), ("b", tb), ("x", tx)):
        np.testing.assert_allclose(to_float_array(sol.answers[f"grad.{name}"]).reshape(tensor.shape),
                                   tensor.grad.numpy(), rtol=1e-10, atol=1e-14)
