"""Staged programs: assignments as named nodes, against CS231n's worked examples and torch.

Sources: CS231n "Backpropagation, Intuitions" (cs231n.github.io/optimization-2/): f(x, y, z) =
(x + y) z at x = -2, y = 5, z = -4 gives q = 3, f = -12 and the gradients -4, -4, 3; the
sigmoid neuron f = 1 / (1 + e^{-(w0 x0 + w1 x1 + w2)}) at w = [2, -3, -3], x = [-1, -2] has its
circuit figure's gradients w: -0.20, -0.39, 0.20 and x: 0.39, -0.59 (two decimals; the exact
values are (1 - f) f times the other factor, f = sigma(1)).
"""

import math

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.check.verify import to_float_array, verify
from support import one_question, solution_of

try:
    import torch
except ImportError:      # the torch cross-check is skipped where torch is not installed
    torch = None


def solved(tmp_path, program, values):
    lines = ["program = [" + ", ".join(f"'{line}'" for line in program) + "]", "[question.values]"]
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    q = one_question(tmp_path, "graph", "\n".join(lines) + "\n")
    sol = solution_of(q)
    bad = [c for c in verify(q, sol) if not c.ok]
    assert not bad, bad
    return {k: float(np.squeeze(to_float_array(v))) for k, v in sol.answers.items()}, sol


def test_cs231n_add_multiply(tmp_path):
    a, _ = solved(tmp_path, ["q = x + y", "f = q z"], {"x": "-2", "y": "5", "z": "-4"})
    assert (a["forward.q"], a["output"]) == (3, -12)
    assert (a["grad.x"], a["grad.y"], a["grad.z"], a["grad.q"]) == (-4, -4, 3, -4)


def test_cs231n_sigmoid_neuron(tmp_path):
    a, _ = solved(tmp_path, ["d = w_0 x_0 + w_1 x_1 + w_2", r"f = \frac{1}{1 + e^{-d}}"],
                  {"w_0": "2", "w_1": "-3", "w_2": "-3", "x_0": "-1", "x_1": "-2"})
    assert a["forward.d"] == 1
    f = 1 / (1 + math.exp(-1))
    local = (1 - f) * f
    assert a["grad.d"] == pytest.approx(local, rel=1e-12)
    published = {"w_0": -0.20, "w_1": -0.39, "w_2": 0.20, "x_0": 0.39, "x_1": -0.59}
    for name, value in published.items():
        assert round(a[f"grad.{name}"], 2) == value
    assert a["grad.x_0"] == pytest.approx(2 * local, rel=1e-12)
    assert a["grad.w_1"] == pytest.approx(-2 * local, rel=1e-12)


def test_every_written_node_stays(tmp_path):
    # a - a is a subtraction (its value 0), a times 1/y a product with a division
    a, sol = solved(tmp_path, ["a = x y", "b = a - a", r"f = b + a \cdot \frac{1}{y}"], {"x": "3", "y": "2"})
    assert a["forward.b"] == 0 and a["output"] == 3
    assert a["grad.a"] == 0.5 and a["grad.b"] == 1 and a["grad.x"] == 1 and a["grad.y"] == 0
    ops = {n: m for n, m in ((k, v) for k, v in sol.answers.items() if k.startswith("forward."))}
    assert len(ops) == 5               # a, b, the division 1/y, the product, f


@pytest.mark.skipif(torch is None, reason="torch not installed")
def test_program_against_torch(tmp_path):
    values = {"x": "0.5", "y": "-1.5", "w": "2"}
    a, _ = solved(tmp_path, [r"h = \tanh(w x + y)", r"g = h \cdot h - \sigma(x)", "f = g w + h"], values)
    x, y, w = (torch.tensor(float(values[k]), dtype=torch.float64, requires_grad=True) for k in "xyw")
    h = torch.tanh(w * x + y)
    g = h * h - torch.sigmoid(x)
    f = g * w + h
    f.backward()
    assert a["output"] == pytest.approx(f.item(), rel=1e-12)
    for name, t in (("x", x), ("y", y), ("w", w)):
        assert a[f"grad.{name}"] == pytest.approx(t.grad.item(), rel=1e-10)


def test_program_errors(tmp_path):
    with pytest.raises(SpecError, match=r"program\[1\].*assigned twice"):
        solved(tmp_path, ["q = x + y", "q = x y"], {"x": "1", "y": "2"})
    with pytest.raises(SpecError, match="computes nothing"):
        solved(tmp_path, ["q = x + y", "f = q"], {"x": "1", "y": "2"})
    with pytest.raises(SpecError, match=r"program\[0\].*assignment"):
        solved(tmp_path, ["x + y"], {"x": "1", "y": "2"})
