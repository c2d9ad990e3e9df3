"""The softmax kind's mistakes, each against numpy doing the same slip."""

import numpy as np

from symdl.solve import solve_question
from symdl.input.spec import default_spec, load_exam
from support import TESTS

W = np.array([[-0.8, -0.5, 0.5, 0.2, -0.2], [0.8, -0.3, 0, -0.1, -0.3], [0, 0.6, 0.6, 0.2, -0.6],
              [-0.2, -0.4, 0.1, -0.1, 0.5]])
B = np.array([-0.3, 0.1, -0.7, 0.9])
R = np.abs(W).sum(axis=1)                     # each class's own term: [2.2, 1.5, 2.0, 1.3]
X_B = np.array([1.2, 4.3, 5.6, 3.4, 7.8])


def np_softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def graded(q):
    sol = solve_question(q).solution
    return {a: {m.name: np.array([float(v) for v in m.value]) for m in meta.mistakes}
            for a, meta in sol.meta.items() if meta.mistakes}


def test_di504_q3_mistakes():
    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q3")
    found = graded(q)
    s = W @ X_B + B
    assert np.allclose(found["b.scores"]["extra-term-left-out"], s, rtol=1e-13)
    assert np.allclose(found["b.probs"]["extra-term-left-out"], np_softmax(s), rtol=1e-13)
    # w_{N,i} read literally: row 4's term, 0.2 + 0.4 + 0.1 + 0.1 + 0.5 = 1.3, added to every class
    assert np.allclose(found["b.scores"]["extra-term-added-to-every-class"], s + 1.3, rtol=1e-13)
    assert np.allclose(found["b.probs"]["extra-term-added-to-every-class"], np_softmax(s), rtol=1e-13)
    # no normalization: e^{s_k} as they are
    assert np.allclose(found["b.probs"]["no-normalization"], np.exp(s + R), rtol=1e-13)
    assert np.allclose(found["a.probs"]["no-normalization"], np.exp(B + R), rtol=1e-13)
    assert "extra-term-left-out" not in found.get("d.probs", {})        # d has no term to leave out
    assert {n for v in found.values() for n in v} == {"extra-term-left-out", "extra-term-added-to-every-class",
                                                     "no-normalization"}


def test_softmax_small_l2_term():
    """S1 of tests/specs/softmax_small.toml: s = W x + B + sum_i w_{n,i}^2, case a."""
    q = next(q for q in load_exam(TESTS / "specs" / "softmax_small.toml").questions if q.id == "S1")
    found = graded(q)
    Ws = np.array([[0.5, -1, 0], [-0.25, 0.75, 1], [1.5, 0, -0.5]])
    base = Ws @ np.array([1, 2, -1]) + np.array([0.1, -0.2, 0])
    r = (Ws ** 2).sum(axis=1)
    assert np.allclose(found["a.scores"]["extra-term-left-out"], base, rtol=1e-13)
    assert np.allclose(found["a.scores"]["extra-term-added-to-every-class"], base + r[-1], rtol=1e-13)
    assert np.allclose(found["a.probs"]["no-normalization"], np.exp(base + r), rtol=1e-13)
