"""The neuron kind's contract (issue 11): typed fields, no LaTeX in the kind, activations from the op table."""

import ast
import re
from pathlib import Path

import pytest
import sympy

from symdl.kinds import neuron, softmax
from symdl.check.verify import verify
from support import one_question, solution_of

KINDS = Path(neuron.__file__).resolve().parent.parent


def latex_literals(package):
    """String literals holding a LaTeX macro in a kind's package, outside its notation (notation.py:
    the display objects that print themselves)."""
    found = []
    for path in sorted((KINDS / package).glob("*.py")):
        if path.name == "notation.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"\\[a-zA-Z]", node.value):
                found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("package", ["neuron", "softmax"])
def test_the_kind_writes_no_latex(package):
    assert latex_literals(package) == []


def test_every_neuron_field_is_typed():
    assert all(field.type != "any" for field in neuron.KIND.schema)
    assert neuron.KIND.schema.fields["activation"].what == "activation"


def kink(tmp_path, activation, subgradients=None, slope=None):
    exam = f'subgradients = "{subgradients}"\n' if subgradients else ""
    path = tmp_path / "k.toml"
    path.write_text(f'[exam]\nid = "t"\ntitle = "t"\n{exam}[[question]]\nid = "Q"\nkind = "neuron"\n'
                    f"activation = '{activation}'\n" + (f"slope = {slope}\n" if slope else "")
                    + "W = '[1 \\quad -1]^T'\nx = '[0.5 \\quad 0.25]^T'\nb = '-0.25'\nupstream = '3'\n")
    from symdl.input.spec import load_exam

    return load_exam(path).questions[0]


# PyTorch: relu's backward is grad * (x > 0), so relu'(0) = 0; leaky_relu's is grad * (x > 0 ? 1 : slope),
# so the slope at 0 (torch/nn/functional.py, aten threshold_backward / leaky_relu_backward). The
# symmetric convention takes the mean of the one-sided slopes: 1/2 and (1 + alpha)/2.
@pytest.mark.parametrize("activation, subgradients, slope, expected", [
    ("relu", None, None, sympy.Integer(0)),
    ("relu", "symmetric", None, sympy.Rational(1, 2)),
    ("leaky_relu", None, "0.1", sympy.Rational(1, 10)),
    ("leaky_relu", "symmetric", "0.1", sympy.Rational(11, 20)),
])
def test_the_kink_follows_the_exam_convention(tmp_path, activation, subgradients, slope, expected):
    q = kink(tmp_path, activation, subgradients, slope)
    sol = solution_of(q)
    assert sol.answers["z"] == 0
    assert sol.answers["dy_dz"] == expected
    assert sol.answers["grad.W"] == sympy.Matrix([sympy.Rational(1, 2), sympy.Rational(1, 4)]) * 3 * expected
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks), [c.name for c in checks if not c.ok]


def test_a_choice_carries_its_wording(tmp_path):
    """The schema's choice: its name in the error line, a list of choices, duplicates dropped."""
    from symdl.errors import SpecError

    body = ("W = '[1 \\quad 2]'\nB = '[0 \\quad 0]^T'\n[[question.case]]\nid = 'a'\nx = '[1]'\n")
    q = one_question(tmp_path, "softmax", "loss = ['CE', 'cross-entropy', 'svm']\n" + body)
    assert softmax.KIND.schema.check(q)["loss"] == ["cross_entropy", "hinge"]
    q = one_question(tmp_path, "softmax", "loss = []\n" + body)
    with pytest.raises(SpecError, match="name at least one loss"):
        softmax.KIND.schema.check(q)
    q = one_question(tmp_path, "softmax", "reading = 'columns'\n" + body)
    with pytest.raises(SpecError, match=r"unknown reading 'columns' \(known: all, row\)"):
        softmax.KIND.schema.check(q)


def test_a_negative_power_prints_as_a_fraction():
    """SymPy's LaTeX printer hands x^-2 to _print_Mul as a power: it must not print as x * (-2)
    (it did: dy/dz = 1/cosh^2 z of a tanh neuron showed as -cosh(0.1) * (-2))."""
    from symdl.notation.printer import tex

    assert tex(-1 / sympy.cosh(sympy.Rational(1, 10)) ** 2) == r"-\frac{1}{\cosh^{2}{\left(0.1 \right)}}"
    assert tex(sympy.Pow(10, -8, evaluate=False)) == r"\frac{1}{100{,}000{,}000}"   # thousands separated
