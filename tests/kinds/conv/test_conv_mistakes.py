"""The conv kind's mistakes, each against a numpy loop doing the same slip."""

import numpy as np

from symdl.solve import solve_question
from symdl.input.spec import load_exam
from support import TESTS

X = np.array([[1, 2, 0], [-1, 0.5, 3], [2, -2, 1]])
K = np.array([[1, 0], [-1, 2]])
G = np.array([[1, 0, -1, 0.5], [0, 2, 1, 0], [-0.5, 1, 0, 1], [1, 0, 0, -1]])


def graded(spec, qid):
    q = next(q for q in load_exam(spec).questions if q.id == qid)
    sol = solve_question(q).solution
    return sol, {a: {m.name: np.array(m.value.tolist(), dtype=float) for m in meta.mistakes}
                 for a, meta in sol.meta.items() if meta.mistakes}


def correlate(x, k, pad):
    xp = np.pad(x, pad)
    H, W = xp.shape[0] - k.shape[0] + 1, xp.shape[1] - k.shape[1] + 1
    return np.array([[np.sum(xp[i:i + k.shape[0], j:j + k.shape[1]] * k) for j in range(W)] for i in range(H)])


def grad_input(g, k, pad, shape):
    gp = np.zeros((shape[0] + 2 * pad, shape[1] + 2 * pad))
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            gp[i:i + k.shape[0], j:j + k.shape[1]] += g[i, j] * k
    return gp[pad:pad + shape[0], pad:pad + shape[1]]


def test_conv_basic_c1_bias_forgotten_and_kernel_flipped():
    """tests/specs/conv_basic.toml C1: 3 x 3 input, 2 x 2 kernel, bias 0.5, padding 1."""
    sol, m = graded(TESTS / "specs" / "conv_basic.toml", "C1")
    right = correlate(X, K, 1) + 0.5
    assert np.allclose(np.array(sol.answers["output"].tolist(), dtype=float), right)
    assert np.allclose(m["output"]["bias-forgotten"], right - 0.5)
    flipped = K[::-1, ::-1]
    assert np.allclose(m["output"]["kernel-flipped"], correlate(X, flipped, 1) + 0.5)
    assert np.allclose(m["grad.input"]["kernel-flipped"], grad_input(G, flipped, 1, X.shape))
    assert "grad.kernel" not in m                 # the kernel's gradient reads the input, not the kernel


def test_max_pool_gradient_to_every_entry():
    """tests/specs/conv_pool.toml P1: 2 x 2 windows, stride 1; each upstream value to all four entries."""
    x = np.array([[1, 3, 3, 0], [2, 3, 1, 4], [0, 2, 2, 4]])
    g = np.array([[1, 2, -1], [0.5, 3, 1]])
    _, m = graded(TESTS / "specs" / "conv_pool.toml", "P1")
    assert np.allclose(m["grad.input"]["max-grad-to-every-entry"], grad_input(g, np.ones((2, 2)), 0, x.shape))
