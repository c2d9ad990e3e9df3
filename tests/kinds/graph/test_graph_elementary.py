"""The elementary ops (sin, cos, tan, floor, ceil, round, clamp, diag, the elementwise product) by
hand and against torch.autograd: exact values, gradients, kinks and what the sheet says of them."""

import numpy as np
import pytest
import sympy

from symdl.ops import conventions
from symdl.errors import SpecError
from symdl.input.latex import parse_expression
from symdl.check.verify import to_float_array, verify

from test_graph_subgradients import question
from support import solution_of

HALF = sympy.Rational(1, 2)


def solved(q):
    sol = solution_of(q)
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    return sol


def notes(sol):
    return [str(n) for n in sol.assumptions]


# ------------------------------------------------------------------------ by hand ---

def test_sine_of_a_sixth_of_pi_is_exact(tmp_path):
    # f = sin(pi x) at x = 1/6: 1/2 exactly; f' = pi cos(pi/6) = pi sqrt(3)/2
    a = solved(question(tmp_path, r"\sin(\pi x)", {"x": r"\frac{1}{6}"})).answers
    assert a["output"][0] == HALF
    assert sympy.simplify(a["grad.x"][0] - sympy.pi * sympy.sqrt(3) / 2) == 0


def test_cosine_schedule(tmp_path):
    # eta_t = 0.5 eta (1 + cos(pi t / T)) at eta = 0.1, t = 25, T = 100: 0.05 (1 + sqrt(2)/2);
    # d/dt = -0.05 sin(pi/4) pi / 100
    a = solved(question(tmp_path, r"0.5 \eta (1 + \cos(\frac{\pi t}{T}))", {"eta": "0.1", "t": "25", "T": "100"})).answers
    assert sympy.simplify(a["output"][0] - sympy.Rational(1, 20) * (1 + sympy.sqrt(2) / 2)) == 0
    assert sympy.simplify(a["grad.t"][0] + sympy.Rational(1, 20) * sympy.sqrt(2) / 2 * sympy.pi / 100) == 0


def test_tangent_derivative_and_its_pole(tmp_path):
    a = solved(question(tmp_path, r"\tan(x)", {"x": "0.25"}, name="tan")).answers
    assert sympy.simplify(a["grad.x"][0] - (1 + sympy.tan(sympy.Rational(1, 4)) ** 2)) == 0
    with pytest.raises(SpecError) as err:
        solution_of(question(tmp_path, r"\tan(\pi x)", {"x": "0.5"}, name="pole"))
    assert "undefined" in str(err.value)


@pytest.mark.parametrize("x, expected", [("2.5", 2), ("3.5", 4), ("-0.5", 0), ("-1.5", -2), ("0.49", 0),
                                         ("2.51", 3), ("-2.5", -2)])
def test_round_is_half_to_even(tmp_path, x, expected):
    # numpy.round and torch.round round a half to the even neighbour
    assert float(np.round(float(x))) == expected
    a = solved(question(tmp_path, r"\operatorname{round}(x)", {"x": x})).answers
    assert a["output"][0] == expected and a["grad.x"][0] == 0


def test_steps_have_zero_gradient_and_the_sheet_says_where_it_does_not_exist(tmp_path):
    # floor(3 x) at x = 2 (a jump: 3x = 6), ceil(x) at 2 (a jump), round(x y) at 2.5 (a jump)
    q = question(tmp_path, r"\lfloor 3 x \rfloor + \lceil x \rceil + \operatorname{round}(x y)", {"x": "2", "y": "1.25"})
    sol = solved(q)
    assert sol.answers["output"][0] == 6 + 2 + 2
    assert sol.answers["grad.x"][0] == 0 and sol.answers["grad.y"][0] == 0
    said = notes(sol)
    assert conventions.STEP_WORDS in said and conventions.ROUND_WORDS in said
    tie = [n for n in said if n.startswith("A tie occurs at ")]
    assert len(tie) == 1 and tie[0].count(", ") == 2, said         # the three step nodes, each on a jump


def test_floor_off_a_jump_is_no_tie(tmp_path):
    sol = solved(question(tmp_path, r"x \lfloor x \rfloor", {"x": "2.7"}))
    assert sol.answers["output"][0] == sympy.Rational(27, 5)
    assert sol.answers["grad.x"][0] == 2            # d/dx (x floor x) = floor x away from a jump
    assert not any(n.startswith("A tie occurs") for n in notes(sol))


@pytest.mark.parametrize("convention, grad_x, grad_lo, grad_hi", [
    # x = [0, 2, -1, 0.5, 1] clamped to [0, 1]: the bounds are hit at entries 1 and 5
    ("pytorch", [1, 0, 0, 1, 1], 1, 1),               # torch.clamp: x keeps the gradient at a bound
    ("symmetric", [HALF, 0, 0, 1, HALF], 1 + HALF, 1 + HALF),
])
def test_clamp_at_its_bounds(tmp_path, convention, grad_x, grad_lo, grad_hi):
    q = question(tmp_path, r"\mathrm{clamp}(x, l, h)", {"x": r"[0 \quad 2 \quad -1 \quad 0.5 \quad 1]^T", "l": "0", "h": "1"},
                 upstream=r"[1 \quad 1 \quad 1 \quad 1 \quad 1]^T", subgradients=convention)
    sol = solved(q)
    assert list(sol.answers["output"]) == [0, 1, 0, HALF, 1]
    assert list(sol.answers["grad.x"]) == grad_x
    assert sol.answers["grad.l"][0] == grad_lo and sol.answers["grad.h"][0] == grad_hi
    assert conventions.CLAMP_WORDS[convention] in notes(sol)


def test_clamp_needs_ordered_bounds(tmp_path):
    with pytest.raises(SpecError) as err:
        solution_of(question(tmp_path, r"\operatorname{clamp}(x, 1, 0)", {"x": "0.5"}))
    assert "lower bound below its upper bound" in str(err.value) and "\n" not in str(err.value)


def test_diag_both_ways(tmp_path):
    # sum(diag(v) W): row i of W scaled by v_i; d/dv_i = sum_j W_ij; d/dW_ij = v_i
    a = solved(question(tmp_path, r"\operatorname{sum}(\operatorname{diag}(v) W)",
                        {"v": r"[1 \quad 2]^T", "W": r"\begin{bmatrix} 1 & 3 \\ 2 & -1 \end{bmatrix}"})).answers
    assert a["output"][0] == 1 + 3 + 2 * (2 - 1)
    assert list(a["grad.v"]) == [4, 1] and a["grad.W"].tolist() == [[1, 1], [2, 2]]
    # diag of a matrix is its diagonal: d/dW sum(u * diag(W)) puts u on the diagonal
    b = solved(question(tmp_path, r"\operatorname{diag}(W)", {"W": r"\begin{bmatrix} 1 & 3 \\ 2 & -1 \end{bmatrix}"},
                        upstream=r"[5 \quad 7]^T", name="m")).answers
    assert list(b["output"]) == [1, -1] and b["grad.W"].tolist() == [[5, 0], [0, 7]]


def test_odot_is_the_elementwise_product(tmp_path):
    assert str(parse_expression(r"W x \odot y + b").expr) == "b + mul(W*x, y)"
    a = solved(question(tmp_path, r"\operatorname{sum}(a \odot b)", {"a": r"[1 \quad 2]^T", "b": r"[3 \quad -1]^T"})).answers
    assert a["output"][0] == 1 and list(a["grad.a"]) == [3, -1] and list(a["grad.b"]) == [1, 2]


# ------------------------------------------------------------------------ torch ---

def _bm(a):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(f"{v:g}" for v in row) for row in a) + r" \end{bmatrix}"


@pytest.mark.parametrize("function, torch_f", [
    (r"\operatorname{sum}(\sin(W x) \odot v + \cos(\pi W x))",
     lambda torch, W, x, v: (torch.sin(W @ x) * v + torch.cos(torch.pi * (W @ x))).sum()),
    (r"\operatorname{sum}(\operatorname{diag}(v) \tan(W x))",
     lambda torch, W, x, v: (torch.diag(v.ravel()) @ torch.tan(W @ x)).sum()),
    (r"\operatorname{sum}(\mathrm{clamp}(2 W x, -0.5, 0.5) + \lfloor 4 W x \rfloor \odot W x + \operatorname{round}(3 v))",
     lambda torch, W, x, v: (torch.clamp(2 * W @ x, -0.5, 0.5) + torch.floor(4 * W @ x) * (W @ x)
                             + torch.round(3 * v)).sum()),
])
def test_against_autograd(tmp_path, function, torch_f):
    torch = pytest.importorskip("torch")
    W = np.array([[0.5, -1.25], [2.0, 0.75], [-0.5, 1.5]])
    x = np.array([[0.8], [-0.4]])
    v = np.array([[1.5], [-2.0], [0.25]])
    sol = solved(question(tmp_path, function, {"W": _bm(W), "x": _bm(x), "v": _bm(v)}))
    tW, tx, tv = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W, x, v))
    out = torch_f(torch, tW, tx, tv)
    out.backward()
    assert float(to_float_array(sol.answers["output"]).ravel()[0]) == pytest.approx(out.item(), rel=1e-12)
    for name, tensor in (("W", tW), ("x", tx), ("v", tv)):
        np.testing.assert_allclose(to_float_array(sol.answers[f"grad.{name}"]).reshape(tensor.shape),
                                   tensor.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_kinks_against_autograd(tmp_path):
    torch = pytest.importorskip("torch")
    # every entry on a kink: clamp at both bounds, floor/ceil at an integer, round at a half
    x = np.array([[0.0], [1.0], [2.5], [-1.0]])
    sol = solved(question(tmp_path, r"\mathrm{clamp}(x, -1, 1) + \lfloor x \rfloor + \lceil x \rceil + \operatorname{round}(x)",
                          {"x": _bm(x)}, upstream=_bm([[1.0], [2.0], [3.0], [4.0]])))
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = torch.clamp(tx, -1, 1) + torch.floor(tx) + torch.ceil(tx) + torch.round(tx)
    out.backward(torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float64))
    np.testing.assert_allclose(to_float_array(sol.answers["output"]), out.detach().numpy())
    np.testing.assert_allclose(to_float_array(sol.answers["grad.x"]), tx.grad.numpy())


def test_a_graph_past_the_mpmath_budget_checks_in_floats(tmp_path):
    """24 x 24: the float route's own rules for these ops (check_ops.NUMPY_VJP), certified by differences."""
    from symdl.kinds.graph import check_mp
    from symdl.kinds.graph.build import build_graph

    rng = np.random.default_rng(0)
    W = rng.integers(-9, 10, size=(24, 24)) / 10 + 0.013
    x = rng.integers(-9, 10, size=(24, 1)) / 10 + 0.0071
    q = question(tmp_path, r"\operatorname{sum}(\mathrm{clamp}(\sin(W x), -0.5, 0.5) \odot \lfloor 3 W x \rfloor"
                           r" + \operatorname{diag}(x) \cos(W x))", {"W": _bm(W), "x": _bm(x)})
    assert not check_mp.affordable(build_graph(q))
    sol = solved(q)
    z = W @ x
    inside = (np.abs(np.sin(z)) <= 0.5).astype(float)
    grad_z = inside * np.cos(z) * np.floor(3 * z) - x * np.sin(z)      # by hand: floor contributes 0
    np.testing.assert_allclose(to_float_array(sol.answers["grad.x"]).reshape(24, 1),
                               W.T @ grad_z + np.cos(z), rtol=1e-10)
