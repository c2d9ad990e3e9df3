"""The neuron kind against independent truth: hand numpy, finite differences, Monte Carlo volumes."""

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from symdl.derive import derive
from symdl.solve import solve_exam
from symdl.errors import SpecError
from symdl.kinds.neuron.check import float_cdf, fourier_below
from symdl.kinds.neuron.derive import cube_below
from symdl.render import latex
from symdl.input.spec import default_spec, load_exam
from symdl.check.verify import to_float_array, verify
from support import TESTS, documented_example, one_question, shared_derive, solution_of

SPECS = TESTS / "specs"


def arr(value):
    return np.squeeze(to_float_array(value))


def question(tmp_path, body, name="n"):
    return one_question(tmp_path, "neuron", body, name)


def small(qid):
    return next(q for q in load_exam(SPECS / "neuron_small.toml").questions if q.id == qid)


def monte_carlo_fraction(W, b, lows, highs, predicate, n=400_000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(lows, highs, size=(n, len(W)))
    frac = float(np.mean(predicate(X @ np.asarray(W, float) + b)))
    return frac, 4.5 * math.sqrt(max(frac * (1 - frac), 1e-6) / n) + 1e-4


# ---------------------------------------------------------------------- DI504 Q2 ---

def test_di504_q2_dead_for_this_sample():
    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q2")
    sol = solution_of(q)
    a = sol.answers
    W = np.array([-0.1, -0.2, 0, -0.1, -0.3])
    x = np.array([0.7, 0.9, 0.9, 0.2, 0.9])
    assert a["z"] == sympy.Rational(-4, 100)
    assert float(a["z"]) == pytest.approx(W @ x + 0.5, abs=1e-15)
    assert a["y"] == 0 and a["dy_dz"] == 0
    assert arr(a["grad.W"]).tolist() == [0] * 5 and a["grad.b"] == 0
    assert arr(a["grad.x"]).tolist() == [0] * 5
    assert a["dead"] is True and a["dead_on_domain"] is False
    assert a["domain.z_max"] == sympy.Rational(1, 2)        # the witness x = 0 gives z = b
    assert a["active_fraction"] == sympy.Rational(65, 72)
    mc, tol = monte_carlo_fraction(W, 0.5, 0, 1, lambda z: z > 0)
    assert abs(mc - 65 / 72) < tol
    assert all(c.ok for c in verify(q, sol))
    for name in ("z", "y", "dy_dz", "grad.W", "grad.b", "grad.x", "dead", "active_fraction"):
        assert name in a


def test_di504_q2_sheet_ties_the_diagnosis_to_numbers():
    exam = load_exam(default_spec())
    q = next(q for q in exam.questions if q.id == "Q2")
    sol = solution_of(q)
    text = repr(sol.sections)
    assert "z = -0.04 < 0" in text
    assert "-0.124" in text
    assert "25/27" not in text and "0.92593" in text     # weight decay: shrink W by b / (-W^T x)
    assert "0.10328" in text                               # |z| / ||W||_2


# ------------------------------------------------------------ other activations ---

def test_saturated_sigmoid_matches_hand_formula():
    q = small("N1")
    a = solution_of(q).answers
    z = 2 * 1 + 3 * 0.8 + 1.5 * 0.6 + 0.5
    s = 1 / (1 + math.exp(-z))
    assert float(a["z"]) == pytest.approx(5.8)
    assert float(a["y"]) == pytest.approx(s, rel=1e-14)
    assert float(a["dy_dz"]) == pytest.approx(s * (1 - s), rel=1e-12)
    np.testing.assert_allclose(arr(a["grad.W"]), 0.3 * s * (1 - s) * np.array([1, 0.8, 0.6]), rtol=1e-12)
    assert a["saturated"] is True and a["dead"] is False
    # saturation edge: s(1-s) = 0.01 exactly there
    zs = float(a["saturation_z"])
    assert (1 / (1 + math.exp(-zs))) * (1 - 1 / (1 + math.exp(-zs))) == pytest.approx(0.01, rel=1e-12)
    mc, tol = monte_carlo_fraction([2, 3, 1.5], 0.5, 0, 1, lambda v: np.abs(v) < zs)
    assert abs(float(a["active_fraction"]) - mc) < tol


def test_relu_dead_on_the_whole_domain():
    a = solution_of(small("N2")).answers
    assert a["domain.z_max"] == sympy.Rational(-5, 100)
    assert a["dead_on_domain"] is True and a["active_fraction"] == 0


def test_leaky_relu_keeps_a_gradient():
    a = solution_of(small("N3")).answers
    z = 0.5 * -1.5 - 2 + 0.25 * 0.5 + 0.75 + 0.2
    assert float(a["z"]) == pytest.approx(z)
    assert a["dy_dz"] == sympy.Rational(1, 10) and a["dead"] is False
    np.testing.assert_allclose(arr(a["grad.W"]), 2 * 0.1 * np.array([-1.5, 2, 0.5, 1]), rtol=1e-14)
    np.testing.assert_allclose(arr(a["grad.x"]), 2 * 0.1 * np.array([0.5, -1, 0.25, 0.75]), rtol=1e-14)
    # the default domain is [-2, 2]^4 (x leaves the unit box)
    mc, tol = monte_carlo_fraction([0.5, -1, 0.25, 0.75], 0.2, -2, 2, lambda v: v > 0)
    assert abs(float(a["active_fraction"]) - mc) < tol


def test_tanh_on_a_stated_box():
    q = small("N4")
    a = solution_of(q).answers
    zs = math.atanh(math.sqrt(1 - 0.05))
    assert float(a["saturation_z"]) == pytest.approx(zs, rel=1e-12)
    assert a["saturated"] is False
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.uniform(0, 2, 400_000), rng.uniform(-1, 1, 400_000)])
    mc = float(np.mean(np.abs(X @ np.array([0.5, -0.5])) < zs))
    assert abs(float(a["active_fraction"]) - mc) < 3e-3
    assert all(c.ok for c in verify(q, solution_of(q)))


def test_identity_and_all_small_specs_verify():
    for q in load_exam(SPECS / "neuron_small.toml").questions:
        sol = solution_of(q)
        checks = verify(q, sol)
        assert checks and all(c.ok for c in checks), [c.name for c in checks if not c.ok]


def test_relu_at_the_kink_uses_the_left_derivative(tmp_path):
    q = question(tmp_path, "activation = 'relu'\nW = '[1 \\quad -1]^T'\nx = '[0.5 \\quad 0.25]^T'\n"
                           "b = '-0.25'\nupstream = '3'\n")
    sol = solution_of(q)
    assert sol.answers["z"] == 0 and sol.answers["dy_dz"] == 0 and sol.answers["dead"] is True
    assert any("kink" in repr(a) for a in sol.assumptions)
    assert all(c.ok for c in verify(q, sol))


def test_gradients_match_finite_differences(tmp_path):
    q = question(tmp_path, "activation = 'tanh'\nW = '[0.3 \\quad -0.7 \\quad 1.1]^T'\n"
                           "x = '[0.2 \\quad 0.9 \\quad -0.4]^T'\nb = '0.05'\nupstream = '-1.5'\n")
    a = solution_of(q).answers
    W, x, b = np.array([0.3, -0.7, 1.1]), np.array([0.2, 0.9, -0.4]), 0.05

    def L(Wv, xv, bv):
        return -1.5 * math.tanh(Wv @ xv + bv)

    h = 1e-6
    gW = [(L(W + h * e, x, b) - L(W - h * e, x, b)) / (2 * h) for e in np.eye(3)]
    gx = [(L(W, x + h * e, b) - L(W, x - h * e, b)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(arr(a["grad.W"]), gW, rtol=1e-7)
    np.testing.assert_allclose(arr(a["grad.x"]), gx, rtol=1e-7)
    assert float(a["grad.b"]) == pytest.approx((L(W, x, b + h) - L(W, x, b - h)) / (2 * h), rel=1e-7)


# ----------------------------------------------------------- volumes, three ways ---

@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=1, max_size=5), st.integers(-12, 12))
def test_exact_volume_agrees_with_float_convolution(weights, bias):
    W = [sympy.Rational(w, 4) for w in weights]
    b = sympy.Rational(bias, 8)
    z_max = b + sum(max(w, 0) for w in W)
    c = [abs(w) for w in W if w != 0]
    exact, _ = cube_below(c, z_max)
    assert 0 <= exact <= 1
    other = 1 - float_cdf(np.array([float(w) for w in W]), np.zeros(len(W)), np.ones(len(W)), float(b), 0.0)
    assert float(exact) == pytest.approx(other, abs=1e-9)


def test_exact_volume_against_monte_carlo_on_a_skewed_box():
    W = [sympy.Rational(3, 10), sympy.Rational(-1, 2), sympy.Rational(7, 10)]
    lows, highs = [-1, 0, 2], [1, 3, 2.5]
    b = sympy.Rational(-1, 5)
    # z = z_max - sum c_i v_i on the box
    xs = [h if w > 0 else lo for w, lo, h in zip(W, lows, highs)]
    z_max = b + sum(w * sympy.nsimplify(v) for w, v in zip(W, xs))
    c = [abs(w) * (sympy.nsimplify(h) - sympy.nsimplify(lo)) for w, lo, h in zip(W, lows, highs)]
    exact, _ = cube_below(c, z_max)
    mc, tol = monte_carlo_fraction([float(w) for w in W], float(b), lows, highs, lambda v: v > 0, seed=3)
    assert abs(float(exact) - mc) < tol


# ------------------------------------------------------------------- bad input ---

@pytest.mark.parametrize("body, field, message", [
    ("activation = 'softplus'\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\n", "activation", "unknown activation"),
    ("activation = 'relu'\nW = '[1 \\quad 2]^T'\nx = '[1]'\nb = '0'\nupstream = '1'\n", "x", "x has 1 entries"),
    ("activation = 'relu'\nW = '[1]'\nx = '[1]'\nb = '0'\n", "upstream", "missing"),
    ("activation = 'relu'\nW = '[1]'\nx = '[1]'\nb = '[1 \\quad 2]'\nupstream = '1'\n", "b", "one number"),
    ("activation = 'relu'\nslope = 0.1\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\n", "slope", "leaky"),
    ("activation = 'leaky_relu'\nslope = 2\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\n", "slope", "between"),
    ("activation = 'sigmoid'\nsaturation = 0.3\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\n",
     "saturation", "must lie"),
    ("activation = 'relu'\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\ndomain = [1, 0]\n", "domain", "low < high"),
    ("activation = 'relu'\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\ndomain = [[0, 1], [0, 1]]\n",
     "domain", "expected"),
    ("activation = 'relu'\nW = '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}'\nx = '[1]'\nb = '0'\n"
     "upstream = '1'\n", "W", "expected a vector"),
    ("activation = 'relu'\nmodel = 'y = \\input{x}'\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\n",
     "model", "is not allowed"),
])
def test_bad_input_names_the_field(tmp_path, body, field, message):
    q = question(tmp_path, body)
    with pytest.raises(SpecError) as info:
        solution_of(q)
    assert info.value.field == field
    assert message in info.value.message
    assert "\n" not in str(info.value)


def test_bad_input_through_the_cli(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "neuron"\n'
                    "activation = 'swish'\nW = '[1]'\nx = '[1]'\nb = '0'\nupstream = '1'\n")
    from symdl.cli import main

    assert main(["check", str(path)]) == 2


# ------------------------------------------------------------------- rendering ---

def test_latex_render_of_the_neuron_kind():
    report = solve_exam(SPECS / "neuron_small.toml")
    source = latex.render(report.exam, report.results, document="full")      # figures are in the full derivation
    assert source.count(r"\begin{tikzpicture}") == len(report.results)
    assert "1/(1+exp(-x))" in source and "max(0.1*x,x)" in source
    assert "A'(z)" in source


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                    reason="latexmk/pdftotext not installed")
def test_pdf_end_to_end(tmp_path_factory):
    # made once for the run: test_margins.py reads the same build
    report = shared_derive(tmp_path_factory, SPECS / "neuron_small.toml", data_dirs=(TESTS.parent,))
    pdf = report.folder / "answer-key.pdf"
    assert pdf.is_file()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    assert "A sigmoid unit far out on its tail" in text
    assert "saturated" in text
    assert "cannot die" in text                            # the leaky ReLU question's boxed verdict
    check = subprocess.run(["pdftotext", str(report.folder / "verification.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    check = " ".join(check.split())
    assert "dead on the whole domain" in check            # the input-region analysis is the instructor's
    assert "answers agree with an independent recomputation" in check


def test_the_documented_example_derives(tmp_path):
    spec = documented_example("neuron", tmp_path)
    result = solve_exam(spec).results[0]
    assert result.verified and result.solution.answers["active_fraction"] == sympy.Rational(65, 72)


def test_fourier_route_agrees_with_the_exact_volume():
    rng = np.random.default_rng(7)
    for k in (9, 14):
        c = [sympy.Rational(int(v), 10) for v in rng.integers(1, 10, size=k)]
        total = sum(c)
        for r in (total / 5, total / 2 + sympy.Rational(1, 10), total * 4 / 5):
            exact, _ = cube_below(c, r)
            assert float(exact) == pytest.approx(fourier_below([float(v) for v in c], float(r)), abs=1e-10)


def test_many_inputs_still_derive_exactly(tmp_path):
    rng = np.random.default_rng(11)
    W = " \\quad ".join(f"{v / 10:g}" for v in rng.integers(-9, 10, size=24))
    x = " \\quad ".join(f"{v / 10:g}" for v in rng.integers(0, 10, size=24))
    q = question(tmp_path, f"activation = 'relu'\nW = '[{W}]^T'\nx = '[{x}]^T'\nb = '-0.3'\nupstream = '1'\n")
    sol = solution_of(q)
    assert sol.answers["active_fraction"].is_Rational
    assert all(c.ok for c in verify(q, sol))


def test_far_tail_saturation_and_magnitude_guard(tmp_path):
    q = question(tmp_path, "activation = 'sigmoid'\nW = '[1]'\nx = '[0.5]'\nb = '-900'\nupstream = '1'\n")
    sol = solution_of(q)
    assert sol.answers["saturated"] is True and sol.answers["dead"] is False    # tiny, never exactly 0
    assert all(c.ok for c in verify(q, sol))
    q = question(tmp_path, "activation = 'relu'\nW = '[1]'\nx = '[0.5]'\nb = '10^{300}'\nupstream = '1'\n", "big")
    with pytest.raises(SpecError) as info:
        solution_of(q)
    assert info.value.field == "b" and "too large" in info.value.message
