"""The neuron kind's mistakes, each against a hand / numpy computation of the same slip."""

import numpy as np
import pytest

from symdl.solve import solve_question
from symdl.kinds import neuron
from symdl.input.spec import default_spec, load_exam
from support import TESTS, one_question, solution_of

W = np.array([-0.1, -0.2, 0, -0.1, -0.3])
X = np.array([0.7, 0.9, 0.9, 0.2, 0.9])
UP = -0.124


def by_name(found, answer):
    return {m.name: m.value for m in found.get(answer, [])}


def floats(value):
    return np.array([float(v) for v in value], dtype=float) if hasattr(value, "shape") else float(value)


def graded(q):
    sol = solve_question(q).solution
    return {a: meta.mistakes for a, meta in sol.meta.items() if meta.mistakes}


def test_di504_q2_mistakes():
    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q2")
    found = graded(q)
    # the bias forgotten: z = W . x = -0.54 (still negative: y and every gradient stay 0, only z differs)
    assert floats(by_name(found, "z")["bias-forgotten"]) == pytest.approx(W @ X, rel=1e-15)
    assert [a for a in found if "bias-forgotten" in by_name(found, a)] == ["z"]
    # ReLU'(z < 0) taken as 1: dy/dz = 1, dL/dW = dL/dy x, dL/dx = dL/dy W, dL/db = dL/dy
    name = "relu-derivative-taken-as-1"
    assert floats(by_name(found, "dy_dz")[name]) == 1
    assert np.allclose(floats(by_name(found, "grad.W")[name]), UP * X, rtol=1e-15)
    assert np.allclose(floats(by_name(found, "grad.x")[name]), UP * W, rtol=1e-15)
    assert floats(by_name(found, "grad.b")[name]) == pytest.approx(UP)
    # only those two: the mistakes students make with this neuron
    assert {m.name for ms in found.values() for m in ms} == {"bias-forgotten", name}


def test_neuron_small_against_numpy():
    """tests/specs/neuron_small.toml N1 (sigmoid) and N3 (leaky ReLU, slope 0.1), by numpy."""
    exam = load_exam(TESTS / "specs" / "neuron_small.toml")
    qs = {q.id: q for q in exam.questions}
    # N1: z = 2 + 2.4 + 0.9 + 0.5 = 5.8; without b: 5.3; sigmoid's derivative forgotten: dL/dW = 0.3 x
    w, x, up = np.array([2, 3, 1.5]), np.array([1, 0.8, 0.6]), 0.3
    found = graded(qs["N1"])
    s = 1 / (1 + np.exp(-(w @ x)))
    assert floats(by_name(found, "z")["bias-forgotten"]) == pytest.approx(5.3)
    assert np.allclose(floats(by_name(found, "grad.W")["bias-forgotten"]), up * s * (1 - s) * x, rtol=1e-13)
    assert np.allclose(floats(by_name(found, "grad.W")["activation-derivative-forgotten"]), up * x, rtol=1e-15)
    # N3: z = -0.75 - 2 + 0.125 + 0.75 + 0.2 = -1.675 < 0: slope 1 taken for 0.1, dL/dx = 2 W
    w, x, up = np.array([0.5, -1, 0.25, 0.75]), np.array([-1.5, 2, 0.5, 1]), 2.0
    found = graded(qs["N3"])
    assert w @ x + 0.2 < 0
    assert np.allclose(floats(by_name(found, "grad.x")["relu-derivative-taken-as-1"]), up * w, rtol=1e-15)
    assert floats(by_name(found, "y")["bias-forgotten"]) == pytest.approx(0.1 * (w @ x))


def test_relu_prime_at_zero_taken_as_one(tmp_path):
    """z = 1*0.5 - 1*0.25 - 0.25 = 0: with relu'(0) = 1, dL/dW = 3 x = (1.5, 0.75) and dL/dx = 3 W."""
    q = one_question(tmp_path, "neuron", "activation = 'relu'\nW = '[1 \\quad -1]^T'\nx = '[0.5 \\quad 0.25]^T'\n"
                                         "b = '-0.25'\nupstream = '3'\n")
    sol = solution_of(q)
    found = neuron.KIND.mistakes(q, sol)
    name = "relu-derivative-taken-as-1"
    assert floats(by_name(found, "dy_dz")[name]) == 1
    assert np.allclose(floats(by_name(found, "grad.W")[name]), [1.5, 0.75])
    assert np.allclose(floats(by_name(found, "grad.x")[name]), [3, -3])


def test_an_active_relu_has_no_derivative_mistake(tmp_path):
    q = one_question(tmp_path, "neuron", "activation = 'relu'\nW = '[1 \\quad 1]^T'\nx = '[0.5 \\quad 0.25]^T'\n"
                                         "b = '0.25'\nupstream = '3'\n")
    found = neuron.KIND.mistakes(q, solution_of(q))
    assert not any("relu-derivative-taken-as-1" in by_name(found, a) for a in found)
    # z = 1 without b = 0.75: y = 0.75 instead of 1
    assert floats(by_name(found, "y")["bias-forgotten"]) == pytest.approx(0.75)
