"""Many tied kinks: checked under the stated convention, never NaN, at a cost that does not grow with them.

Inputs: tests/regressions/round3/graph_16_relu_ties_false_failure/ (round 3: 16 relu inputs all
exactly 0 gave NaN in the independent route and exit 1 after 40 s). Expected values are worked
out here by hand with numpy: under "pytorch" relu'(0) = 0, under "symmetric" relu'(0) = 1/2,
|x|'(0) = 0 under both, and a tie of max splits evenly.
"""

import resource
import subprocess
import sys

import numpy as np
import pytest

from support import TESTS, independent_of, solution_of
from symdl.check import hp
from symdl.input.spec import load_exam
from symdl.check.verify import to_float_array, verify

REG = TESTS / "regressions" / "round3" / "graph_16_relu_ties_false_failure"


def arr(value):
    return np.squeeze(to_float_array(value))


def child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize("name", ["allz16.toml", "exp16.toml"])
def test_round3_sixteen_tied_relus_exit_0_in_seconds(name):
    before = child_cpu()
    proc = subprocess.run([sys.executable, "-m", "symdl", "check", str(REG / name)], capture_output=True,
                          text=True, timeout=300)
    spent = child_cpu() - before
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "8 of 8 answers agree" in proc.stdout and "nan" not in proc.stdout.lower()
    # measured: 9.0 s (allz16) and 6.1 s (exp16) of CPU before, about 2 s since
    assert spent < 6.0, spent


def _given_W():
    from symdl.kinds.graph.fields import read_values
    return read_values(load_exam(REG / "allz16.toml").questions[0])["W"]


def _question(tmp_path, function, values, subgradients, name="q"):
    lines = ['[exam]', 'id = "t"', 'title = "t"', f'subgradients = "{subgradients}"',
             '[[question]]', 'id = "Q"', 'kind = "graph"', f"function = '{function}'", "[question.values]"]
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return load_exam(path).questions[0]


def _matrix(rows):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(str(v) for v in row) for row in rows) + r" \end{bmatrix}"


@pytest.mark.parametrize("convention, slope", [("pytorch", 0.0), ("symmetric", 0.5)])
def test_sixteen_ties_follow_the_convention(tmp_path, convention, slope):
    W = np.array(_given_W().tolist(), dtype=float)
    x = np.ones((16, 1))
    assert not (W @ x).any()                                  # every relu input is exactly 0
    q = _question(tmp_path, r"\operatorname{sum}(\operatorname{relu}(W x))",
                  {"W": _matrix(W.astype(int)), "x": _matrix(x.astype(int))}, convention)
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    local = np.full((16, 1), slope)                           # relu'(0) under the convention
    np.testing.assert_array_equal(arr(sol.answers["grad.W"]), local @ x.T)
    np.testing.assert_array_equal(arr(sol.answers["grad.x"]).reshape(16, 1), W.T @ local)
    independent = independent_of(q)
    for name in ("grad.W", "grad.x", "grad.z1"):
        route = independent[name]         # an inner gradient is hp.Bounded (its two precisions' distance)
        value = np.array([float(v) for v in hp.to_mp(getattr(route, "value", route))[1]])
        assert not np.isnan(value).any()
        np.testing.assert_allclose(value, arr(sol.answers[name]).ravel(), rtol=0, atol=1e-30)


def test_a_wrong_convention_at_many_ties_fails(tmp_path):
    """Teeth: the symmetric answer (1/2 at each tie) handed in under pytorch (0) disagrees."""
    W = np.array(_given_W().tolist(), dtype=int)[:10, :10]
    W[:, -1] -= W.sum(axis=1)                                 # rows sum to 0 again: 10 ties
    values = {"W": _matrix(W), "x": _matrix(np.ones((10, 1), dtype=int))}
    f = r"\operatorname{sum}(\operatorname{relu}(W x))"
    right = solution_of(_question(tmp_path, f, values, "pytorch", "p"))
    wrong = solution_of(_question(tmp_path, f, values, "symmetric", "s"))
    q = _question(tmp_path, f, values, "pytorch", "p")
    right.answers["grad.W"] = wrong.answers["grad.W"]
    failed = [c.name for c in verify(q, right) if not c.ok]
    assert failed == ["grad.W"]


@pytest.mark.parametrize("convention", ["pytorch", "symmetric"])
def test_many_mixed_ties_abs_max_relu(tmp_path, convention):
    """Twelve tied entries of three kinds at once (past the old limit of 8): |0|' = 0, max splits evenly."""
    A = np.array([[1, -1, 0], [2, 0, -2], [0, 3, -3], [1, 1, -2]])
    values = {"A": _matrix(A), "x": _matrix(np.ones((3, 1), dtype=int)), "y": _matrix(np.zeros((4, 1), dtype=int))}
    q = _question(tmp_path, r"\operatorname{sum}(\lvert A x \rvert + \max(A x, y) + \operatorname{relu}(A x))",
                  values, convention)
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    relu = 0.0 if convention == "pytorch" else 0.5
    local = np.full((4, 1), 0.0 + 0.5 + relu)                 # abs, max (1/2 to A x), relu at 0
    np.testing.assert_allclose(arr(sol.answers["grad.x"]).reshape(3, 1), A.T @ local)
    np.testing.assert_allclose(arr(sol.answers["grad.y"]), np.full(4, 0.5))


def test_a_nan_of_the_route_is_a_named_check_failure():
    from symdl.check.verify import _compare
    ok, note = _compare([1, 2, 3], np.array([1.0, np.nan, 3.0]), 1e-6, 0)
    assert not ok and "NaN" in note and "entry 2 of 3" in note and "not checked" in note
    ok, note = _compare([1, 2], np.array([np.inf, 2.0]), 1e-6, 0)
    assert not ok and "infinite" in note


def test_ties_inside_two_maxima_over_entries(tmp_path):
    """Two max-over-entries nodes, each with a tie of two: the inner nodes' gradients split each tie
    evenly (torch.max's backward) instead of the NaN the route gave when the second node's inner
    kinks were numbered apart in its two passes."""
    q = _question(tmp_path, r"\max(W x) + \max(y) + \max(W y)",
                  {"x": _matrix([[2], [-1], [2]]), "y": _matrix([[1], [3], [3]]),
                   "W": _matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]])}, "pytorch")
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    np.testing.assert_array_equal(arr(sol.answers["grad.x"]), [0.5, 0, 0.5])
    np.testing.assert_array_equal(arr(sol.answers["grad.y"]), [0, 1, 1])    # 1/2 + 1/2 from the two maxima
