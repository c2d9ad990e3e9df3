"""The softmax kind's common mistakes, each against numpy doing the same slip."""

import numpy as np

from symdl.kinds import softmax
from symdl.spec import default_spec, load_exam
from support import TESTS

W = np.array([[-0.8, -0.5, 0.5, 0.2, -0.2], [0.8, -0.3, 0, -0.1, -0.3], [0, 0.6, 0.6, 0.2, -0.6],
              [-0.2, -0.4, 0.1, -0.1, 0.5]])
B = np.array([-0.3, 0.1, -0.7, 0.9])
R = np.abs(W).sum(axis=1)
X_B = np.array([1.2, 4.3, 5.6, 3.4, 7.8])


def np_softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def named(found, answer):
    return {m.name: np.array([float(v) for v in m.value]) if hasattr(m.value, "shape") else m.value
            for m in found.get(answer, [])}


def test_di504_q3_mistakes():
    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q3")
    sol = softmax.solve(q)
    found = softmax.KIND.mistakes(q, sol)
    assert np.allclose(named(found, "b.probs")["the extra term dropped"], np_softmax(W @ X_B + B), rtol=1e-13)
    assert np.allclose(named(found, "b.probs")["the biases forgotten"], np_softmax(W @ X_B + R), rtol=1e-13)
    assert named(found, "b.predicted")["the biases forgotten"] == int(np.argmax(W @ X_B + R)) + 1 == 3
    assert "the extra term dropped" not in named(found, "d.probs")       # d has no term to drop
    assert len({m.name for ms in found.values() for m in ms}) >= 2


def test_log_base_10_in_the_loss():
    """S1 case a (label dog = class 2): -log10 p_2 and (p - e_2) / ln 10 by numpy."""
    q = next(q for q in load_exam(TESTS / "specs" / "softmax_small.toml").questions if q.id == "S1")
    sol = softmax.solve(q)
    found = softmax.KIND.mistakes(q, sol)
    Ws = np.array([[0.5, -1, 0], [-0.25, 0.75, 1], [1.5, 0, -0.5]])
    s = Ws @ np.array([1, 2, -1]) + np.array([0.1, -0.2, 0]) + (Ws ** 2).sum(axis=1)
    p = np_softmax(s)
    assert abs(float(named(found, "a.loss")["log base 10 in the loss"]) + np.log10(p[1])) < 1e-14
    assert np.allclose(named(found, "a.grad.scores")["log base 10 in the loss"], (p - np.eye(3)[1]) / np.log(10),
                       rtol=1e-13)
