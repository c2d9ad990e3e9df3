"""The dropout kind against torch.nn.Dropout: torch draws a mask, the spec is given that mask, and the
derived training output and gradient equal torch's forward and autograd; evaluation is the identity."""

import numpy as np
import pytest
import sympy

from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl.check.verify import to_float_array
from support import one_question

torch = pytest.importorskip("torch")


def bmatrix(a):
    return r"'\begin{bmatrix} " + r" \\ ".join(" & ".join(repr(float(v)) for v in row) for row in a) + r" \end{bmatrix}'"


def answers(tmp_path, body):
    result = solve_question(one_question(tmp_path, "dropout", body))
    assert result.verified
    return {k: np.array(to_float_array(v), dtype=float) for k, v in result.solution.answers.items()}


@pytest.mark.parametrize("p,seed", [(0.25, 0), (0.5, 1), (0.8, 2), (0.1, 3)])
def test_training_and_evaluation_match_torch(tmp_path, p, seed):
    torch.manual_seed(seed)
    x = torch.tensor(np.round(np.random.default_rng(seed).uniform(-2, 2, (3, 4)), 2), requires_grad=True)
    g = torch.tensor(np.round(np.random.default_rng(seed + 10).uniform(-1, 1, (3, 4)), 2))
    layer = torch.nn.Dropout(p)
    y = layer(x)
    y.backward(g)
    mask = (y.detach() != 0).double()          # the units torch kept (no x entry is 0)
    body = (f"input = {bmatrix(x.detach().numpy())}\ndrop = {p}\nmask = {bmatrix(mask.numpy())}\n"
            f"upstream = {bmatrix(g.numpy())}\n")
    got = answers(tmp_path, body)
    assert got["train.output"] == pytest.approx(y.detach().numpy(), rel=1e-12, abs=0)
    assert got["train.grad"] == pytest.approx(x.grad.numpy(), rel=1e-12, abs=0)
    layer.eval()
    x.grad = None
    y = layer(x)
    y.backward(g)
    assert got["eval.output"] == pytest.approx(y.detach().numpy(), rel=0, abs=0)
    assert got["eval.grad"] == pytest.approx(x.grad.numpy(), rel=0, abs=0)


def test_exact_by_hand(tmp_path):
    """p = 0.25: kept units times 4/3 exactly; the original form: nothing scaled at training, times the keep
    probability at test time (cs231n's p = keep = 0.5)."""
    d = solve_question(one_question(tmp_path, "dropout", "input = '\\begin{bmatrix} 0.6 & -1.2 & 2.4 \\end{bmatrix}'\n"
                                    "drop = 0.25\nmask = '\\begin{bmatrix} 1 & 0 & 1 \\end{bmatrix}'\n")).solution.answers
    assert d["scale"] == sympy.Rational(4, 3)
    assert list(d["train.output"]) == [sympy.Rational(4, 5), 0, sympy.Rational(16, 5)]
    v = answers(tmp_path, "input = '\\begin{bmatrix} 2 & 4 \\end{bmatrix}'\nkeep = 0.5\nscaling = 'vanilla'\n"
                          "mask = '\\begin{bmatrix} 0 & 1 \\end{bmatrix}'\nupstream = '\\begin{bmatrix} 1 & 1 \\end{bmatrix}'\n")
    assert v["train.output"].ravel().tolist() == [0, 4] and v["eval.output"].ravel().tolist() == [1, 2]
    assert v["train.grad"].ravel().tolist() == [0, 1] and v["eval.grad"].ravel().tolist() == [0.5, 0.5]
    assert "scale" not in v


def test_eval_only_needs_no_mask(tmp_path):
    got = answers(tmp_path, "input = '\\begin{bmatrix} 1 & -3 \\end{bmatrix}'\ndrop = 0.5\nmode = 'eval'\n")
    assert got["eval.output"].ravel().tolist() == [1, -3] and "train.output" not in got


@pytest.mark.parametrize("body,field", [
    ("input = '[1 \\quad 2]'\ndrop = 1\nmask = '[1 \\quad 0]'\n", "drop"),
    ("input = '[1 \\quad 2]'\ndrop = 0.5\nkeep = 0.5\nmask = '[1 \\quad 0]'\n", "drop"),
    ("input = '[1 \\quad 2]'\ndrop = 0.5\n", "mask"),
    ("input = '[1 \\quad 2]'\ndrop = 0.5\nmask = '[1 \\quad 2]'\n", "mask"),
    ("input = '[1 \\quad 2]'\ndrop = 0.5\nmask = '[1 \\quad 0 \\quad 1]'\n", "mask"),
    ("input = '[1 \\quad 2]'\ndrop = 0.5\nmask = '[1 \\quad 0]'\nupstream = '[1]'\n", "upstream"),
    ("input = '[1 \\quad 2]'\ndrop = 0.5\nmask = '[1 \\quad 0]'\nscaling = 'x'\n", "scaling"),
])
def test_bad_input_names_the_field(tmp_path, body, field):
    with pytest.raises(SpecError) as err:
        solve_question(one_question(tmp_path, "dropout", body))
    assert err.value.field == field


def test_common_mistakes_by_hand(tmp_path):
    """x = [0.6, -1.2, 2.4], p = 0.25, mask [1, 0, 1]: unscaled [0.6, 0, 2.4]; times 3/4 [0.45, 0, 1.8];
    scaled at evaluation x * 4/3 = [0.8, -1.6, 3.2]."""
    r = solve_question(one_question(tmp_path, "dropout", "input = '\\begin{bmatrix} 0.6 & -1.2 & 2.4 \\end{bmatrix}'\n"
                                    "drop = 0.25\nmask = '\\begin{bmatrix} 1 & 0 & 1 \\end{bmatrix}'\n"))
    train = {m.name: [float(v) for v in m.value] for m in r.solution.meta["train.output"].mistakes}
    assert train["not-scaled"] == [0.6, 0, 2.4] and train["scaled-by-keep"] == pytest.approx([0.45, 0, 1.8])
    ev = {m.name: [float(v) for v in m.value] for m in r.solution.meta["eval.output"].mistakes}
    assert ev["scaled-at-eval"] == pytest.approx([0.8, -1.6, 3.2])
