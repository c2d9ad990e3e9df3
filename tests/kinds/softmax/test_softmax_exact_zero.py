"""Exact zeros and ties in the softmax kind: equal scores, a zero input, a reading whose terms cancel.

The second route works in mpmath (50 digits, complex steps): these cases must verify without any
absolute slack, and a wrong value next to an exact 0 must still fail. Expected values by hand.
"""

import numpy as np
import pytest
import sympy

from support import one_question, solution_of
from symdl.check.verify import to_float_array, verify

BODY = r"""regularization = "l2"
reading = "{reading}"
loss = ["cross_entropy", "hinge"]
W = '\begin{{bmatrix}} 0.1 & -0.2 & 0 \\ 0.1 & -0.2 & 0 \\ 0.1 & -0.2 & 0 \end{{bmatrix}}'
B = '[0.3 \quad 0.3 \quad 0.3]^T'
[[question.case]]
id = "eq"
x = '[1 \quad 0 \quad 5]^T'
label = 2
regularization = false
[[question.case]]
id = "reg"
x = '[1 \quad 0 \quad 5]^T'
label = 2
"""


@pytest.mark.parametrize("reading", ["row", "all"])
def test_equal_scores_and_zero_inputs_verify(tmp_path, reading):
    q = one_question(tmp_path, "softmax", BODY.format(reading=reading), name=reading)
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, c.note) for c in checks if not c.ok]
    a = sol.answers
    # equal rows and biases: three equal scores 0.1 - 0 + 0 + 0.3 = 0.4, p = 1/3 each
    assert list(a["eq.scores"]) == [sympy.Rational(2, 5)] * 3
    assert list(a["eq.probs"]) == [sympy.Rational(1, 3)] * 3
    # cross-entropy: grad s = p - y; grad W = (p - y) x^T, its middle column 0 (x_2 = 0)
    grad_w = np.array(to_float_array(a["eq.grad.W"])).reshape(3, 3)
    np.testing.assert_allclose(grad_w, np.outer([1 / 3, -2 / 3, 1 / 3], [1, 0, 5]), rtol=1e-12)
    assert all(v == 0 for v in np.array(a["eq.grad.W"].tolist()).reshape(3, 3)[:, 1])
    # hinge with margin 1 at equal scores: both other margins are 1 > 0, loss 2
    assert a["eq.hinge.loss"] == 2


def test_a_wrong_value_next_to_an_exact_zero_fails(tmp_path):
    q = one_question(tmp_path, "softmax", BODY.format(reading="row"))
    sol = solution_of(q)
    wrong = sympy.Matrix(sol.answers["eq.grad.W"])
    wrong[0, 1] = sympy.Rational(1, 10**30)
    sol.answers["eq.grad.W"] = wrong
    assert [c.name for c in verify(q, sol) if not c.ok] == ["eq.grad.W"]
