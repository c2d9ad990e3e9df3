"""The exam's subgradient convention ([exam] subgradients) against PyTorch's semantics, by hand.

PyTorch (what students check against): relu'(0) = 0 (torch.relu's backward masks x > 0),
|x|'(0) = sign(0) = 0, and torch.maximum/minimum split a tie's gradient evenly. "symmetric"
differs only at relu's kink: 1/2. Reference values below are worked out by hand.
"""

import pytest
import sympy

from symdl.ops import conventions, table
from symdl.errors import SpecError
from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import solution_of

HALF = sympy.Rational(1, 2)


def question(tmp_path, function, values, upstream=None, subgradients=None, name="q"):
    lines = ['[exam]', 'id = "t"', 'title = "t"']
    if subgradients is not None:
        lines.append(f'subgradients = "{subgradients}"')
    lines += ['[[question]]', 'id = "Q"', 'kind = "graph"', f"function = '{function}'"]
    if upstream is not None:
        lines.append(f"upstream = '{upstream}'")
    lines.append("[question.values]")
    lines += [f"{k} = '{v}'" for k, v in values.items()]
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return load_exam(path).questions[0]


def solved(q):
    sol = solution_of(q)
    assert all(c.ok for c in verify(q, sol)), [c for c in verify(q, sol) if not c.ok]
    return sol.answers


def test_default_is_pytorch(tmp_path):
    q = question(tmp_path, r"\operatorname{relu}(x)", {"x": "0"})
    assert q.subgradients == "pytorch"
    assert solved(q)["grad.x"][0] == 0               # torch.relu(torch.tensor(0.)).backward(): 0


@pytest.mark.parametrize("convention, expected", [("pytorch", 0), ("symmetric", HALF)])
def test_relu_at_zero(tmp_path, convention, expected):
    q = question(tmp_path, r"\operatorname{relu}(x)", {"x": "0"}, subgradients=convention)
    assert solved(q)["grad.x"][0] == expected


@pytest.mark.parametrize("convention", ["pytorch", "symmetric"])
def test_abs_at_zero_is_zero(tmp_path, convention):
    q = question(tmp_path, r"\lvert x \rvert", {"x": "0"}, subgradients=convention)
    assert solved(q)["grad.x"][0] == 0               # torch.abs backward: sign(0) = 0


@pytest.mark.parametrize("convention", ["pytorch", "symmetric"])
def test_max_and_min_tie_split_evenly(tmp_path, convention):
    a = solved(question(tmp_path, r"\max(x, y)", {"x": "0.5", "y": "0.5"}, subgradients=convention, name="a"))
    assert (a["grad.x"][0], a["grad.y"][0]) == (HALF, HALF)     # torch.maximum: 1/2 each
    b = solved(question(tmp_path, r"3 \min(x, y)", {"x": "-2", "y": "-2"}, subgradients=convention, name="b"))
    assert (b["grad.x"][0], b["grad.y"][0]) == (sympy.Rational(3, 2), sympy.Rational(3, 2))


@pytest.mark.parametrize("convention, grad_x, grad_inner", [
    # W x = [0, 1]: relu' = [0, 1] (pytorch) or [1/2, 1]; grad x = W^T (relu' * u), u = [1, 1]
    ("pytorch", [2, 1], [0, 1]),
    ("symmetric", [HALF + 2, HALF + 1], [HALF, 1]),
])
def test_relu_of_a_layer_with_a_zero_preactivation(tmp_path, convention, grad_x, grad_inner):
    q = question(tmp_path, r"\operatorname{relu}(W x)",
                 {"W": r"\begin{bmatrix} 1 & 1 \\ 2 & 1 \end{bmatrix}", "x": r"[1 \quad -1]^T"},
                 upstream=r"[1 \quad 1]^T", subgradients=convention)
    a = solved(q)
    assert list(a["grad.x"]) == grad_x
    assert list(a["grad.z1"]) == grad_inner          # the gradient at W x


def test_the_sheet_states_the_convention(tmp_path):
    for convention in ("pytorch", "symmetric"):
        q = question(tmp_path, r"\operatorname{relu}(x)", {"x": "1"}, subgradients=convention, name=convention)
        notes = [str(n) for n in solution_of(q).assumptions]
        assert conventions.subgradient_words(convention) in notes


@pytest.mark.parametrize("written", ["sym", "1", "torch"])
def test_unknown_convention_is_one_line_naming_the_key(tmp_path, written):
    path = tmp_path / "bad.toml"
    text = f'[exam]\nid = "t"\ntitle = "t"\nsubgradients = "{written}"\n' if written != "1" else \
        '[exam]\nid = "t"\ntitle = "t"\nsubgradients = 1\n'
    path.write_text(text + '[[question]]\nid = "Q"\nkind = "graph"\nfunction = \'x\'\n[question.values]\nx = \'1\'\n')
    with pytest.raises(SpecError) as err:
        load_exam(path)
    assert "exam.subgradients" in str(err.value) and "\n" not in str(err.value)


def test_activation_lookup_for_other_kinds():
    f, df = table.activation("relu", "pytorch")
    assert (f(sympy.Integer(0)), df(sympy.Integer(0)), df(sympy.Integer(2))) == (0, 0, 1)
    assert table.activation("ReLU", "symmetric")[1](sympy.Integer(0)) == HALF
    f, df = table.activation("sigmoid")
    assert df(sympy.Integer(0)) == sympy.Rational(1, 4)
