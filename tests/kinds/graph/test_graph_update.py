"""One optimizer step after the backward pass, against torch.optim (SGD, SGD with momentum, Adam)
and a hand computation; the new output at the new values."""

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.check.verify import to_float_array, verify
from support import one_question, solution_of

try:
    import torch
except ImportError:      # the torch cross-checks are skipped where torch is not installed
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

W0 = np.array([[1.0, 2.0], [3.0, -1.0]])
X0 = np.array([1.0, 0.5])
Y0 = np.array([1.0, 0.0])
VALUES = ['W = "\\\\begin{bmatrix} 1 & 2 \\\\\\\\ 3 & -1 \\\\end{bmatrix}"', 'x = "[1 \\\\quad 0.5]^T"',
          'y = "[1 \\\\quad 0]^T"']


def solved(tmp_path, update):
    body = f'function = "\\\\operatorname{{MSE}}(W x, y)"\nupdate = {update}\n[question.values]\n' + "\n".join(VALUES) + "\n"
    q = one_question(tmp_path, "graph", body)
    sol = solution_of(q)
    bad = [c for c in verify(q, sol) if not c.ok]
    assert not bad, bad
    return {k: np.squeeze(to_float_array(v)) for k, v in sol.answers.items()}, sol


def test_sgd_by_hand(tmp_path):
    a, sol = solved(tmp_path, '{ rule = "sgd", lr = "0.1", params = ["W"] }')
    g = np.outer(2 * (W0 @ X0 - Y0) / 2, X0)            # MSE's gradient: 2 (Wx - y) / n, times x^T
    np.testing.assert_allclose(a["update.W"], W0 - 0.1 * g)
    new = a["update.W"] @ X0 - Y0
    assert float(a["update.output"]) == pytest.approx(np.mean(new**2), rel=1e-12)
    assert "update.x" not in a
    assert [f.name for f in sol.finals() if f.name.startswith("update")] == ["update.W", "update.output"]


def _torch_step(optimizer, state=None):
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    opt = optimizer([W])
    if state:
        state(opt, W)
    loss = torch.nn.functional.mse_loss(W @ torch.tensor(X0), torch.tensor(Y0))
    loss.backward()
    opt.step()
    with torch.no_grad():
        new = torch.nn.functional.mse_loss(W @ torch.tensor(X0), torch.tensor(Y0)).item()
    return W.detach().numpy(), opt.state[W], new


@needs_torch
def test_momentum_against_torch(tmp_path):
    a, _ = solved(tmp_path, '{ rule = "momentum", lr = "0.1", momentum = "0.9", params = ["W"], '
                            'velocity = { W = "\\\\begin{bmatrix} 0.5 & 0 \\\\\\\\ 0 & -0.5 \\\\end{bmatrix}" } }')

    def velocity(opt, W):
        opt.state[W]["momentum_buffer"] = torch.tensor([[0.5, 0.0], [0.0, -0.5]], dtype=torch.float64)
    W, state, new = _torch_step(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), velocity)
    np.testing.assert_allclose(a["update.W"], W, rtol=1e-12)
    np.testing.assert_allclose(a["update.velocity.W"], state["momentum_buffer"].numpy(), rtol=1e-12)
    assert float(a["update.output"]) == pytest.approx(new, rel=1e-12)


@needs_torch
def test_adam_first_step_against_torch(tmp_path):
    a, _ = solved(tmp_path, '{ rule = "adam", lr = "0.01", params = ["W"] }')
    W, state, new = _torch_step(lambda p: torch.optim.Adam(p, lr=0.01))
    np.testing.assert_allclose(a["update.W"], W, rtol=1e-12)
    np.testing.assert_allclose(a["update.m.W"], state["exp_avg"].numpy(), rtol=1e-12)
    np.testing.assert_allclose(a["update.v.W"], state["exp_avg_sq"].numpy(), rtol=1e-12)
    assert float(a["update.output"]) == pytest.approx(new, rel=1e-10)


def test_bad_update_names_the_field(tmp_path):
    with pytest.raises(SpecError, match=r"update\.rule"):
        solved(tmp_path, '{ rule = "lion", lr = "0.1" }')
    with pytest.raises(SpecError, match=r"update\.lr.*missing"):
        solved(tmp_path, '{ rule = "sgd" }')
    with pytest.raises(SpecError, match=r"field 'update\.eps'.*E-notation"):
        solved(tmp_path, '{ rule = "adam", lr = "0.1", eps = "1e-8" }')
    with pytest.raises(SpecError, match=r"update\.beta"):
        solved(tmp_path, '{ rule = "sgd", lr = "0.1", beta = "0.9" }')
