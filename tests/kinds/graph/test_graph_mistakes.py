"""The graph kind's mistakes, each value against numpy (or hand arithmetic) doing the same mistake."""

import re
import tomllib

import numpy as np
import sympy

from symdl.solve import solve_question
from symdl.kinds import graph
from symdl.grading.mistake_rows import asked
from symdl.input.spec import default_spec, load_exam
from symdl.check.verify import to_float_array
from support import TESTS, one_question, solution_of

W = np.array([[-0.1, -0.5], [0.3, 0.2]])
X = np.array([0.3, -0.1])


def latex_array(text):
    """A bmatrix or a [a \\quad b ...]^T vector of the spec as a numpy array (read here, not by symdl)."""
    body = re.sub(r"\\(begin|end)\{bmatrix\}|\^T|[\[\]]", "", text)
    rows = [[float(t) for t in re.split(r"&|\\quad", row) if t.strip()] for row in body.split(r"\\") if row.strip()]
    return np.squeeze(np.array(rows))


def graded(q):
    """{(answer, mistake name): value} after the whole pipeline (equal and duplicate mistakes dropped)."""
    sol = solve_question(q).solution
    return sol, {(answer, m.name): np.squeeze(to_float_array(m.value))
                 for answer, meta in sol.meta.items() for m in meta.mistakes}


def mistakes_of(q):
    sol = solution_of(q)
    found = graph.KIND.mistakes(q, sol)
    return sol, {(answer, m.name): np.squeeze(to_float_array(m.value)) for answer, ms in found.items() for m in ms}


def question(tmp_path, function, values, upstream=None):
    lines = [f"function = '{function}'"] + ([f"upstream = '{upstream}'"] if upstream else [])
    lines += ["[question.values]"] + [f"{k} = '{v}'" for k, v in values.items()]
    return one_question(tmp_path, "graph", "\n".join(lines) + "\n")


def test_di504_q1_mistakes_against_numpy():
    q = load_exam(default_spec()).questions[0]
    sol, found = graded(q)
    z3 = np.exp(W @ X + np.array([0.0, 1.0]))          # [1.0202, 2.9154], both above c1 = [1, 0]
    right = z3 * np.array([1.0, 1.0])                  # z2-bar: upstream [1, 1] times e^{z2}
    # exp's local gradient forgotten: z2-bar = [1, 1], so x-bar = W^T [1, 1] = [-0.1 + 0.3, -0.5 + 0.2]
    np.testing.assert_allclose(found[("grad.x", "exp-local-grad-forgotten")], [0.2, -0.3], rtol=1e-15)
    np.testing.assert_allclose(found[("grad.W", "exp-local-grad-forgotten")], np.outer([1, 1], X), rtol=1e-15)
    if asked(sol.meta["grad.z2"]):                  # the node gradients carry mistakes when graded
        np.testing.assert_allclose(found[("grad.z2", "exp-local-grad-forgotten")], [1, 1])
    assert all(asked(sol.meta[answer]) for answer, _ in found)
    # the transpose missed (W for W^T in x-bar), and added (W-bar = (g x^T)^T = x g^T)
    np.testing.assert_allclose(found[("grad.x", "matmul-transpose-missed")], W @ right, rtol=1e-12)
    np.testing.assert_allclose(found[("grad.W", "matmul-transpose-added")], np.outer(right, X).T, rtol=1e-12)
    # the max's gradient to the losing argument (the constant): nothing reaches z3 and below
    for node in ("x", "W"):
        assert not np.any(found[(f"grad.{node}", "max-grad-to-wrong-argument")])
    # the near tie (1.0202 against 1 agree to 2 digits): one row, not five; the max's own input z3 when
    # its gradient is graded, else the first graded gradient it changes (x-bar), here z3-bar = [0.5, 1]
    # and x-bar = W^T (z3 * [0.5, 1])
    rows = [k[0] for k in found if k[1] == "near-tie-taken-as-tie"]
    assert rows == (["grad.z3"] if asked(sol.meta["grad.z3"]) else ["grad.x"])
    tie = {"grad.z3": [0.5, 1.0], "grad.x": W.T @ (z3 * np.array([0.5, 1.0]))}[rows[0]]
    np.testing.assert_allclose(found[(rows[0], "near-tie-taken-as-tie")], tie, rtol=1e-12)
    # the whole gradient to both: only the constant's gradient changes, no answer; upstream = ones: no change
    assert {name for _, name in found} == {"exp-local-grad-forgotten", "matmul-transpose-missed",
                                           "matmul-transpose-added", "max-grad-to-wrong-argument",
                                           "near-tie-taken-as-tie"}
    # each mistake once per answer, one sentence for all its rows
    for meta in sol.meta.values():
        assert len({m.name for m in meta.mistakes}) == len(meta.mistakes)
    whys = {}
    for meta in sol.meta.values():
        for m in meta.mistakes:
            whys.setdefault(m.name, set()).add(m.why)
    assert all(len(w) == 1 and w.pop().startswith("you ") for w in whys.values())


def test_di504_exp_forgotten_is_exact():
    q = load_exam(default_spec()).questions[0]
    sol = solution_of(q)
    found = {m.name: m.value for m in graph.KIND.mistakes(q, sol)["grad.x"]}
    assert found["exp-local-grad-forgotten"] == sympy.Matrix([sympy.Rational(1, 5), sympy.Rational(-3, 10)])
    # the near tie halves the max's gradient at its first entry exactly: z3-bar = [1/2, 1] where z3's
    # gradient is graded (the answer policy grades every node), else x-bar = W^T [e^{0.02} / 2, e^{1.07}]
    every = graph.KIND.mistakes(q, sol)
    rows = [a for a, ms in every.items() if any(m.name == "near-tie-taken-as-tie" for m in ms)]
    assert len(rows) == 1
    tie = next(m.value for m in every[rows[0]] if m.name == "near-tie-taken-as-tie")
    E = sympy.exp
    if rows[0] == "grad.z3":
        assert sympy.Matrix(tie) == sympy.Matrix([sympy.Rational(1, 2), 1])
    else:
        half = E(sympy.Rational(1, 50)) / 2
        assert sympy.simplify(tie[0] - (sympy.Rational(-1, 10) * half + sympy.Rational(3, 10) * E(sympy.Rational(107, 100)))) == 0


def test_three_layers_local_gradients_forgotten_against_numpy():
    """tests/specs/graph_three_layers.toml: tanh(W3 relu(W2 sigmoid(W1 x + b1) + b2)), each op's local
    derivative left out in a numpy backward pass written here."""
    q = load_exam(TESTS / "specs" / "graph_three_layers.toml").questions[0]
    values = tomllib.loads((TESTS / "specs" / "graph_three_layers.toml").read_text())["question"][0]["values"]
    v = {k: latex_array(values[k]) for k in ("W_1", "b_1", "W_2", "b_2", "W_3", "x")}
    u = np.array([-0.795, -1.876, 1.462])
    a1 = v["W_1"] @ v["x"] + v["b_1"]
    h1 = 1 / (1 + np.exp(-a1))
    a2 = v["W_2"] @ h1 + v["b_2"]
    h2 = np.maximum(a2, 0)
    a3 = v["W_3"] @ h2

    def x_bar(tanh=True, relu=True, sig=True, up=u):
        g = up * ((1 - np.tanh(a3) ** 2) if tanh else 1)
        g = (v["W_3"].T @ g) * ((a2 > 0) if relu else 1)
        g = (v["W_2"].T @ g) * ((h1 * (1 - h1)) if sig else 1)
        return v["W_1"].T @ g

    sol, found = graded(q)
    np.testing.assert_allclose(np.squeeze(to_float_array(sol.answers["grad.x"])), x_bar(), rtol=1e-12)
    np.testing.assert_allclose(found[("grad.x", "tanh-local-grad-forgotten")], x_bar(tanh=False), rtol=1e-12)
    np.testing.assert_allclose(found[("grad.x", "relu-local-grad-forgotten")], x_bar(relu=False), rtol=1e-12)
    np.testing.assert_allclose(found[("grad.x", "sigmoid-local-grad-forgotten")], x_bar(sig=False), rtol=1e-12)
    np.testing.assert_allclose(found[("grad.x", "upstream-not-multiplied")], x_bar(up=np.ones(3)), rtol=1e-12)
    # no square matrix product: no transpose mistake can be written
    assert not any("transpose" in name for _, name in found)


def test_max_to_both_and_wrong_argument_and_upstream(tmp_path):
    x, y, u = np.array([2.0, -1.0]), np.array([1.0, 3.0]), np.array([2.0, -0.5])
    q = question(tmp_path, r"\max(x, y) + y", {"x": "[2 \\quad -1]^T", "y": "[1 \\quad 3]^T"},
                 upstream="[2 \\quad -0.5]^T")
    sol, found = mistakes_of(q)
    # right: x-bar = u [x > y], y-bar = u [y > x] + u
    np.testing.assert_allclose(np.squeeze(to_float_array(sol.answers["grad.x"])), u * (x > y))
    np.testing.assert_allclose(found[("grad.x", "max-grad-to-both")], u)
    np.testing.assert_allclose(found[("grad.y", "max-grad-to-both")], 2 * u)
    np.testing.assert_allclose(found[("grad.x", "max-grad-to-wrong-argument")], u * (x < y))
    np.testing.assert_allclose(found[("grad.y", "max-grad-to-wrong-argument")], u * (y < x) + u)
    np.testing.assert_allclose(found[("grad.x", "upstream-not-multiplied")], 1.0 * (x > y))
    np.testing.assert_allclose(found[("grad.y", "upstream-not-multiplied")], 1.0 * (y > x) + 1)


def test_a_mistake_that_changes_nothing_is_left_out(tmp_path):
    # a non-square W: no transpose mistake can be written, and no max, local gradient or upstream: nothing
    q = question(tmp_path, r"\operatorname{sum}(W x)",
                 {"W": r"\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}", "x": "[1 \\quad 0 \\quad -1]^T"})
    assert mistakes_of(q)[1] == {}


def test_relu_local_gradient_forgotten(tmp_path):
    q = question(tmp_path, r"\operatorname{sum}(\operatorname{relu}(W x))",
                 {"W": r"\begin{bmatrix} 1 & -2 \\ -3 & 1 \end{bmatrix}", "x": "[1 \\quad 1]^T"})
    _, found = mistakes_of(q)
    Wn = np.array([[1.0, -2.0], [-3.0, 1.0]])
    np.testing.assert_allclose(found[("grad.x", "relu-local-grad-forgotten")], Wn.T @ np.ones(2))
    assert ("grad.x", "matmul-transpose-missed") not in found      # W x < 0: relu sends 0 back, W 0 = W^T 0


def test_mean_and_product_local_gradients(tmp_path):
    """mean(c x), c = 2, x = [1, 2, 4]: x-bar = c / 3 and c-bar = (1 + 2 + 4) / 3 right; the mean's 1/3
    forgotten: x-bar = c; the product's local gradient forgotten: x-bar = 1/3, c-bar = 3 * 1/3 = 1."""
    q = question(tmp_path, r"\operatorname{mean}(c x)", {"c": "2", "x": "[1 \\quad 2 \\quad 4]^T"})
    sol, found = mistakes_of(q)
    np.testing.assert_allclose(np.squeeze(to_float_array(sol.answers["grad.x"])), [2 / 3] * 3)
    np.testing.assert_allclose(found[("grad.x", "mean-local-grad-forgotten")], [2, 2, 2])
    np.testing.assert_allclose(found[("grad.c", "mean-local-grad-forgotten")], 7)
    np.testing.assert_allclose(found[("grad.x", "mul-local-grad-forgotten")], [1 / 3] * 3)
    np.testing.assert_allclose(found[("grad.c", "mul-local-grad-forgotten")], 1)
