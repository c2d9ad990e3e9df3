"""The graph kind against independent truth: hand-written numpy formulas and finite differences."""

import math

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, example, given, settings, strategies as st

from symdl.ops import base, table
from symdl.errors import SpecError
from symdl.input.spec import default_spec, load_exam
from symdl.check.verify import to_float_array, verify
from support import central_difference, one_question, solution_of


def make_question(tmp_path, function, values, upstream=None, name="g"):
    lines = [f"function = '{function}'"]
    if upstream is not None:
        lines.append(f"upstream = '{upstream}'")
    lines.append("[question.values]")
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    return one_question(tmp_path, "graph", "\n".join(lines) + "\n", name)


def arr(value):
    return np.squeeze(to_float_array(value))


# ------------------------------------------------------------------------- DI504 Q1 ---

def test_di504_q1_values_match_hand_numpy():
    q = load_exam(default_spec()).questions[0]
    sol = solution_of(q)
    W = np.array([[-0.1, -0.5], [0.3, 0.2]])
    x = np.array([0.3, -0.1])
    u = np.array([1.0, 1.0])
    z1 = W @ x
    z2 = z1 + np.array([0.0, 1.0])
    z3 = np.exp(z2)
    f = np.maximum(np.array([1.0, 0.0]), z3)
    np.testing.assert_allclose(arr(sol.answers["forward.z1"]), z1, rtol=1e-12)
    np.testing.assert_allclose(arr(sol.answers["output"]), f, rtol=1e-12)
    mask = (z3 > np.array([1.0, 0.0])).astype(float)
    g3 = u * mask
    g2 = g3 * z3
    np.testing.assert_allclose(arr(sol.answers["grad.z3"]), g3)
    np.testing.assert_allclose(arr(sol.answers["grad.W"]), np.outer(g2, x), rtol=1e-12)
    np.testing.assert_allclose(arr(sol.answers["grad.x"]), W.T @ g2, rtol=1e-12)
    # exact, not float: the forward value at z1 is exactly [0.02, 0.07]
    assert sol.answers["forward.z1"] == sympy.ImmutableMatrix([sympy.Rational(1, 50), sympy.Rational(7, 100)])
    assert sol.answers["forward.z3"][0] == sympy.exp(sympy.Rational(1, 50))
    assert all(c.ok for c in verify(q, sol))


def test_di504_q1_answer_names():
    q = load_exam(default_spec()).questions[0]
    sol = solution_of(q)
    names = set(sol.answers)
    assert {"output", "grad.W", "grad.x"} <= names
    ops_nodes = {n[len("forward."):] for n in names if n.startswith("forward.")}
    assert ops_nodes == {"z1", "z2", "z3", "z4"}
    assert {f"grad.{n}" for n in ops_nodes if n != "z4"} <= names


# ----------------------------------------------------------- functions beyond DI504 ---

def test_scalar_fork_gradients_add_up(tmp_path):
    # x feeds three nodes; df/dx = y + 2x + cos-free check by hand: f = x y + x^2 + x
    q = make_question(tmp_path, r"f = x y + x^2 + 3 x", {"x": "1.5", "y": "-0.5"})
    sol = solution_of(q)
    x, y = 1.5, -0.5
    assert float(sol.answers["output"][0]) == pytest.approx(x * y + x**2 + 3 * x)
    assert float(sol.answers["grad.x"][0]) == pytest.approx(y + 2 * x + 3)
    assert float(sol.answers["grad.y"][0]) == pytest.approx(x)
    assert all(c.ok for c in verify(q, sol))
    # the sheet shows the fork sum
    texts = [s.text if isinstance(s.text, str) else " ".join(p for p in s.text.parts if type(p) is str)
             for sec in sol.sections for s in sec.items if hasattr(s, "text")]
    assert any("gradients add up" in t for t in texts)


def test_sigmoid_of_affine(tmp_path):
    q = make_question(tmp_path, r"\sigma(\mathbf{w}^T \mathbf{x} + b)",
                      {"w": r"\begin{bmatrix} 0.5 \\ -1.2 \\ 2 \end{bmatrix}",
                       "x": r"\begin{bmatrix} 1 \\ 0.25 \\ -0.5 \end{bmatrix}", "b": "0.1"})
    sol = solution_of(q)
    w, x, b = np.array([0.5, -1.2, 2.0]), np.array([1, 0.25, -0.5]), 0.1
    s = 1 / (1 + math.exp(-(w @ x + b)))
    assert float(sol.answers["output"][0]) == pytest.approx(s, rel=1e-12)
    np.testing.assert_allclose(arr(sol.answers["grad.w"]), s * (1 - s) * x, rtol=1e-10)
    np.testing.assert_allclose(arr(sol.answers["grad.x"]), s * (1 - s) * w, rtol=1e-10)
    assert float(sol.answers["grad.b"][0]) == pytest.approx(s * (1 - s), rel=1e-10)
    assert all(c.ok for c in verify(q, sol))


def test_matrix_valued_composition_against_fd(tmp_path):
    values = {"A": r"\begin{bmatrix} 0.2 & -0.4 & 0.1 \\ 0.5 & 0.3 & -0.2 \end{bmatrix}",
              "B": r"\begin{bmatrix} 1 & -1 \\ 0.5 & 2 \\ -0.3 & 0.7 \end{bmatrix}",
              "C": r"\begin{bmatrix} 0.1 & 0.2 \\ -0.3 & 0.05 \end{bmatrix}"}
    upstream = r"\begin{bmatrix} 1 & -2 \\ 0.5 & 3 \end{bmatrix}"
    q = make_question(tmp_path, r"\tanh(A B) + \operatorname{relu}(C^T) \cdot C", values, upstream)
    sol = solution_of(q)
    A = np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]])
    B = np.array([[1, -1], [0.5, 2], [-0.3, 0.7]])
    C = np.array([[0.1, 0.2], [-0.3, 0.05]])
    U = np.array([[1, -2], [0.5, 3]])

    def f(A_, B_, C_):
        return np.tanh(A_ @ B_) + np.maximum(C_.T, 0) @ C_

    np.testing.assert_allclose(to_float_array(sol.answers["output"]), f(A, B, C), rtol=1e-12)
    np.testing.assert_allclose(to_float_array(sol.answers["grad.A"]),
                               central_difference(lambda a: np.sum(U * f(a, B, C)), A), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(to_float_array(sol.answers["grad.B"]),
                               central_difference(lambda b: np.sum(U * f(A, b, C)), B), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(to_float_array(sol.answers["grad.C"]),
                               central_difference(lambda c: np.sum(U * f(A, B, c)), C), rtol=1e-6, atol=1e-9)
    assert all(c.ok for c in verify(q, sol))


def test_log_division_and_power(tmp_path):
    q = make_question(tmp_path, r"\frac{\ln(x^2 + 1)}{y} - |x - y|", {"x": "0.7", "y": "2.5"})
    sol = solution_of(q)
    x, y = 0.7, 2.5
    assert float(sol.answers["output"][0]) == pytest.approx(math.log(x**2 + 1) / y - abs(x - y))
    assert float(sol.answers["grad.x"][0]) == pytest.approx(2 * x / (x**2 + 1) / y + 1)
    assert float(sol.answers["grad.y"][0]) == pytest.approx(-math.log(x**2 + 1) / y**2 - 1)


def test_transpose_and_order_are_kept(tmp_path):
    W = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    x = r"\begin{bmatrix} 1 \\ -1 \end{bmatrix}"
    wx = solution_of(make_question(tmp_path, r"W x", {"W": W, "x": x}, upstream=r"[1 \quad 1]^T", name="a"))
    wtx = solution_of(make_question(tmp_path, r"W^T x", {"W": W, "x": x}, upstream=r"[1 \quad 1]^T", name="b"))
    xtw = solution_of(make_question(tmp_path, r"x^T W", {"W": W, "x": x}, upstream=r"[1 \quad 1]", name="c"))
    np.testing.assert_allclose(arr(wx.answers["output"]), [-1, -1])
    np.testing.assert_allclose(arr(wtx.answers["output"]), [-2, -2])
    np.testing.assert_allclose(arr(xtw.answers["output"]), [-2, -2])


def test_tie_in_max_uses_symmetric_subgradient(tmp_path):
    q = make_question(tmp_path, r"\max(x, y)", {"x": "0.5", "y": "0.5"})
    sol = solution_of(q)
    assert sol.answers["grad.x"][0] == sympy.Rational(1, 2)
    assert any("tie" in str(a) for a in sol.assumptions)
    assert all(c.ok for c in verify(q, sol))


# --------------------------------------------------------------------------- errors ---

@pytest.mark.parametrize("function, values, message", [
    (r"W x", {"W": r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", "x": r"\begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}"},
     "shape mismatch"),
    (r"W y", {"W": "1"}, "symbol 'y' has no value"),
    (r"\operatorname{softplus}(x)", {"x": "1"}, "unknown function"),
    (r"g(x + 1)", {"x": "1"}, "symbol 'g' has no value"),
    (r"x^{y}", {"x": "1", "y": "2"}, "non-constant exponent"),
    (r"x \odot", {"x": "1"}, "operand on each side"),
])
def test_bad_functions_name_the_field(tmp_path, function, values, message):
    q = make_question(tmp_path, function, values, upstream=None)
    with pytest.raises(SpecError) as info:
        solution_of(q)
    assert message in str(info.value)
    assert "question Q" in str(info.value)


def test_upstream_shape_must_match(tmp_path):
    q = make_question(tmp_path, r"2 x", {"x": r"[1 \quad 2]^T"}, upstream=r"[1 \quad 2 \quad 3]^T")
    with pytest.raises(SpecError) as info:
        solution_of(q)
    assert "field 'upstream'" in str(info.value)


# ------------------------------------------------------------------------- op table ---

# the ops' float forms, written here from numpy (the op table holds exact rules only)
NUMPY_UNARY = {"exp": np.exp, "log": np.log, "tanh": np.tanh, "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
               "relu": lambda a: np.maximum(a, 0.0), "abs": np.abs, "neg": np.negative, "sin": np.sin,
               "cos": np.cos, "tan": np.tan, "floor": np.floor, "ceil": np.ceil, "round": np.round}
NUMPY_BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "max": np.maximum,
                "min": np.minimum}


@pytest.mark.parametrize("name", sorted(table.UNARY))
def test_unary_vjp_matches_fd(name):
    rule, np_f = table.UNARY[name], NUMPY_UNARY[name]
    rng = np.random.default_rng(3)
    x = [sympy.Rational(int(v), 100) for v in rng.integers(5, 150, size=3)]
    a = sympy.ImmutableMatrix(x)
    y = base.unary_forward(rule, a)
    g = sympy.ImmutableMatrix([1, -2, sympy.Rational(1, 2)])
    (grad,) = base.unary_vjp(rule, g, a, y)
    xf = np.array([float(v) for v in x])
    gf = np.array([1, -2, 0.5])
    expected = central_difference(lambda v: float(np.sum(gf * np_f(v))), xf)
    np.testing.assert_allclose(np.squeeze(to_float_array(grad)), expected, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(table.BINARY))
def test_binary_vjp_matches_fd(name):
    rule, np_f = table.BINARY[name], NUMPY_BINARY[name]
    a = sympy.ImmutableMatrix([sympy.Rational(3, 10), sympy.Rational(-7, 5)])
    b = sympy.ImmutableMatrix([[sympy.Rational(6, 5)]])       # broadcast scalar
    y = base.binary_forward(rule, a, b, (2, 1))
    g = sympy.ImmutableMatrix([2, -1])
    ga, gb = base.binary_vjp(rule, g, a, b, y)
    af, bf, gf = np.array([[0.3], [-1.4]]), np.array([[1.2]]), np.array([[2.0], [-1.0]])
    np.testing.assert_allclose(to_float_array(ga), central_difference(lambda v: np.sum(gf * np_f(v, bf)), af), rtol=1e-6)
    np.testing.assert_allclose(to_float_array(gb), central_difference(lambda v: np.sum(gf * np_f(af, v)), bf), rtol=1e-6)


def test_every_op_has_a_rule_and_unknown_ops_raise():
    for name in table.ALL_OPS:
        table.rule_for(name, 2 if name == "pow" else None)
    with pytest.raises(base.MissingRule):
        table.rule_for("softplus")


# -------------------------------------------------------------- random graphs (FD) ---

LEAVES = ["A", "B", "C"]   # upper case: never inside a LaTeX command name


@st.composite
def expressions(draw, depth=0):
    if depth > 0 and (depth >= 3 or draw(st.integers(0, 3)) == 0):
        return draw(st.sampled_from(LEAVES + ["0.5", "2"]))
    kind = draw(st.sampled_from(["add", "sub", "mul", "div", "exp", "tanh", "sigmoid", "max", "pow", "log"]))
    x = draw(expressions(depth + 1))
    if kind in ("exp", "tanh"):
        return rf"\{kind}({x})"
    if kind == "sigmoid":
        return rf"\sigma({x})"
    if kind == "log":
        return rf"\ln(1 + ({x})^2)"
    if kind == "pow":
        return rf"({x})^{{2}}"
    y = draw(expressions(depth + 1))
    if kind == "div":
        return rf"\frac{{{x}}}{{2 + ({y})^2}}"
    if kind == "max":
        return rf"\max({x}, {y})"
    return {"add": f"({x}) + ({y})", "sub": f"({x}) - ({y})", "mul": f"({x}) \\cdot ({y})"}[kind]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expr=expressions(), vals=st.lists(st.integers(-20, 20), min_size=3, max_size=3))
@example(expr=r"\exp((A) + (\exp(0.5)))", vals=[0, 0, 0])        # a constant's node at a half column (1.5)
@example(expr=r"\frac{A}{2 + ((B) \cdot ((A) + (B)))^2}", vals=[0, -1, 0])   # an exact 0 against 3e-56
def test_random_scalar_graphs_agree_with_finite_differences(tmp_path, expr, vals):
    from symdl.input.latex import parse_expression

    # the names the function uses as read (SymPy folds (A) - (A) away): values for those only
    used = sorted(str(s) for s in parse_expression(f"f = {expr}").expr.free_symbols if str(s) in LEAVES)
    if not used:
        expr = rf"\exp(A) + ({expr})"
        used = ["A"]
    # values off the kinks (x.x5): a tie has no derivative for finite differences to find
    values = {name: f"{v / 10 + 0.05:.2f}" for name, v in zip(LEAVES, vals) if name in used}
    q = make_question(tmp_path, f"f = {expr}", values)
    sol = solution_of(q)
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_random_vector_graph_agrees_with_fd(tmp_path):
    rng = np.random.default_rng(11)
    def mat(r, c):
        rows = r" \\ ".join(" & ".join(f"{v / 10:.1f}" for v in rng.integers(-9, 10, size=c)) for _ in range(r))
        return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}"
    values = {"W_1": mat(3, 4), "W_2": mat(2, 3), "b": mat(3, 1), "x": mat(4, 1)}
    q = make_question(tmp_path, r"\tanh(W_2 \operatorname{relu}(W_1 x + b))", values, upstream=r"[1 \quad -1]^T")
    sol = solution_of(q)
    checks = verify(q, sol)
    assert len(checks) >= 8 and all(c.ok for c in checks)
