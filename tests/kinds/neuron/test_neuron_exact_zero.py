"""A neuron at z = 0 exactly (0.1 + 0.2 - 0.3 + 0 * 5): every activation verifies with no absolute
slack, the values are the hand ones, and a wrong value next to an exact 0 fails."""

import pytest
import sympy

from support import one_question, solution_of
from symdl.check.verify import verify

BODY = r"""activation = "{activation}"
W = '\begin{{bmatrix}} 0.1 \\ 0.2 \\ -0.3 \\ 0 \end{{bmatrix}}'
x = '[1 \quad 1 \quad 1 \quad 5]^T'
b = '0'
upstream = '0.7'
domain = [-1, 1]
"""
HALF = sympy.Rational(1, 2)
# y(0) and y'(0) by hand; relu at the kink: the PyTorch convention 0
AT_ZERO = {"sigmoid": (HALF, sympy.Rational(1, 4)), "tanh": (0, 1), "relu": (0, 0),
           "leaky_relu": (0, None), "identity": (0, 1)}


@pytest.mark.parametrize("activation", list(AT_ZERO))
def test_z_exactly_zero_verifies(tmp_path, activation):
    q = one_question(tmp_path, "neuron", BODY.format(activation=activation), name=activation)
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    y, slope = AT_ZERO[activation]
    assert sol.answers["z"] == 0 and sol.answers["y"] == y
    if slope is not None:
        assert sol.answers["dy_dz"] == slope
        # grad W_i = upstream y'(0) x_i
        assert list(sol.answers["grad.W"]) == [sympy.Rational(7, 10) * slope * v for v in (1, 1, 1, 5)]


def test_a_wrong_value_next_to_z_zero_fails(tmp_path):
    q = one_question(tmp_path, "neuron", BODY.format(activation="tanh"))
    sol = solution_of(q)
    sol.answers["z"] = sympy.Rational(1, 10**40)
    assert "z" in [c.name for c in verify(q, sol) if not c.ok]


STEP = r"""activation = "{activation}"
W = '\begin{{bmatrix}} 0.3 \\ -0.3 \end{{bmatrix}}'
x = '[3 \quad 3]^T'
b = '0'
upstream = '{up}'
update = {update}
"""


@pytest.mark.parametrize("activation, up, update", [
    # tanh'(0) = 1: grad W_1 = 3, velocity 3, W_1 - 0.1 x 3 = 0 exactly (the route left -6.7e-52)
    ("tanh", 1, '{ rule = "momentum", lr = "0.1", momentum = "0.9" }'),
    # sigmoid'(0) = 1/4, upstream 4: grad W_1 = 4 x 3 / 4 = 3, W_1 - 0.1 x 3 = 0
    ("sigmoid", 4, '{ rule = "sgd", lr = "0.1" }'),
])
def test_a_step_landing_on_zero_verifies(tmp_path, activation, up, update):
    q = one_question(tmp_path, "neuron", STEP.format(activation=activation, up=up, update=update), name=activation)
    sol = solution_of(q)
    assert sol.answers["update.W"][0] == 0
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    sol.answers["update.W"] = [sympy.Rational(1, 10**30), sol.answers["update.W"][1]]
    assert [c.name for c in verify(q, sol) if not c.ok] == ["update.W"]


def test_a_tiny_active_fraction_past_eight_inputs(tmp_path):
    """Ten inputs take the float (Fourier) route: P(x_1 + ... + x_10 > 9.7) for x uniform on [0, 1]^10
    is the corner simplex 0.3^10 / 10! = 1.6272e-12, which the route finds within ~1e-16 but not to
    a relative 1e-6 (exit 1 before); it now carries its error bound, and 2e-12 still fails."""
    import math
    from fractions import Fraction
    ones = r"[" + r" \quad ".join(["1"] * 10) + r"]^T"
    q = one_question(tmp_path, "neuron", f"activation = 'relu'\nW = '{ones}'\nx = '{ones}'\nb = '-9.7'\n"
                     "upstream = '1'\ndomain = [0, 1]\n")
    sol = solution_of(q)
    by_hand = Fraction(3, 10) ** 10 / math.factorial(10)
    assert abs(Fraction(str(sympy.nsimplify(sol.answers["active_fraction"]))) - by_hand) <= by_hand / 10**9
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    sol.answers["active_fraction"] = sympy.Rational(2, 10**12)
    assert [c.name for c in verify(q, sol) if not c.ok] == ["active_fraction"]
