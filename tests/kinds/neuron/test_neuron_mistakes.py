"""The neuron kind's common mistakes, each against a hand / numpy computation of the same slip."""

import numpy as np
import pytest

from symdl.kinds import neuron
from symdl.spec import default_spec, load_exam
from support import one_question

W = np.array([-0.1, -0.2, 0, -0.1, -0.3])
X = np.array([0.7, 0.9, 0.9, 0.2, 0.9])
UP = -0.124


def by_name(found, answer):
    return {m.name: m.value for m in found.get(answer, [])}


def floats(value):
    return np.array([float(v) for v in value], dtype=float) if hasattr(value, "shape") else float(value)


def test_di504_q2_mistakes():
    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q2")
    sol = neuron.solve(q)
    found = neuron.KIND.mistakes(q, sol)
    # the bias forgotten: z = W . x = -0.54 (still negative: every gradient stays 0, only z differs)
    assert floats(by_name(found, "z")["the bias forgotten"]) == pytest.approx(W @ X, rel=1e-15)
    assert "the bias forgotten" not in by_name(found, "grad.W")
    # the ReLU's derivative taken as 1: dL/dW = dL/dy x, dL/dx = dL/dy W, dL/db = dL/dy
    assert np.allclose(floats(by_name(found, "grad.W")["the ReLU's derivative taken as 1"]), UP * X, rtol=1e-15)
    assert np.allclose(floats(by_name(found, "grad.x")["the ReLU's derivative taken as 1"]), UP * W, rtol=1e-15)
    assert floats(by_name(found, "grad.b")["the ReLU's derivative taken as 1"]) == pytest.approx(UP)
    # the activation left out: y = z = -0.04
    assert floats(by_name(found, "y")["the activation left out"]) == pytest.approx(W @ X + 0.5, rel=1e-14)
    # at z = -0.04 the kink's convention changes nothing, so relu'(0) = 1 is no mistake here
    assert all("relu'(0) = 1" not in by_name(found, k) for k in found)
    assert len({m.name for ms in found.values() for m in ms}) >= 2


def test_relu_prime_at_zero_taken_as_one(tmp_path):
    """z = 1*0.5 - 1*0.25 - 0.25 = 0: with relu'(0) = 1, dL/dW = 3 x = (1.5, 0.75) and dL/dx = 3 W."""
    q = one_question(tmp_path, "neuron", "activation = 'relu'\nW = '[1 \\quad -1]^T'\nx = '[0.5 \\quad 0.25]^T'\n"
                                         "b = '-0.25'\nupstream = '3'\n")
    sol = neuron.solve(q)
    found = neuron.KIND.mistakes(q, sol)
    assert floats(by_name(found, "dy_dz")["relu'(0) = 1"]) == 1
    assert np.allclose(floats(by_name(found, "grad.W")["relu'(0) = 1"]), [1.5, 0.75])
    assert np.allclose(floats(by_name(found, "grad.x")["relu'(0) = 1"]), [3, -3])


def test_sigmoid_swap_of_W_and_x(tmp_path):
    """sigmoid at z = 0.2*1 + 0.4*(-1) + 0.1 = -0.1: numpy gives g = up s(z)(1 - s(z)); swapped: g W for dL/dW."""
    q = one_question(tmp_path, "neuron", "activation = 'sigmoid'\nW = '[0.2 \\quad 0.4]^T'\nx = '[1 \\quad -1]^T'\n"
                                         "b = '0.1'\nupstream = '2'\n")
    sol = neuron.solve(q)
    found = neuron.KIND.mistakes(q, sol)
    s = 1 / (1 + np.exp(0.1))
    g = 2 * s * (1 - s)
    assert np.allclose(floats(by_name(found, "grad.W")["W and x swapped in the gradients"]), g * np.array([0.2, 0.4]),
                       rtol=1e-14)
    assert floats(by_name(found, "y")["the activation left out"]) == pytest.approx(-0.1)
