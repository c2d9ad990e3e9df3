"""[exam] ties: how a tie of max/min shares the gradient ("split", "first", "all"), for two operands
and for three or more tied entries of a vector's max, checked by hand and against torch.

Hand computation (docs/kinds/graph.md's example): f = max(W x), W x = [2, 0, 2, 2]^T, entries 1, 3
and 4 tie. The gradient of W x is the share vector s: split [1/3, 0, 1/3, 1/3], first [1, 0, 0, 0],
all [1, 0, 1, 1]; x gets W^T s and W gets s x^T.
"""

import subprocess
import sys

import numpy as np
import pytest
import sympy

from symdl.errors import SpecError
from support import independent_of, solution_of
from symdl.ops import conventions, table
from symdl.input.spec import load_exam
from symdl.check.verify import to_float_array, verify

W = np.array([[1, 0], [0, 1], [1, 1], [1, 0]])
X = np.array([[2], [0]])
THIRD = 1 / 3
SHARES = {"split": [THIRD, 0, THIRD, THIRD], "first": [1, 0, 0, 0], "all": [1, 0, 1, 1]}


def _spec(tmp_path, ties, function, values, name="q"):
    lines = ['[exam]', 'id = "t"', 'title = "t"'] + ([f'ties = "{ties}"'] if ties else [])
    lines += ['[[question]]', 'id = "Q"', 'kind = "graph"', f"function = '{function}'", "[question.values]"]
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _max_question(tmp_path, ties):
    values = {"W": r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \\ 1 & 1 \\ 1 & 0 \end{bmatrix}",
              "x": r"\begin{bmatrix} 2 \\ 0 \end{bmatrix}"}
    return load_exam(_spec(tmp_path, ties, r"\max(W x)", values, ties or "default")).questions[0]


def _grads(q):
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    return sol, {k: np.squeeze(to_float_array(v)) for k, v in sol.answers.items() if k.startswith("grad.")}


@pytest.mark.parametrize("ties", ["split", "first", "all"])
def test_three_tied_entries_by_hand(tmp_path, ties):
    sol, grads = _grads(_max_question(tmp_path, ties))
    s = np.array(SHARES[ties], dtype=float).reshape(4, 1)
    assert sol.answers["output"][0, 0] == 2
    np.testing.assert_allclose(grads["grad.z1"], s.ravel(), rtol=1e-12)
    np.testing.assert_allclose(grads["grad.x"], (W.T @ s).ravel(), rtol=1e-12)
    np.testing.assert_allclose(grads["grad.W"], s @ X.T, rtol=1e-12)
    exact = sol.answers["grad.z1"]
    assert list(exact) == [sympy.nsimplify(v) for v in {"split": ["1/3", 0, "1/3", "1/3"], "first": [1, 0, 0, 0],
                                                        "all": [1, 0, 1, 1]}[ties]]


def test_default_is_the_even_split(tmp_path):
    _, given = _grads(_max_question(tmp_path, None))
    np.testing.assert_allclose(given["grad.z1"], SHARES["split"], rtol=1e-12)


def test_three_tied_entries_against_torch(tmp_path):
    torch = pytest.importorskip("torch")
    z = torch.tensor((W @ X).ravel().astype(float), requires_grad=True)
    torch.amax(z).backward()                    # an even split among the tied entries
    split = z.grad.numpy().copy()
    z.grad = None
    torch.max(z, dim=0).values.backward()       # routes the gradient to one index: the first tied
    first = z.grad.numpy().copy()
    assert int(torch.argmax(z)) == 0
    for ties, expected in (("split", split), ("first", first)):
        _, grads = _grads(_max_question(tmp_path, ties))
        np.testing.assert_allclose(grads["grad.z1"], expected, rtol=1e-12)


@pytest.mark.parametrize("ties, share_a, share_b", [("split", 0.5, 0.5), ("first", 1, 0), ("all", 1, 1)])
def test_tie_of_two_operands(tmp_path, ties, share_a, share_b):
    values = {"a": "1.5", "b": "1.5", "c": "3"}
    q = load_exam(_spec(tmp_path, ties, r"\max(a, b) \cdot c + \min(a, b)", values)).questions[0]
    _, grads = _grads(q)
    # d/da: c times max's share plus min's share (min's tie follows the same convention)
    assert grads["grad.a"] == pytest.approx(3 * share_a + share_a)
    assert grads["grad.b"] == pytest.approx(3 * share_b + share_b)


def test_torch_maximum_splits_a_tie_of_two(tmp_path):
    torch = pytest.importorskip("torch")
    a, b = torch.tensor(1.5, requires_grad=True), torch.tensor(1.5, requires_grad=True)
    (torch.maximum(a, b) * 3).backward()
    q = load_exam(_spec(tmp_path, "split", r"\max(a, b) \cdot c", {"a": "1.5", "b": "1.5", "c": "3"})).questions[0]
    _, grads = _grads(q)
    assert (grads["grad.a"], grads["grad.b"]) == (pytest.approx(float(a.grad)), pytest.approx(float(b.grad)))


@pytest.mark.parametrize("ties", ["first", "all"])
def test_the_sheet_states_the_convention(tmp_path, ties):
    sol = solution_of(_max_question(tmp_path, ties))
    said = " ".join(str(a) for a in sol.assumptions)
    assert conventions.subgradient_words("pytorch", ties) in said
    assert "A tie occurs at z2" in said


def test_rows_share_by_the_convention():
    ones = sympy.ImmutableMatrix([[1]])
    v = sympy.ImmutableMatrix([5, 7, 7, 7, 1])
    for ties, expected in (("split", [0, sympy.Rational(2, 3)] + [sympy.Rational(2, 3)] * 2 + [0]),
                           ("first", [0, 2, 0, 0, 0]), ("all", [0, 2, 2, 2, 0])):
        row = table.rule_for("max_all", subgradients="pytorch", ties=ties)
        (grad,) = row.vjp(2 * ones, [v], row.forward([v], (1, 1)))
        assert list(grad) == expected, ties
    assert table.tied("max_all", [v]) and not table.tied("max_all", [sympy.ImmutableMatrix([1, 2, 0])])


def test_an_unknown_convention_is_refused(tmp_path):
    path = _spec(tmp_path, "middle", r"\max(a, b)", {"a": "1", "b": "1"})
    with pytest.raises(SpecError) as caught:
        load_exam(path)
    assert "exam.ties" in str(caught.value) and "'split'" in str(caught.value)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "symdl", "derive", str(path), "--out", str(out), "--no-pdf"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    said = (done.stderr + done.stdout).strip()
    assert len(said.splitlines()) == 1 and "exam.ties" in said and path.name in said
    assert not out.exists()


@pytest.mark.parametrize("ties", ["split", "first", "all"])
def test_the_float_route_refuses_a_tie_it_cannot_share(tmp_path, monkeypatch, ties):
    """A graph too large for the mpmath route (stood in for by ``affordable`` -> False) is checked in
    float64, whose differences give each tied entry 1/2: a tie of three (any convention) and a tie of
    two under "first" or "all" are refused there (exit 2, naming the node); a tie of two under
    "split" is checked (1/2 each, torch.amax's share)."""
    from symdl.kinds.graph import check_mp
    monkeypatch.setattr(check_mp, "affordable", lambda g: False)
    with pytest.raises(SpecError, match="z2"):
        independent_of(_max_question(tmp_path, ties))
    values = {"x": r"\begin{bmatrix} 2 \\ 0 \\ 2 \end{bmatrix}"}
    q = load_exam(_spec(tmp_path, ties, r"\max(x)", values, "two")).questions[0]
    if ties != "split":
        with pytest.raises(SpecError, match="z1"):
            independent_of(q)
    else:
        got = independent_of(q)["grad.x"]
        np.testing.assert_allclose(np.squeeze(np.asarray(got.value, dtype=float)), [0.5, 0, 0.5], rtol=1e-6)


def test_the_float_route_checks_many_ties_of_two_under_split(tmp_path, monkeypatch):
    """max(A, B) of two matrices tied in every entry: each entry a tie of two, 1/2 to each side."""
    from symdl.kinds.graph import check_mp
    monkeypatch.setattr(check_mp, "affordable", lambda g: False)
    matrix = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    q = load_exam(_spec(tmp_path, "split", r"\operatorname{sum}(\max(A, B))", {"A": matrix, "B": matrix})).questions[0]
    got = independent_of(q)
    for name in ("grad.A", "grad.B"):
        np.testing.assert_allclose(np.asarray(got[name].value, dtype=float), np.full((2, 2), 0.5), rtol=1e-6)
