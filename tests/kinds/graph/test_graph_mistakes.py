"""The graph kind's common mistakes, each value against numpy doing the same mistake by hand."""

import numpy as np
import sympy

from symdl.kinds import graph
from symdl.spec import default_spec, load_exam
from symdl.verify import to_float_array
from support import one_question

W = np.array([[-0.1, -0.5], [0.3, 0.2]])
X = np.array([0.3, -0.1])


def mistakes_of(q):
    sol = graph.solve(q)
    found = graph.KIND.mistakes(q, sol)
    return sol, {(answer, m.name): np.squeeze(to_float_array(m.value)) for answer, ms in found.items() for m in ms}


def question(tmp_path, function, values, upstream=None):
    lines = [f"function = '{function}'"] + ([f"upstream = '{upstream}'"] if upstream else [])
    lines += ["[question.values]"] + [f"{k} = '{v}'" for k, v in values.items()]
    return one_question(tmp_path, "graph", "\n".join(lines) + "\n")


def test_di504_q1_mistakes_against_numpy():
    sol, found = mistakes_of(load_exam(default_spec()).questions[0])
    z3 = np.exp(W @ X + np.array([0.0, 1.0]))
    right = z3 * (z3 > np.array([1.0, 0.0]))            # z2-bar with the mask z3 > c1: [1, 1]
    np.testing.assert_allclose(found[("grad.x", "W instead of W^T")], W @ right, rtol=1e-12)
    # z3 = [1.0202, 2.9154] against c1 = [1, 0]: the first entries agree to 2 digits (1.0 and 1.0)
    tie = z3 * np.array([0.5, 1.0])
    np.testing.assert_allclose(found[("grad.z3", "near tie taken as a tie")], [0.5, 1.0])
    np.testing.assert_allclose(found[("grad.x", "near tie taken as a tie")], W.T @ tie, rtol=1e-12)
    np.testing.assert_allclose(found[("grad.W", "near tie taken as a tie")], np.outer(tie, X), rtol=1e-12)
    # the mask dropped changes only the constant's gradient, u = [1, 1] equals ones: neither survives
    names = {name for _, name in found}
    assert names == {"W instead of W^T", "near tie taken as a tie"}
    # exact: the near tie halves e^{0.02} exactly
    exact = graph.KIND.mistakes(load_exam(default_spec()).questions[0], sol)["grad.z1"][0].value
    assert exact[0] == sympy.exp(sympy.Rational(1, 50)) / 2


def test_mask_dropped_and_upstream_ignored(tmp_path):
    x, y, u = np.array([2.0, -1.0]), np.array([1.0, 3.0]), np.array([2.0, -0.5])
    q = question(tmp_path, r"\max(x, y) + y", {"x": "[2 \\quad -1]^T", "y": "[1 \\quad 3]^T"},
                 upstream="[2 \\quad -0.5]^T")
    sol, found = mistakes_of(q)
    # right: x-bar = u [x > y], y-bar = u [y > x] + u
    np.testing.assert_allclose(np.squeeze(to_float_array(sol.answers["grad.x"])), u * (x > y))
    np.testing.assert_allclose(found[("grad.x", "max mask dropped")], u)
    np.testing.assert_allclose(found[("grad.y", "max mask dropped")], 2 * u)
    np.testing.assert_allclose(found[("grad.x", "upstream gradient ignored")], 1.0 * (x > y))
    np.testing.assert_allclose(found[("grad.y", "upstream gradient ignored")], 1.0 * (y > x) + 1)


def test_a_mistake_that_changes_nothing_is_left_out(tmp_path):
    # a non-square W: "W instead of W^T" cannot be written, and no max, relu or upstream: nothing
    q = question(tmp_path, r"\operatorname{sum}(W x)",
                 {"W": r"\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}", "x": "[1 \\quad 0 \\quad -1]^T"})
    assert mistakes_of(q)[1] == {}


def test_relu_mask_dropped(tmp_path):
    q = question(tmp_path, r"\operatorname{sum}(\operatorname{relu}(W x))",
                 {"W": r"\begin{bmatrix} 1 & -2 \\ -3 & 1 \end{bmatrix}", "x": "[1 \\quad 1]^T"})
    _, found = mistakes_of(q)
    Wn = np.array([[1.0, -2.0], [-3.0, 1.0]])
    np.testing.assert_allclose(found[("grad.x", "max mask dropped")], Wn.T @ np.ones(2))   # relu' taken as 1
    assert ("grad.x", "W instead of W^T") not in found      # W x < 0: relu sends 0 back, W 0 = W^T 0
