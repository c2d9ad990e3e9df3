"""Several optimizer steps of a neuron (every rule), each state after each step against torch.optim run
step by step on L = u y (u the given dL/dy), and by hand."""

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.kinds import neuron
from symdl.check.verify import verify
from support import one_question, solution_of

W0, X0, B0, UP = [0.5, -0.3], [1.0, 2.0], 0.2, -1.0
BASE = ("W = '[0.5 \\quad -0.3]^T'\nx = '[1 \\quad 2]^T'\nb = '0.2'\nupstream = '-1'\n")
TORCH_STATE = {"momentum_buffer": "velocity", "sum": "sum", "square_avg": "s", "grad_avg": "m",
               "exp_avg": "m", "exp_avg_sq": "v"}


def solved(tmp_path, activation, update):
    q = one_question(tmp_path, "neuron", f"activation = '{activation}'\n" + BASE + f"update = {update}\n")
    q.values = neuron.KIND.schema.check(q)
    sol = solution_of(q)
    bad = [c.name for c in verify(q, sol) if not c.ok]
    assert not bad, bad
    return sol


CASES = [
    ("sigmoid", '{ rule = "sgd", lr = 0.5, steps = 3 }', lambda t, p: t.optim.SGD(p, lr=0.5)),
    ("tanh", '{ rule = "momentum", lr = 0.1, momentum = 0.9, dampening = 0.1, steps = 3 }',
     lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1)),
    ("sigmoid", '{ rule = "nesterov", lr = 0.1, weight_decay = 0.01, steps = 3 }',
     lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("tanh", '{ rule = "adagrad", lr = 0.1, steps = 3 }', lambda t, p: t.optim.Adagrad(p, lr=0.1)),
    ("sigmoid", '{ rule = "rmsprop", lr = 0.01, centered = true, momentum = 0.5, steps = 3 }',
     lambda t, p: t.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5)),
    ("tanh", '{ rule = "adam", lr = 0.01, steps = 3 }', lambda t, p: t.optim.Adam(p, lr=0.01)),
    ("sigmoid", '{ rule = "adamw", lr = 0.1, weight_decay = 0.1, steps = 3 }',
     lambda t, p: t.optim.AdamW(p, lr=0.1, weight_decay=0.1)),
    ("tanh", '{ rule = "adamw", lr = 0.1 }', lambda t, p: t.optim.AdamW(p, lr=0.1)),
]


@pytest.mark.parametrize("activation, update, make", CASES, ids=[c[1].split('"')[1] + str(k)
                                                                 for k, c in enumerate(CASES)])
def test_every_state_after_every_step_matches_torch(tmp_path, activation, update, make):
    torch = pytest.importorskip("torch")
    sol = solved(tmp_path, activation, update)
    steps = int(update.split("steps = ")[1].split()[0]) if "steps" in update else 1
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor([B0], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(X0, dtype=torch.float64)
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}[activation]
    opt = make(torch, [W, b])
    compared = 0
    for k in range(1, steps + 1):
        opt.zero_grad()
        (UP * act(W @ x + b)).sum().backward()
        prefix = "update." if steps == 1 else f"update.{k}."
        if k > 1:
            np.testing.assert_allclose(np.array(sol.answers[f"{prefix}grad.W"], dtype=float).ravel(), W.grad.numpy(),
                                       rtol=1e-12)
        opt.step()
        for name, p in (("W", W), ("b", b)):
            found = {name: p.detach().numpy()}
            found.update({f"{TORCH_STATE[key]}.{name}": v.numpy() for key, v in opt.state[p].items() if key != "step"})
            for key, value in found.items():
                ours = np.array(sol.answers[prefix + key], dtype=float).ravel()
                np.testing.assert_allclose(ours, value, rtol=1e-11, atol=1e-15, err_msg=prefix + key)
                compared += 1
    with torch.no_grad():
        z = float(W @ x + b)
    assert float(sol.answers["update.z"]) == pytest.approx(z, rel=1e-11)
    assert compared >= 2 * steps
    assert f"update.{steps}.W" in [f.name for f in sol.finals()] or steps == 1


def test_classic_momentum_by_hand(tmp_path):
    """relu with z > 0 all along: the gradient stays u x = (-1, -2), -1; v = 0.9 v - 0.1 g."""
    sol = solved(tmp_path, "relu", '{ rule = "classic", lr = 0.1, momentum = 0.9, steps = 3 }')
    W, b, vW, vb = np.array(W0), B0, np.zeros(2), 0.0
    for k in (1, 2, 3):
        vW, vb = 0.9 * vW - 0.1 * np.array([-1.0, -2.0]), 0.9 * vb - 0.1 * -1.0
        W, b = W + vW, b + vb
        np.testing.assert_allclose(np.array(sol.answers[f"update.{k}.W"], dtype=float).ravel(), W, rtol=1e-14)
        assert float(sol.answers[f"update.{k}.velocity.b"]) == pytest.approx(vb, rel=1e-14)
    assert sol.answers["update.3.b"].is_Rational                          # exact all along
    assert float(sol.answers["update.y"]) == pytest.approx(W @ np.array(X0) + b, rel=1e-14)


@pytest.mark.parametrize("update, field", [
    ('{ rule = "adam", lr = 0.1, steps = 0 }', "update.steps"),
    ('{ rule = "rmsprop", lr = 0.1, alpha = 1 }', "update.alpha"),
    ('{ rule = "rmsprop", lr = 0.1, centered = 1 }', "update.centered"),
    ('{ rule = "nesterov", lr = 0.1, momentum = 0 }', "update.nesterov"),
    ('{ rule = "adagrad", lr = 0.1, eps = 0 }', "update.eps"),
    ('{ rule = "adagrad", lr = 0.1, sum = { b = "-1" } }', "update.sum"),
])
def test_bad_settings_name_their_field(tmp_path, update, field):
    q = one_question(tmp_path, "neuron", "activation = 'relu'\n" + BASE + f"update = {update}\n")
    with pytest.raises(SpecError) as info:
        q.values = neuron.KIND.schema.check(q)
        solution_of(q)
    assert info.value.field == field


def test_classic_nesterov_by_hand(tmp_path):
    """v = mu v - lr dL/dp at the look-ahead point p + mu v, L = u sigmoid(W x + b), a float loop here."""
    import math

    sol = solved(tmp_path, "sigmoid", '{ rule = "classic", lr = 0.5, momentum = 0.9, nesterov = true, steps = 3, '
                                      'velocity = { W = \'[0.1 \\quad -0.2]^T\', b = \'0.05\' } }')
    W, b, vW, vb = np.array(W0), B0, np.array([0.1, -0.2]), 0.05
    for k in (1, 2, 3):
        aW, ab = W + 0.9 * vW, b + 0.9 * vb
        s = 1 / (1 + math.exp(-(aW @ np.array(X0) + ab)))
        delta = UP * s * (1 - s)
        vW, vb = 0.9 * vW - 0.5 * delta * np.array(X0), 0.9 * vb - 0.5 * delta
        W, b = W + vW, b + vb
        np.testing.assert_allclose(np.array(sol.answers[f"update.{k}.ahead.W"], dtype=float).ravel(), aW, rtol=1e-13)
        np.testing.assert_allclose(np.array(sol.answers[f"update.{k}.W"], dtype=float).ravel(), W, rtol=1e-13)
        assert float(sol.answers[f"update.{k}.b"]) == pytest.approx(b, rel=1e-13)


def test_parameter_groups_decay_the_weights_not_the_bias(tmp_path):
    torch = pytest.importorskip("torch")
    sol = solved(tmp_path, "sigmoid", '{ rule = "adamw", lr = 0.1, weight_decay = 0.5, steps = 2, '
                                      'groups = [{ params = ["b"], weight_decay = 0 }] }')
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor([B0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([{"params": [W], "weight_decay": 0.5}, {"params": [b], "weight_decay": 0.0}], lr=0.1)
    for k in (1, 2):
        opt.zero_grad()
        (UP * torch.sigmoid(W @ torch.tensor(X0, dtype=torch.float64) + b)).sum().backward()
        opt.step()
        np.testing.assert_allclose(np.array(sol.answers[f"update.{k}.W"], dtype=float).ravel(), W.detach().numpy(),
                                   rtol=1e-12)
        assert float(sol.answers[f"update.{k}.b"]) == pytest.approx(b.item(), rel=1e-12)
    assert float(sol.answers["update.1.shrink.W"]) == 0.95 and float(sol.answers["update.1.shrink.b"]) == 1


@pytest.mark.parametrize("update, field", [
    ('{ rule = "adamw", lr = 0.1, groups = [{ params = ["c"] }] }', "update.groups[0].params"),
    ('{ rule = "adamw", lr = 0.1, groups = [{ params = ["b"], weight_decay = -1 }] }', "update.groups[0].weight_decay"),
    ('{ rule = "adamw", lr = 0.1, groups = [{ params = ["b"], step = 3 }] }', "update.groups[0].step"),
    ('{ rule = "adamw", lr = 0.1, groups = [{ params = ["b"] }, { params = ["b"] }] }', "update.groups[1].params"),
])
def test_bad_groups_name_their_field(tmp_path, update, field):
    test_bad_settings_name_their_field(tmp_path, update, field)
