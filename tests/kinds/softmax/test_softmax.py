"""The softmax kind against independent truth: hand numpy scores, softmax, losses, finite differences."""

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy

from symdl.derive import derive
from symdl.solve import solve_exam
from symdl.errors import SpecError
from symdl.render import latex
from symdl.input.spec import default_spec, load_exam
from symdl.check.verify import to_float_array, verify
from support import TESTS, central_difference, documented_example, one_question, shared_derive, solution_of

SPECS = TESTS / "specs"

W3 = np.array([[-0.8, -0.5, 0.5, 0.2, -0.2], [0.8, -0.3, 0, -0.1, -0.3],
               [0, 0.6, 0.6, 0.2, -0.6], [-0.2, -0.4, 0.1, -0.1, 0.5]])
B3 = np.array([-0.3, 0.1, -0.7, 0.9])
X3 = {"a": [0, 0, 0, 0, 0], "b": [1.2, 4.3, 5.6, 3.4, 7.8], "c": [-2.1, 3.4, 4.5, -2.8, 7.1],
      "d": [-2.1, 3.4, 4.5, -2.8, 7.1]}


def arr(value):
    return np.squeeze(to_float_array(value))


def np_softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def question(tmp_path, body, name="s"):
    return one_question(tmp_path, "softmax", body, name)


def small(qid):
    return next(q for q in load_exam(SPECS / "softmax_small.toml").questions if q.id == qid)


def q3():
    return next(q for q in load_exam(default_spec()).questions if q.id == "Q3")


# ---------------------------------------------------------------------- DI504 Q3 ---

def test_di504_q3_scores_probabilities_predictions():
    q = q3()
    sol = solution_of(q)
    a = sol.answers
    l1 = np.abs(W3).sum(axis=1)
    for cid, x in X3.items():
        s = W3 @ np.array(x) + B3 + (l1 if cid != "d" else 0)
        np.testing.assert_allclose(arr(a[f"{cid}.scores"]), s, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(arr(a[f"{cid}.probs"]), np_softmax(s), rtol=1e-12)
        assert a[f"{cid}.predicted"] == int(np.argmax(s)) + 1
    # exact: scores are rationals, e.g. case a is B + ||w_n||_1
    assert list(a["a.scores"]) == [sympy.Rational(19, 10), sympy.Rational(8, 5), sympy.Rational(13, 10),
                                   sympy.Rational(11, 5)]
    assert sympy.simplify(sum(a["b.probs"]) - 1) == 0
    # c and d differ under the row reading
    assert not np.allclose(arr(a["c.probs"]), arr(a["d.probs"]))
    assert all(c.ok for c in verify(q, sol))
    assert not any(name.endswith(".loss") for name in a)     # no labels in the seed


def test_di504_q3_sheet_states_reading_and_shift_invariance():
    sol = solution_of(q3())
    text = repr(sol.assumptions) + repr(sol.sections)
    assert "own row" in text
    assert "shift invariance" in text
    assert "cases c and d" in text
    assert f"r = {np.abs(W3).sum():g}" in text               # sum of every |W_ni|


def test_all_entries_reading_makes_the_twin_cases_identical():
    a = solution_of(small("S3")).answers
    np.testing.assert_allclose(arr(a["u.probs"]), arr(a["v.probs"]), rtol=1e-14)
    assert not np.allclose(arr(a["u.scores"]), arr(a["v.scores"]))
    # and the constant's gradient cancels: sum_n g_n = 0, so dL/dW = g x^T in both cases
    np.testing.assert_allclose(arr(a["u.grad.W"]), arr(a["v.grad.W"]), rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------- labels, losses ---

def ce_loss(W, B, x, y, reg):
    s = W @ x + B + ((np.abs(W).sum(axis=1)) if reg == "l1" else (W ** 2).sum(axis=1) if reg == "l2" else 0)
    return np.log(np.exp(s - s.max()).sum()) + s.max() - s[y]


def hinge_loss(W, B, x, y, reg, delta=1.0):
    s = W @ x + B + ((W ** 2).sum(axis=1) if reg == "l2" else 0)
    return sum(max(0.0, s[j] - s[y] + delta) for j in range(len(s)) if j != y)


def test_cross_entropy_and_hinge_gradients_match_finite_differences():
    q = small("S1")
    a = solution_of(q).answers
    W = np.array([[0.5, -1, 0], [-0.25, 0.75, 1], [1.5, 0, -0.5]])
    B = np.array([0.1, -0.2, 0])
    x = np.array([1.0, 2.0, -1.0])
    y = 1                                                         # "dog"
    assert float(a["a.loss"]) == pytest.approx(ce_loss(W, B, x, y, "l2"), rel=1e-12)
    np.testing.assert_allclose(arr(a["a.grad.W"]), central_difference(lambda w: ce_loss(w, B, x, y, "l2"), W), rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(arr(a["a.grad.B"]), central_difference(lambda b: ce_loss(W, b, x, y, "l2"), B), rtol=1e-6,
                               atol=1e-8)
    s = W @ x + B + (W ** 2).sum(axis=1)
    np.testing.assert_allclose(arr(a["a.grad.scores"]), np_softmax(s) - np.eye(3)[y], rtol=1e-12, atol=1e-15)
    assert float(a["a.hinge.loss"]) == pytest.approx(hinge_loss(W, B, x, y, "l2"), rel=1e-12)
    np.testing.assert_allclose(arr(a["a.hinge.grad.W"]), central_difference(lambda w: hinge_loss(w, B, x, y, "l2"), W),
                               rtol=1e-6, atol=1e-8)
    # case b has no regularization and label cat
    xb = np.array([0.5, -0.5, 2])
    np.testing.assert_allclose(arr(a["b.grad.W"]), central_difference(lambda w: ce_loss(w, B, xb, 0, "none"), W), rtol=1e-6,
                               atol=1e-8)
    # unlabelled case: no loss answers
    assert "c.loss" not in a and "c.predicted" in a
    assert all(c.ok for c in verify(q, solution_of(q)))


def test_l1_gradient_uses_sign_and_zero_subgradient():
    a = solution_of(small("S2")).answers
    W = np.array([[0, -0.5], [0.2, 0]])
    x = np.array([1.0, -1.0])
    s = W @ x + np.abs(W).sum(axis=1)
    g = np_softmax(s) - np.eye(2)[1]
    expected = g[:, None] * (x[None, :] + np.sign(W))
    np.testing.assert_allclose(arr(a["p.grad.W"]), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(arr(a["q.grad.W"]), (np_softmax(W @ x) - np.eye(2)[1])[:, None] * x[None, :],
                               rtol=1e-12, atol=1e-15)


def test_every_small_spec_verifies():
    for q in load_exam(SPECS / "softmax_small.toml").questions:
        checks = verify(q, solution_of(q))
        assert checks and all(c.ok for c in checks), [c.name for c in checks if not c.ok]


def test_large_scores_do_not_overflow(tmp_path):
    q = question(tmp_path, "W = '\\begin{bmatrix} 400 \\\\ -300 \\\\ 1 \\end{bmatrix}'\nB = '[0 \\quad 0 \\quad 0]^T'\n"
                           "[[question.case]]\nid = 'a'\nx = '[3]'\nlabel = 2\n")
    sol = solution_of(q)
    assert sol.answers["a.predicted"] == 1
    assert float(sol.answers["a.loss"]) == pytest.approx(2100, rel=1e-12)
    assert all(c.ok for c in verify(q, sol))


# ------------------------------------------------------------------- bad input ---

BASE = "W = '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}'\nB = '[0 \\quad 1]^T'\n"


@pytest.mark.parametrize("body, field, message", [
    (BASE, "case", "no [[question.case]]"),
    (BASE + "[[question.case]]\nid = 'a'\n", "case.a.x", "missing input vector"),
    (BASE + "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2 \\quad 3]^T'\n", "case.a.x", "x has 3 entries"),
    (BASE + "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\nlabel = 3\n", "case.a.label", "from 1 to 2"),
    (BASE + "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\ncolour = 'red'\n", "case.a.colour", "unknown key"),
    (BASE + "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n",
     "case.a.id", "duplicate"),
    (BASE + "loss = 'mse'\n[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n", "loss", "unknown loss"),
    (BASE + "regularization = 'l3'\n[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n", "regularization",
     "unknown regularization"),
    ("W = '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}'\nB = '[0 \\quad 1 \\quad 2]^T'\n"
     "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n", "B", "expected 2 biases"),
    ("W = '[1 \\quad 2]'\nB = '[0]'\n[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n", "W", "two classes"),
    (BASE + "[[question.case]]\nid = 'a'\nx = '[1 \\quad \\alpha]^T'\n", "case.a.x", ""),
    (BASE + "classes = ['u']\n[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n", "classes", "expected 2"),
])
def test_bad_input_names_the_field(tmp_path, body, field, message):
    q = question(tmp_path, body)
    with pytest.raises(SpecError) as info:
        solution_of(q)
    assert info.value.field == field
    assert message in info.value.message
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------- rendering ---

def test_latex_render_has_one_shared_scale():
    report = solve_exam(SPECS / "softmax_small.toml")
    source = latex.render(report.exam, report.results)
    for result in report.results:
        assert result.verified
    s1 = source.split(r"\section*{Question S1")[1].split(r"\section*{Question S2")[0]   # not the summary
    frames = re.findall(r"\\draw \(0\.4,0\) rectangle \(([\d.]+),([\d.]+)\);", s1)   # each chart's axes box
    units = re.findall(r"\\begin\{tikzpicture\}\[x=([\d.]+)\\linewidth, y=([\d.]+)cm", s1)
    assert len(frames) == 3 and len(set(frames)) == 1 and len(units) == 3 and len(set(units)) == 1
    assert [re.findall(r"\\node\[below, inner sep=2pt\] at \(\d,0\) \{(\w+)\}", chart)
            for chart in s1.split(r"\begin{tikzpicture}")[1:]] == [["cat", "dog", "bird"]] * 3
    titles = re.findall(r"\{case (\w)( \(no reg\.\))?", s1)
    assert titles == [("a", ""), ("b", " (no reg.)"), ("c", "")]      # only b drops the l2 term


def test_no_case_is_marked_unregularized_when_the_question_has_no_regularization(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text("[exam]\nid = 'p'\ntitle = 'p'\n[[question]]\nid = 'S'\nkind = 'softmax'\n"
                    "score = 's = \\mathbf{W} \\cdot \\mathbf{x} + \\mathbf{B}'\n"
                    "W = '\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}'\nB = '[0 \\quad 0]^T'\n"
                    "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n")
    report = solve_exam(path)
    source = latex.render(report.exam, report.results)
    assert "{case a}" in source and "no reg." not in source


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                    reason="latexmk/pdftotext not installed")
def test_pdf_end_to_end(tmp_path_factory):
    # made once for the run: test_margins.py reads the same build
    report = shared_derive(tmp_path_factory, SPECS / "softmax_small.toml", data_dirs=(TESTS.parent,))
    text = subprocess.run(["pdftotext", str(report.folder / "answer-key.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = " ".join(text.split())
    assert "The true label is class dog" in text
    assert "multiclass SVM (hinge)" in text
    assert "All cases side by side" in text
    check = subprocess.run(["pdftotext", str(report.folder / "verification.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "answers agree with an independent recomputation" in " ".join(check.split())


def test_the_documented_example_derives(tmp_path):
    spec = documented_example("softmax", tmp_path)
    result = solve_exam(spec).results[0]
    assert result.verified
    assert result.solution.answers["a.predicted"] == 4 and "c.hinge.loss" in result.solution.answers


def test_random_exams_agree_with_numpy(tmp_path):
    rng = np.random.default_rng(5)
    for trial in range(4):
        N, D = int(rng.integers(2, 6)), int(rng.integers(1, 6))
        W = rng.integers(-20, 21, size=(N, D)) / 10
        B = rng.integers(-10, 11, size=N) / 10
        x = rng.integers(-30, 31, size=D) / 10
        y = int(rng.integers(1, N + 1))
        reg = ["l1", "l2", "none"][trial % 3]
        sep = " \\quad "
        wtex = "\\begin{bmatrix} " + " \\\\ ".join(" & ".join(f"{v:g}" for v in row) for row in W) + " \\end{bmatrix}"
        btex = sep.join(f"{v:g}" for v in B)
        xtex = sep.join(f"{v:g}" for v in x)
        q = question(tmp_path, f"regularization = '{reg}'\nW = '{wtex}'\nB = '[{btex}]^T'\n"
                               f"[[question.case]]\nid = 'r'\nx = '[{xtex}]^T'\nlabel = {y}\n", name=f"r{trial}")
        a = solution_of(q).answers
        s = W @ x + B + (np.abs(W).sum(1) if reg == "l1" else (W ** 2).sum(1) if reg == "l2" else 0)
        np.testing.assert_allclose(arr(a["r.probs"]), np_softmax(s), rtol=1e-12)
        assert float(a["r.loss"]) == pytest.approx(ce_loss(W, B, x, y - 1, reg), rel=1e-10)
        np.testing.assert_allclose(arr(a["r.grad.W"]).reshape(N, D),
                                   central_difference(lambda w: ce_loss(w, B, x, y - 1, reg), W.astype(float)),
                                   rtol=1e-5, atol=1e-7)


def test_huge_scores_are_refused_quickly(tmp_path):
    q = question(tmp_path, "W = '\\begin{bmatrix} 10^{300} & 0 \\\\ 0 & 1 \\end{bmatrix}'\nB = '[0 \\quad 0]^T'\n"
                           "[[question.case]]\nid = 'a'\nx = '[1 \\quad 2]^T'\n")
    with pytest.raises(SpecError) as info:
        solution_of(q)
    assert info.value.field == "case.a.x" and "too large" in info.value.message
