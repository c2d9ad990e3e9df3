"""Several optimizer steps on a graph's function, each state after each step against torch.optim run
step by step (float64), and against a plain float loop written here; given gradients per step;
parameter groups; L2 penalty against decoupled weight decay."""

import math
import time

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.check.verify import to_float_array, verify
from support import one_question, solution_of

W0 = np.array([[1.0, 2.0], [3.0, -1.0]])
B0 = np.array([0.5, -0.25])
X0 = np.array([1.0, 0.5])
Y0 = np.array([1.0, 0.0])
FUNCTION = 'function = "\\\\operatorname{MSE}(W x + b, y)"\n'
VALUES = ('[question.values]\nW = "\\\\begin{bmatrix} 1 & 2 \\\\\\\\ 3 & -1 \\\\end{bmatrix}"\n'
          'b = "[0.5 \\\\quad -0.25]^T"\nx = "[1 \\\\quad 0.5]^T"\ny = "[1 \\\\quad 0]^T"\n')
TORCH_STATE = {"velocity": "momentum_buffer", "sum": "sum", "s": "square_avg", "m": "exp_avg", "v": "exp_avg_sq"}


def solved(tmp_path, update, function=FUNCTION, values=VALUES):
    q = one_question(tmp_path, "graph", function + f"update = {update}\n" + values)
    sol = solution_of(q)
    bad = [c for c in verify(q, sol) if not c.ok]
    assert not bad, bad
    return {k: np.squeeze(to_float_array(v)) for k, v in sol.answers.items()}, sol


def torch_run(make, steps, groups=None):
    """Every state after every step of torch.optim on MSE(W x + b, y): [{name: array}] per step."""
    torch = pytest.importorskip("torch")
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
    opt = make(groups([W, b]) if groups else [W, b])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(W @ torch.tensor(X0) + b, torch.tensor(Y0)).backward()
        found = {"grad.W": W.grad.numpy().copy(), "grad.b": b.grad.numpy().copy()}
        opt.step()
        for name, p in (("W", W), ("b", b)):
            found[name] = p.detach().numpy().copy()
            for key, value in opt.state[p].items():
                if key != "step":
                    found[f"{key}.{name}"] = value.numpy().copy()
        out.append(found)
    return out


RULES = [
    ('{ rule = "sgd", lr = "0.1", steps = 3 }', lambda t: lambda p: t.optim.SGD(p, lr=0.1)),
    ('{ rule = "sgd", lr = "0.1", weight_decay = "0.01", steps = 3 }',
     lambda t: lambda p: t.optim.SGD(p, lr=0.1, weight_decay=0.01)),
    ('{ rule = "momentum", lr = "0.1", momentum = "0.9", steps = 4 }',
     lambda t: lambda p: t.optim.SGD(p, lr=0.1, momentum=0.9)),
    ('{ rule = "momentum", lr = "0.1", momentum = "0.9", dampening = "0.5", steps = 4 }',
     lambda t: lambda p: t.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5)),
    ('{ rule = "nesterov", lr = "0.1", momentum = "0.9", weight_decay = "0.1", steps = 4 }',
     lambda t: lambda p: t.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ('{ rule = "adagrad", lr = "0.1", steps = 3 }', lambda t: lambda p: t.optim.Adagrad(p, lr=0.1)),
    ('{ rule = "rmsprop", lr = "0.01", steps = 3 }', lambda t: lambda p: t.optim.RMSprop(p, lr=0.01)),
    ('{ rule = "rmsprop", lr = "0.01", alpha = "0.9", centered = true, momentum = "0.5", steps = 3 }',
     lambda t: lambda p: t.optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5)),
    ('{ rule = "adam", lr = "0.1", steps = 3 }', lambda t: lambda p: t.optim.Adam(p, lr=0.1)),
    ('{ rule = "adam", lr = "0.1", weight_decay = "0.1", steps = 3 }',
     lambda t: lambda p: t.optim.Adam(p, lr=0.1, weight_decay=0.1)),
    ('{ rule = "adamw", lr = "0.1", weight_decay = "0.1", steps = 3 }',
     lambda t: lambda p: t.optim.AdamW(p, lr=0.1, weight_decay=0.1)),
]


@pytest.mark.parametrize("update, make", RULES, ids=[u.split('"')[1] + str(k) for k, (u, _) in enumerate(RULES)])
def test_every_state_after_every_step_matches_torch(tmp_path, update, make):
    torch = pytest.importorskip("torch")
    a, sol = solved(tmp_path, update.replace("{ ", '{ params = ["W", "b"], ', 1))
    steps = int(update.split("steps = ")[1].split()[0])
    expected = torch_run(make(torch), steps)
    compared = 0
    for k, found in enumerate(expected, start=1):
        for name, value in found.items():
            if name.startswith("grad.") and k == 1:
                key = name
            else:
                state, _, param = name.rpartition(".")
                ours = {v: k2 for k2, v in TORCH_STATE.items()}.get(state, state)
                if "rmsprop" in update and state == "grad_avg":
                    ours = "m"
                key = f"update.{k}.{ours}.{param}" if state else f"update.{k}.{param}"
            assert key in a, f"{key} not derived (torch: {name})"
            np.testing.assert_allclose(a[key], value, rtol=1e-10, atol=1e-14, err_msg=key)
            compared += 1
    assert compared >= steps * 4
    finals = [f.name for f in sol.finals()]
    assert f"update.{steps}.W" in finals and "update.output" in finals and f"update.{steps - 1}.W" not in finals


def test_momentum_classic_form_by_hand(tmp_path):
    a, _ = solved(tmp_path, '{ rule = "classic", lr = "0.1", momentum = "0.9", steps = 3, params = ["W", "b"] }')
    W, b, v_W, v_b = W0.copy(), B0.copy(), np.zeros((2, 2)), np.zeros(2)
    for k in range(1, 4):
        r = W @ X0 + b - Y0                       # MSE over 2 outputs: gradient r (2 / 2)
        v_W, v_b = 0.9 * v_W - 0.1 * np.outer(r, X0), 0.9 * v_b - 0.1 * r
        W, b = W + v_W, b + v_b
        np.testing.assert_allclose(a[f"update.{k}.velocity.W"], v_W, rtol=1e-12)
        np.testing.assert_allclose(a[f"update.{k}.b"], b, rtol=1e-12)
    assert float(a["update.output"]) == pytest.approx(np.mean((W @ X0 + b - Y0) ** 2), rel=1e-12)


def test_given_gradients_adam_by_hand(tmp_path):
    """Adam on gradients given per step (no re-evaluation): m, v, m-hat, v-hat after each step."""
    a, sol = solved(tmp_path, '{ rule = "adam", lr = "0.1", params = ["b"], '
                              'grads = { b = ["[1 \\\\quad -2]^T", "[0.5 \\\\quad 0]^T", "[-1 \\\\quad 4]^T"] } }')
    b, m, v = B0.copy(), np.zeros(2), np.zeros(2)
    for k, g in enumerate([np.array([1.0, -2.0]), np.array([0.5, 0.0]), np.array([-1.0, 4.0])], start=1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**k), v / (1 - 0.999**k)
        b = b - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
        for name, value in (("m", m), ("v", v), ("m_hat", m_hat), ("v_hat", v_hat)):
            np.testing.assert_allclose(a[f"update.{k}.{name}.b"], value, rtol=1e-13)
        np.testing.assert_allclose(a[f"update.{k}.b"], b, rtol=1e-13)
    # rational states stay exact fractions: m after step 2 = 0.9 * 0.1 + 0.1 * 0.5 = 0.14
    assert sol.answers["update.2.m.b"][0] == pytest.approx(0.14) and sol.answers["update.2.m.b"][0].is_Rational


def test_parameter_groups_decay_only_the_weights(tmp_path):
    torch = pytest.importorskip("torch")
    a, _ = solved(tmp_path, '{ rule = "adamw", lr = "0.1", steps = 2, params = ["W", "b"], groups = [{ params = ["W"], '
                            'weight_decay = "0.5" }, { params = ["b"], weight_decay = "0" }] }')
    expected = torch_run(lambda p: torch.optim.AdamW(p, lr=0.1), 2,
                         groups=lambda ps: [{"params": [ps[0]], "weight_decay": 0.5},
                                            {"params": [ps[1]], "weight_decay": 0.0}])
    for k in (1, 2):
        np.testing.assert_allclose(a[f"update.{k}.W"], expected[k - 1]["W"], rtol=1e-12)
        np.testing.assert_allclose(a[f"update.{k}.b"], expected[k - 1]["b"], rtol=1e-12)
    assert float(a["update.1.shrink.W"]) == pytest.approx(1 - 0.1 * 0.5) and float(a["update.1.shrink.b"]) == 1


def test_l2_penalty_and_decoupled_decay_differ(tmp_path):
    """With SGD the two are one rule (lr wd theta either way); with Adam the L2 term is rescaled by
    1 / sqrt(v-hat) and decoupled decay is not: the first step from b = [0.5, -0.25] shows it."""
    l2, _ = solved(tmp_path, '{ rule = "adam", lr = "0.1", weight_decay = "0.1", params = ["b"] }')
    w, _ = solved(tmp_path, '{ rule = "adamw", lr = "0.1", weight_decay = "0.1", params = ["b"] }')
    r = W0 @ X0 + B0 - Y0
    g = r + 0.1 * B0                              # L2: the decay inside the gradient, whose sign Adam keeps
    np.testing.assert_allclose(l2["update.b"], B0 - 0.1 * np.sign(g) * np.abs(g) / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(w["update.b"], B0 * (1 - 0.01) - 0.1 * r / (np.abs(r) + 1e-8), rtol=1e-12)
    assert not np.allclose(l2["update.b"], w["update.b"])


def test_rational_trajectories_stay_exact(tmp_path):
    _, sol = solved(tmp_path, '{ rule = "momentum", lr = "0.1", steps = 5 }')
    assert all(v.is_Rational for v in sol.answers["update.5.W"]) and all(v.is_Rational for v in sol.answers["update.output"])


def test_adam_steps_cost_little(tmp_path):
    body = "function = '\\sigma(w x + b)'\n"
    values = "[question.values]\nw = '0.5'\nx = '2'\nb = '-1'\n"
    q = one_question(tmp_path, "graph", body + 'update = { rule = "adam", lr = "0.01", steps = 20, step = 9980 }\n'
                     + values)
    start = time.process_time()
    sol = solution_of(q)
    assert [c for c in verify(q, sol) if not c.ok] == []
    assert time.process_time() - start < 10
    w, b = 0.5, -1.0
    m, v = {"w": 0.0, "b": 0.0, "x": 0.0}, {"w": 0.0, "b": 0.0, "x": 0.0}
    x = 2.0
    for k in range(9981, 10001):
        s = 1 / (1 + math.exp(-(w * x + b)))
        g = {"w": s * (1 - s) * x, "x": s * (1 - s) * w, "b": s * (1 - s)}
        new = {}
        for p, theta in (("w", w), ("x", x), ("b", b)):
            m[p] = 0.9 * m[p] + 0.1 * g[p]
            v[p] = 0.999 * v[p] + 0.001 * g[p] ** 2
            new[p] = theta - 0.01 * (m[p] / (1 - 0.9**k)) / (math.sqrt(v[p] / (1 - 0.999**k)) + 1e-8)
        w, x, b = new["w"], new["x"], new["b"]
    assert float(np.squeeze(to_float_array(sol.answers["update.20.w"]))) == pytest.approx(w, rel=1e-12)


@pytest.mark.parametrize("update, field", [
    ('{ rule = "adam", lr = "0.1", steps = 0 }', "update.steps"),
    ('{ rule = "adam", lr = "0.1", steps = 101 }', "update.steps"),
    ('{ rule = "adam", lr = "0.1", steps = "2.5" }', "update.steps"),
    ('{ rule = "momentum", lr = "0.1", nesterov = true, momentum = "0" }', "update.nesterov"),
    ('{ rule = "nesterov", lr = "0.1", dampening = "0.5" }', "update.nesterov"),
    ('{ rule = "rmsprop", lr = "0.1", centered = "yes" }', "update.centered"),
    ('{ rule = "adamw", lr = "0.1", weight_decay = "-1" }', "update.weight_decay"),
    ('{ rule = "adam", lr = "0.1", groups = [{ params = ["W"], beta3 = "1" }] }', "update.groups[0].beta3"),
    ('{ rule = "adam", lr = "0.1", groups = [{ params = ["W"] }, { params = ["W"] }] }', "update.groups[1].params"),
    ('{ rule = "adam", lr = "0.1", groups = [{ params = ["W"], beta1 = "1" }] }', "update.groups[0].beta1"),
    ('{ rule = "adam", lr = "0.1", groups = "W" }', "update.groups"),
    ('{ rule = "sgd", lr = "0.1", params = ["b"], grads = { b = [] } }', "update.grads.b"),
    ('{ rule = "sgd", lr = "0.1", params = ["b"], grads = { W = ["1"] } }', "update.grads"),
    ('{ rule = "sgd", lr = "0.1", params = ["b"], grads = { b = ["1"] } }', "update.grads.b[0]"),
    ('{ rule = "sgd", lr = "0.1", params = ["b"], steps = 2, grads = { b = ["[1 \\\\quad 1]^T"] } }', "update.grads"),
    ('{ rule = "adagrad", lr = "0.1", sum = { b = "[-1 \\\\quad 1]^T" } }', "update.sum.b"),
])
def test_bad_trajectory_settings_name_their_field(tmp_path, update, field):
    with pytest.raises(SpecError) as info:
        solution_of(one_question(tmp_path, "graph", FUNCTION + f"update = {update}\n" + VALUES))
    assert info.value.field == field


def test_docs_trajectory_example_matches_torch(tmp_path):
    """docs/kinds/graph.md's trajectory example: Q1 (Adam on x^2 + 10 y^2) step by step against torch,
    Q3 (momentum with dampening on given gradients) against the numbers the page states."""
    import re

    from support import DOCS
    from symdl.input.spec import load_exam

    torch = pytest.importorskip("torch")
    block = next(b for b in re.findall(r"```toml\n(.*?)```", (DOCS / "graph.md").read_text(), re.S)
                 if 'id = "optimizer-trajectories"' in b)
    (tmp_path / "doc.toml").write_text(block)
    questions = load_exam(tmp_path / "doc.toml").questions
    sol = solution_of(questions[0])
    assert [c for c in verify(questions[0], sol) if not c.ok] == []
    xy = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([xy], lr=0.1)
    for k in (1, 2, 3):
        opt.zero_grad()
        (xy[0] ** 2 + 10 * xy[1] ** 2).backward()
        opt.step()
        state = opt.state[xy]
        for i, p in enumerate("xy"):
            assert float(sol.answers[f"update.{k}.{p}"][0]) == pytest.approx(xy[i].item(), rel=1e-12)
            assert float(sol.answers[f"update.{k}.m.{p}"][0]) == pytest.approx(state["exp_avg"][i].item(), rel=1e-12)
            assert float(sol.answers[f"update.{k}.v.{p}"][0]) == pytest.approx(state["exp_avg_sq"][i].item(), rel=1e-12)
    sol3 = solution_of(questions[2])
    assert [float(sol3.answers[f"update.{k}.velocity.w"][0]) for k in (1, 2, 3)] == [0.5, 0.35, 0.365]
    assert [float(sol3.answers[f"update.{k}.w"][0]) for k in (1, 2, 3)] == [0.95, 0.915, 0.8785]


def test_states_are_graded_when_the_part_has_the_points(tmp_path):
    """A part worth a point per state grades every state of every step; with 1 point only the finals."""
    update = '{ rule = "momentum", lr = "0.1", steps = 2, params = ["b"] }\n'
    for points, graded in ((20, True), (1, False)):
        q = one_question(tmp_path, "graph", FUNCTION + "points = %d\n" % points + f"update = {update}" + VALUES
                         + '[question.parts]\na = { text = "Take two steps of SGD with momentum.", points = %d }\n'
                         % points)
        sol = solution_of(q)
        assert bool(sol.meta["update.1.velocity.b"].graded) is graded
        assert sol.meta["update.2.b"].final


def test_classic_nesterov_takes_the_gradient_at_the_look_ahead_point(tmp_path):
    """CS231n's Nesterov form on x^2 + 10 y^2 from a given velocity, by a float loop written here:
    v = mu v - lr grad(theta + mu v); theta = theta + v."""
    q = one_question(tmp_path, "graph", "function = 'x^2 + 10 y^2'\nupdate = { rule = \"classic\", lr = \"0.05\", "
                     "momentum = \"0.9\", nesterov = true, steps = 3, velocity = { x = \"0.5\", y = \"-0.1\" } }\n"
                     "[question.values]\nx = '1'\ny = '1'\n")
    sol = solution_of(q)
    assert [c for c in verify(q, sol) if not c.ok] == []
    theta, v = np.array([1.0, 1.0]), np.array([0.5, -0.1])
    for k in (1, 2, 3):
        ahead = theta + 0.9 * v
        g = np.array([2 * ahead[0], 20 * ahead[1]])
        v = 0.9 * v - 0.05 * g
        theta = theta + v
        for i, p in enumerate("xy"):
            assert float(sol.answers[f"update.{k}.ahead.{p}"][0]) == pytest.approx(ahead[i], rel=1e-13)
            assert float(sol.answers[f"update.{k}.velocity.{p}"][0]) == pytest.approx(v[i], rel=1e-13)
            assert float(sol.answers[f"update.{k}.{p}"][0]) == pytest.approx(theta[i], rel=1e-13)
    assert all(v.is_Rational for v in sol.answers["update.3.x"])          # a polynomial: exact all along
