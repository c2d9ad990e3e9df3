"""Regression inputs of issue 10 for the neuron, softmax, training-log and architecture kinds.

Each input is a copy of a file in tests/regressions/ (from the shared regression corpus). The
expected values are computed here, independently of symdl: the naive formulas evaluated by
mpmath at 1000 digits (so that no cancellation survives), or numbers read off the data files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import mpmath
import pytest
import sympy

from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import TESTS, answer_values, independent_of, solution_of

HERE = TESTS
REG = HERE / "regressions"
ROOT = HERE.parent


def cli(*args, cwd=None):
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=300)


def derive_json(spec: Path, out: Path, pdf=False):
    """Run ``symdl derive`` on ``spec``; (process, answers.json of its one question or None)."""
    proc = cli("derive", str(spec), "--out", str(out), *(() if pdf else ("--no-pdf",)))
    files = list(out.glob("*/answers.json"))
    data = json.loads(files[0].read_text()) if files else None
    return proc, (data["questions"][0] if data else None)


def question(path: Path):
    return load_exam(path).questions[0]


def hp(value):
    """A derived (SymPy) or independent (Fraction, float) value as an mpf at 40 digits."""
    if isinstance(value, (int, float)):
        return mpmath.mpf(value)
    if hasattr(value, "numerator") and not isinstance(value, sympy.Basic):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(sympy.N(value, 40))


def close(value, truth, rel=mpmath.mpf(10) ** -25):
    value, truth = hp(value), mpmath.mpf(truth)
    return abs(value - truth) <= rel * abs(truth)


def entries(value):
    """The entries of a matrix / list / scalar answer, flat."""
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    if isinstance(value, (list, tuple)):
        return [e for v in value for e in entries(v)]
    if hasattr(value, "ravel"):
        return list(value.ravel())
    return [value]


# ------------------------------------------------------------------------------ neuron ---

def naive_slope(activation, z):
    """dy/dz by the textbook formula y(1-y) or 1-y^2, at 1000 digits (the cancellation is then harmless)."""
    with mpmath.workdps(1000):
        if activation == "sigmoid":
            y = 1 / (1 + mpmath.exp(-z))
            d = y * (1 - y)
        else:
            y = mpmath.tanh(z)
            d = 1 - y ** 2
        return +d


NEURONS = [("neuron_sigmoid_z400_wrong_dydz_verified.toml", "sigmoid", 400, "1.9151695967140e-174"),
           ("neuron_tanh_z200_wrong_dydz_verified.toml", "tanh", 200, "7.6606783868560e-174")]


@pytest.mark.parametrize("name, activation, z, published", NEURONS)
def test_neuron_tiny_slope_is_derived_exactly(name, activation, z, published):
    truth = naive_slope(activation, z)
    assert abs(truth / mpmath.mpf(published) - 1) < 1e-13        # e^-400 / (1 + e^-400)^2, 4 e^-400 / (...)
    a = solution_of(question(REG / name)).answers
    assert a["z"] == z
    for key in ("dy_dz", "grad.z", "grad.b"):
        assert close(a[key], truth), key
    assert all(close(g, truth / 2) for g in entries(a["grad.W"]))       # x = (0.5, 0.5)
    assert all(close(g, truth) for g in entries(a["grad.x"]))           # W = (1, 1)
    assert a["saturated"] is True and a["dead"] is False


@pytest.mark.parametrize("name, activation, z, published", NEURONS)
def test_neuron_tiny_slope_independent_route_is_high_precision(name, activation, z, published):
    truth = naive_slope(activation, z)
    other = independent_of(question(REG / name))
    for key in ("dy_dz", "grad.z", "grad.b"):
        assert close(other[key], truth), key
    assert all(close(g, truth / 2) for g in entries(other["grad.W"]))
    assert all(close(g, truth) for g in entries(other["grad.x"]))
    assert other["saturated"] is True and other["dead"] is False


@pytest.mark.parametrize("name, activation, z, published", NEURONS)
def test_neuron_tiny_slope_derives_verified(tmp_path, name, activation, z, published):
    proc, q = derive_json(REG / name, tmp_path / "out", pdf=activation == "sigmoid")
    assert proc.returncode == 0, proc.stderr
    assert q["verified"] is True
    assert q["answers"]["dy_dz"]["value"] == pytest.approx(float(mpmath.mpf(published)), rel=1e-12, abs=0)
    if activation == "sigmoid":
        assert list((tmp_path / "out").glob("*/answer-key.pdf"))
    # the sheet shows the derivative without the cancellation, not y(1 - y) = (1)(1 - (1))
    tex = next((tmp_path / "out").glob("*/answer-key.tex")).read_text()
    assert r"\left(1 - \left(1\right)\right)" not in tex and r"1 - \left(1\right)^{2}" not in tex
    assert (r"\frac{e^{-400}}{1 + e^{-400}}" if activation == "sigmoid" else r"\cosh^2(200)") in tex


@pytest.mark.parametrize("name, activation, z, published", NEURONS)
def test_neuron_wrong_tiny_slope_is_not_verified(name, activation, z, published):
    q = question(REG / name)
    sol = solution_of(q)
    sol.answers["dy_dz"] = sympy.Float("1.312085177e-141")       # what symdl printed before the fix
    assert not next(c for c in verify(q, sol) if c.name == "dy_dz").ok


def one_neuron(tmp_path, activation, z, upstream="-3"):
    """A one-input neuron with W = 1, x = 1 and b = z - 1 (z an exact decimal string)."""
    from decimal import Decimal

    path = tmp_path / "n.toml"
    path.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "neuron"\n'
                    f"activation = '{activation}'\nW = '[1]'\nx = '[1]'\nb = '{Decimal(z) - 1}'\n"
                    f"upstream = '{upstream}'\n")
    return question(path)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("z", ["-700", "-400.5", "-37", "-0.25", "0", "0.5", "21.25", "199", "900"])
def test_neuron_slope_anywhere_is_relatively_exact(tmp_path, activation, z):
    q = one_neuron(tmp_path, activation, z)
    with mpmath.workdps(2000):                     # enough digits for y(1-y) to survive at |z| = 900
        zz = mpmath.mpf(z)
        y = 1 / (1 + mpmath.exp(-zz)) if activation == "sigmoid" else mpmath.tanh(zz)
        truth = +(y * (1 - y) if activation == "sigmoid" else 1 - y * y)
    a, other = solution_of(q).answers, independent_of(q)
    assert close(a["z"], mpmath.mpf(z)) and close(other["z"], mpmath.mpf(z))
    for answers in (a, other):
        assert close(answers["dy_dz"], truth)
        assert close(answers["grad.z"], -3 * truth)


@pytest.mark.parametrize("activation, z", [("tanh", "999999"), ("sigmoid", "-999990")])
def test_neuron_slope_at_the_largest_z_is_exact_and_quick(tmp_path, activation, z):
    import time

    q = one_neuron(tmp_path, activation, z, upstream="1")
    with mpmath.workdps(50):                        # closed forms without cancellation
        zz = abs(mpmath.mpf(z))
        truth = (4 * mpmath.exp(-2 * zz) / (1 + mpmath.exp(-2 * zz)) ** 2 if activation == "tanh"
                 else mpmath.exp(-zz) / (1 + mpmath.exp(-zz)) ** 2)
    start = time.process_time()
    a, other = solution_of(q).answers, independent_of(q)
    assert time.process_time() - start < 10          # 24 s before (the route returned half-million-digit fractions)
    assert close(a["dy_dz"], truth) and close(other["dy_dz"], truth)


def test_tiny_active_fraction_is_exact_in_both_routes(tmp_path):
    from fractions import Fraction

    path = tmp_path / "f.toml"
    ones = r" \quad ".join(["1"] * 5)
    halves = r" \quad ".join(["0.5"] * 5)
    path.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "neuron"\n'
                    f"activation = 'relu'\nW = '[{ones}]^T'\nx = '[{halves}]^T'\nb = '-4.99'\nupstream = '1'\n")
    q = question(path)
    # x uniform on [0, 1]^5: z > 0 is the corner simplex sum x_i > 4.99 of side 0.01, volume 0.01^5 / 5!
    truth = Fraction(1, 100) ** 5 / 120
    assert independent_of(q)["active_fraction"] == truth      # the float route gave 8.3356e-13
    assert close(solution_of(q).answers["active_fraction"], mpmath.mpf(1) / 1200000000000)


# ----------------------------------------------------------------------------- softmax ---

SOFTMAX = REG / "softmax_apart1000_wrong_grad_verified.toml"


def softmax_truth():
    """s = (1000, 0), label 1: p - e_1 and -ln p_1 by the naive formulas at 1000 digits."""
    with mpmath.workdps(1000):
        e = [mpmath.exp(1000), mpmath.exp(0)]
        p = [v / (e[0] + e[1]) for v in e]
        grad = [+(p[0] - 1), +p[1]]
        loss = +(-mpmath.log(p[0]))
    return p, grad, loss


def test_softmax_far_apart_scores_are_derived_exactly():
    p, grad, loss = softmax_truth()
    assert grad[0] < 0 and abs(grad[0] / mpmath.mpf("-5.0759588975494567e-435") - 1) < 1e-15
    a = solution_of(question(SOFTMAX)).answers
    assert list(a["a.scores"]) == [1000, 0]
    assert all(close(v, t) for v, t in zip(a["a.probs"], p))
    assert close(a["a.loss"], loss)
    for key in ("a.grad.scores", "a.grad.W", "a.grad.B"):      # x = 1: dL/dW = dL/dB = dL/ds
        assert all(close(v, t) for v, t in zip(entries(a[key]), grad)), key


def test_softmax_far_apart_scores_independent_route_is_high_precision():
    p, grad, loss = softmax_truth()
    other = independent_of(question(SOFTMAX))
    assert [hp(v) for v in entries(other["a.scores"])] == [1000, 0]
    assert all(close(v, t) for v, t in zip(entries(other["a.probs"]), p))
    assert close(other["a.loss"], loss)
    assert other["a.predicted"] == 1
    for key in ("a.grad.scores", "a.grad.W", "a.grad.B"):
        assert all(close(v, t) for v, t in zip(entries(other[key]), grad)), key


def test_softmax_far_apart_scores_derive_verified(tmp_path):
    proc, q = derive_json(SOFTMAX, tmp_path / "out", pdf=True)
    assert proc.returncode == 0, proc.stderr
    assert q["verified"] is True
    g = q["answers"]["a.grad.scores"]["value"][0]
    # -5e-435 is below float64's range: whatever answers.json writes must not be positive
    assert str(g).startswith("-") and mpmath.mpf(str(g)) <= 0
    assert list((tmp_path / "out").glob("*/answer-key.pdf"))


@pytest.mark.parametrize("scores, label", [((1000, 0, -1000), 1), ((1000, 0, -1000), 3), ((-5, 1995, 2000), 2),
                                           ((0.5, 0.25, 0), 2), ((300, 300, -300), 1)])
def test_softmax_gradients_far_apart_are_relatively_exact(tmp_path, scores, label):
    rows = r" \\ ".join(str(s) for s in scores)
    path = tmp_path / "s.toml"
    path.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "S"\nkind = "softmax"\n'
                    f"W = '\\begin{{bmatrix}} {rows} \\end{{bmatrix}}'\nB = '[0 \\quad 0 \\quad 0]^T'\n"
                    f"[[question.case]]\nid = \"a\"\nx = '[1]'\nlabel = {label}\n")
    q = question(path)
    with mpmath.workdps(3000):
        e = [mpmath.exp(mpmath.mpf(s)) for s in scores]
        p = [v / mpmath.fsum(e) for v in e]
        grad = [+(p[k] - (1 if k == label - 1 else 0)) for k in range(3)]
        loss = +(-mpmath.log(p[label - 1]))
    for answers in (solution_of(q).answers, independent_of(q)):
        assert close(answers["a.loss"], loss)
        assert all(close(v, t) for v, t in zip(entries(answers["a.grad.scores"]), grad))
        assert all(close(v, t) for v, t in zip(entries(answers["a.probs"]), p))


def test_softmax_wrong_sign_gradient_is_not_verified():
    q = question(SOFTMAX)
    sol = solution_of(q)
    sol.answers["a.grad.scores"] = sympy.Matrix([sympy.Float("1.0853e-165"), sympy.Float("5.08e-435")])
    assert not next(c for c in verify(q, sol) if c.name == "a.grad.scores").ok


# ------------------------------------------------------------------------ training logs ---

def refused(tmp_path, spec: Path, *must_name):
    """``derive`` ends in exit 2 with one line naming the spec, the question, the field and ``must_name``."""
    out = tmp_path / "out"
    proc = cli("derive", str(spec), "--out", str(out), "--no-pdf")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    line = lines[0]
    for text in (spec.name, f"question {question_id(spec)}", "field 'log'", *must_name):
        assert text in line, (text, line)
    assert not out.exists() or not any(out.iterdir())
    return line


def question_id(spec: Path):
    import tomllib
    return tomllib.loads(spec.read_text())["question"][0]["id"]


def test_csv_duplicated_mapped_column_is_refused(tmp_path):
    # header: epoch,loss,loss,val_accuracy,val_loss and columns.train_loss = "loss"
    line = refused(tmp_path, REG / "csv_dup_col" / "dup_col.toml", "dup_col.csv", "line 1", "'loss'",
                   "columns.train_loss")
    assert "columns 2, 3" in line


def test_percent_in_a_loss_cell_is_refused(tmp_path):
    # percent.txt line 21: '5  750  01:33:14  50.24    50%    3.0000e-07'
    assert (REG / "log_percent" / "percent.txt").read_text().splitlines()[20].split("\t")[5] == "50%"
    refused(tmp_path, REG / "log_percent" / "percent.toml", "percent.txt", "line 21", "'Mini-batch Loss'", "50%")


def test_csv_field_over_the_csv_limit_is_refused(tmp_path):
    text = (REG / "csv_huge_field" / "huge_field.csv").read_text().splitlines()
    assert len(text[16]) > 131072                                   # line 17 holds the 200000-character cell
    refused(tmp_path, REG / "csv_huge_field" / "huge_field.toml", "huge_field.csv", "line 17")


def test_5000_digit_cell_is_refused(tmp_path):
    assert len((REG / "log_long_digits" / "long_digits.txt").read_text().splitlines()[20]) > 5000
    refused(tmp_path, REG / "log_long_digits" / "long_digits.toml", "long_digits.txt", "line 21",
            "'Mini-batch Loss'")


def test_zero_validation_losses_are_refused(tmp_path):
    # every loss is 0: the relative change of the validation loss, (y_last - y_first) / y_first, is 0/0
    refused(tmp_path, REG / "log_zero_losses" / "zero_losses.toml", "zero_losses.txt", "line 2",
            "'Validation Loss'")


CONST = REG / "log_const_val" / "const_val.toml"


def test_constant_validation_loss_has_no_trend_in_either_route():

    rows = [line.split("\t") for line in (CONST.parent / "const_val.txt").read_text().splitlines()[1:]
            if line.count("\t") == 7]                     # table rows (not the page headers)
    assert len(rows) == 101
    assert {r[6] for r in rows if r[6]} == {"1200.0000"}           # the validation loss never moves
    q = question(CONST)
    derived = solution_of(q).answers
    other = {k: getattr(v, "value", v) for k, v in independent_of(q).items()}   # hp.Bounded: its value
    for answers in (derived, other):
        assert answers["val_loss_slope_per_epoch"] == 0
        assert answers["val_loss_slope_t"] == 0
        assert answers["val_loss_change_total"] == 0
        assert answers["val_loss_change_per_epoch"] == 0
        assert answers["learning"] is False
        # 25 epochs, the last row is epoch 25 at iteration 3875: 155 iterations of 32 samples
        assert answers["iterations_per_epoch"] == 155 and answers["train_set_size"] == 155 * 32


def test_constant_validation_loss_derives_verified(tmp_path):
    proc, q = derive_json(CONST, tmp_path / "out", pdf=True)
    assert proc.returncode == 0, proc.stderr
    assert q["verified"] is True and q["answers"]["learning"]["value"] is False
    assert q["answers"]["val_loss_slope_t"]["value"] == 0


def test_float_slope_t_matches_the_textbook_formula():
    from fractions import Fraction

    from symdl.kinds.training_log.check import slope_t

    assert slope_t([1, 2, 3, 4, 5], [1200.0] * 5) == (0.0, 0.0)
    b, t = slope_t([1, 2, 3, 4], [2.0, 4.0, 6.0, 8.0])              # an exact line: zero residual
    assert b == pytest.approx(2.0, rel=1e-12) and t == float("inf")
    xs, ys = [1, 2, 3, 4, 5], [Fraction(v) for v in ("5.1", "4.9", "4.2", "4.4", "3.1")]
    n = len(xs)
    mx, my = Fraction(sum(xs), n), sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    sse = sum((y - my - slope * (x - mx)) ** 2 for x, y in zip(xs, ys))
    t_true = float(slope) / (float(sse / (n - 2) / sxx) ** 0.5)
    b, t = slope_t(xs, [float(y) for y in ys])
    assert b == pytest.approx(float(slope), rel=1e-12) and t == pytest.approx(t_true, rel=1e-12)


# ------------------------------------------------------------------------- architecture ---

def test_layer_named_total_is_refused(tmp_path):
    out = tmp_path / "out"
    spec = REG / "arch_layer_named_total_exit3.toml"
    proc = cli("derive", str(spec), "--out", str(out), "--no-pdf")
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert spec.name in line and "question A" in line and "field 'layer.total.name'" in line
    assert "reserved" in line and not out.exists()


def test_totals_keep_their_answer_names(tmp_path):
    # the same network with the last layer renamed derives, and the totals keep their names
    spec = tmp_path / "renamed.toml"
    spec.write_text((REG / "arch_layer_named_total_exit3.toml").read_text().replace('name = "total"',
                                                                                   'name = "c2"'))
    proc, q = derive_json(spec, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    a = answer_values(q)
    # PyTorch: in 3x32x32; c1 8 filters 3x3, padding 1 -> 8x32x32; c2 4 filters 3x3 -> 4x30x30
    assert a["c1.learnables"] == 3 * 3 * 3 * 8 + 8 and a["c2.learnables"] == 3 * 3 * 8 * 4 + 4
    assert a["total.learnables"] == 224 + 292
    assert a["c2.output"] == [4, 30, 30]
    assert a["total.macs"] == 3 * 3 * 3 * 8 * 32 * 32 + 3 * 3 * 8 * 4 * 30 * 30


def test_compound_rate_with_a_large_exponent_is_quick_and_exact(tmp_path):
    """1500 iterations per epoch: the rate (y_last / y_first)^(1500/4499) - 1 took 97 s in SymPy."""
    import time

    import importlib.util

    from symdl.kinds.training_log.reading import analyse

    where = HERE / "kinds" / "training_log" / "test_training_log.py"     # importable whatever runs first
    spec_ = importlib.util.spec_from_file_location("symdl_test_training_log", where)
    tl = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(tl)
    synthetic_matlab, write_spec = tl.synthetic_matlab, tl.write_spec

    text, _ = synthetic_matlab(1500, 1, 3, 5, 0, "floor")
    spec = write_spec(tmp_path, text, fields='format = "matlab"\nframework = "matlab"\nminibatch = 1')
    q = question(spec)
    an = analyse(q)
    (x0, _, _, y0), (x1, _, _, y1) = an.val_points[0], an.val_points[-1]
    with mpmath.workdps(40):
        truth = (mpmath.mpf(y1.numerator) / y1.denominator / (mpmath.mpf(y0.numerator) / y0.denominator)) ** (
            mpmath.mpf(1500) / (x1 - x0)) - 1
    start = time.process_time()
    rate = solution_of(q).answers["val_loss_change_per_epoch"]
    assert time.process_time() - start < 30
    assert close(rate, truth)
