"""The graph's float64 route (graphs past the high-precision budget) carries its rounding bound:
an exact 0 that the floats leave as 1e-15 agrees, a wrong value near it still fails."""

from fractions import Fraction

import numpy as np
import pytest
import sympy

from symdl.check import hp
from symdl.kinds.graph import check_mp
from symdl.kinds.graph.build import build_graph
from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import independent_of, solution_of


def _matrix(rows):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(str(v) for v in row) for row in rows) + r" \end{bmatrix}"


@pytest.fixture(scope="module")
def cancelled(tmp_path_factory):
    """f = c (sum(W x) - s) with s = sum(W x) exactly (one-decimal entries): f = 0 and grad.c = 0
    exactly, while the floats leave about 1e-14 of both; 40 x 40 is past the mpmath budget."""
    rng = np.random.default_rng(1)
    W = np.round(rng.uniform(-1, 1, (40, 40)), 1)
    x = np.round(rng.uniform(-1, 1, (40, 1)), 1)
    s = sum(Fraction(str(W[i, j])) * Fraction(str(x[j, 0])) for i in range(40) for j in range(40))
    assert s.denominator in (1, 2, 4, 5, 10, 20, 25, 50, 100)      # a terminating decimal
    path = tmp_path_factory.mktemp("g") / "big.toml"
    path.write_text("\n".join([
        '[exam]', 'id = "big"', 'title = "t"', '[[question]]', 'id = "Q"', 'kind = "graph"',
        r"function = 'c (\operatorname{sum}(W x) - s)'", '[question.values]',
        f"W = '{_matrix(W)}'", f"x = '{_matrix(x)}'", "c = '1.5'", f"s = '{float(s)}'"]) + "\n")
    q = load_exam(path).questions[0]
    assert not check_mp.affordable(build_graph(q))                  # the float64 route
    return q, W, x


def test_an_exact_zero_against_float_noise_agrees(cancelled):
    q, W, x = cancelled
    sol = solution_of(q)
    route = independent_of(q)
    assert sol.answers["output"][0] == 0 and sol.answers["grad.c"][0] == 0
    assert np.ravel(route["output"].value)[0] != 0 and np.ravel(route["grad.c"].value)[0] != 0
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    # grad.x = c W^T 1 and grad.W = c 1 x^T, by hand
    np.testing.assert_allclose(np.array(sol.answers["grad.x"].tolist(), dtype=float).ravel(),
                               1.5 * W.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("name, wrong", [("grad.c", sympy.Rational(1, 10**9)), ("output", sympy.Rational(-1, 10**8)),
                                         ("grad.s", sympy.Rational(-3, 2) + sympy.Rational(1, 10**5))])
def test_a_wrong_value_beyond_the_bound_fails(cancelled, name, wrong):
    q, _, _ = cancelled
    sol = solution_of(q)
    sol.answers[name] = sympy.Matrix([[wrong]])
    failed = [c.name for c in verify(q, sol) if not c.ok]
    assert failed == [name]


def test_the_bounds_are_scaled_to_the_terms(cancelled):
    q, _, _ = cancelled
    route = independent_of(q)
    for name, value in route.items():
        if isinstance(value, hp.Bounded):
            error = np.ravel(value.error)
            assert np.all(np.isfinite(error)) and np.all(error < 1e-8), name


UPDATE = """[exam]
id = "u"
title = "t"
[[question]]
id = "Q"
kind = "graph"
function = '{function}'
update = {update}
[question.values]
w = '0.3'
x = '{x}'
"""


@pytest.mark.parametrize("function, x, update", [
    ("w x", 3, '{ rule = "sgd", lr = "0.1", params = ["w"] }'),                       # 0.3 - 0.1 x 3 = 0
    (r"\tanh(w x) + 3 w", 0, '{ rule = "momentum", lr = "0.1", momentum = "0.9", params = ["w"] }'),
])
def test_an_update_landing_on_zero_verifies(tmp_path, function, x, update):
    """The route's step at high precision left 3.9e-62 where 0 is right (exit 1); now bounded."""
    path = tmp_path / "u.toml"
    path.write_text(UPDATE.format(function=function, x=x, update=update))
    q = load_exam(path).questions[0]
    sol = solution_of(q)
    assert sol.answers["update.w"][0] == 0
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    sol.answers["update.w"] = sympy.Matrix([[sympy.Rational(1, 10**30)]])
    assert "update.w" in [c.name for c in verify(q, sol) if not c.ok]
