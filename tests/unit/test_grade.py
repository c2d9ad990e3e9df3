"""symdl.classgrade's pieces: reading cells, the CSV's bad input, degenerate answers, the carried
tolerance, each kind's carry hook against numbers computed here with numpy."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
import sympy

from symdl import classgrade, kinds
from symdl.classgrade import cells, responses, values
from symdl.solve import solve_exam
from symdl.errors import UsageError


@pytest.fixture(scope="module")
def di504():
    report = solve_exam()
    return SimpleNamespace(report=report, by_id={r.question.id: r for r in report.results})


@pytest.mark.parametrize("text, value", [
    ("0.773", Fraction(773, 1000)), ("-1.2e-3", Fraction(-12, 10000)), ("1,234", Fraction(1234)),
    ("5,427,338", Fraction(5427338)), ("1,234.5", Fraction(24690, 20)), ("\u22120.5", Fraction(-1, 2)),
    (" 155 ", Fraction(155)), (".5", Fraction(1, 2)), ("+3", Fraction(3)), ("", None), ("   ", None)])
def test_numbers_are_read_exactly_as_written(text, value):
    assert cells.number(text) == value


@pytest.mark.parametrize("text", ["0,773", "1,5", "1,2345", "12,34", "abc", "1.2.3", "nan", "inf", "1e999",
                                  "0x10", "1/2", "3 4", "--1"])
def test_what_is_no_number(text):
    with pytest.raises(cells.NotANumber):
        cells.number(text)


def test_yes_and_no():
    assert cells.yes_no("Yes") is True and cells.yes_no(" n ") is False and cells.yes_no("") is None
    with pytest.raises(cells.NotANumber):
        cells.yes_no("maybe")


# ---------------------------------------------------------------------- bad input ----

@pytest.fixture(scope="module")
def by_column(di504):
    plans = classgrade.plans(di504.report, carry=False)
    return {i.column: i for p in plans for i in p.items}


def _csv(tmp_path, text):
    path = tmp_path / "class.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _criterion(by_column):
    return next(c for c, i in by_column.items() if i.answer is None)


@pytest.mark.parametrize("body, where", [
    ("student,Q1.nonsense\nann,1\n", "row 1, column 'Q1.nonsense': unknown column"),
    ("student,Q2.z,Q2.z\nann,1,2\n", "row 1, column 'Q2.z': column given twice"),
    ("name,Q2.z\nann,1\n", "row 1, column 'name': the first column must be 'student'"),
    ("student,Q2.z\nann,1\nbob,2\nann,3\n", "row 4, column 'student': 'ann' again (first in row 2)"),
    ("student,Q2.z\n,1\n", "row 2, column 'student': no student named"),
    ("student,Q2.z\nann,1,2\n", "row 2: 3 cells, but the header has 2 columns"),
    ("", "empty"),
])
def test_bad_csv_names_the_row_and_column(tmp_path, by_column, body, where):
    path = _csv(tmp_path, body)
    with pytest.raises(UsageError) as err:
        responses.read(path, by_column)
    assert str(err.value).startswith(str(path)) and where in str(err.value)


def test_criterion_points_above_the_maximum_or_negative_are_bad_input(tmp_path, by_column):
    column = _criterion(by_column)
    top = by_column[column].points
    for written in (str(float(top) + 0.5), "-1"):
        path = _csv(tmp_path, f"student,{column}\nann,{top}\nbob,{written}\n")
        with pytest.raises(UsageError) as err:
            responses.read(path, by_column)
        assert f"row 3, column '{column}'" in str(err.value)
    assert len(responses.read(_csv(tmp_path, f"student,{column}\nann,{top}\nbob,0\n"), by_column)) == 2


def test_the_command_exits_2_naming_the_cell_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    path = _csv(tmp_path, "student,Q2.z,Q2.banana\nann,1,2\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "symdl", "grade", "--responses", str(path), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert str(path) in proc.stderr and "row 1, column 'Q2.banana'" in proc.stderr
    assert not out.exists()


def test_template_prints_the_header(capsys):
    from symdl.cli import main

    assert main(["grade", "--template"]) == 0
    header = capsys.readouterr().out.strip().split(",")
    assert header[0] == "student" and "Q2.z" in header and len(header) == len(set(header))


# ------------------------------------------------------------ degenerate, tolerance ----

def test_degenerate_earlier_answers():
    right = {(0,): Fraction(2808), (1,): Fraction(33), (2,): Fraction(64)}
    assert values.degenerate({(0,): Fraction(0), (1,): Fraction(0), (2,): Fraction(0)}, right) == "it is zero"
    assert "identity" in values.degenerate({(0,): Fraction(1), (1,): Fraction(1), (2,): Fraction(1)}, right)
    assert "100 times" in values.degenerate({(0,): Fraction(280800 * 10), (1,): Fraction(33), (2,): Fraction(64)},
                                             right)
    assert "whole number" in values.degenerate({(0,): Fraction(2805, 2), (1,): Fraction(33), (2,): Fraction(64)},
                                               right)
    assert values.degenerate({(0,): Fraction(2805), (1,): Fraction(33), (2,): Fraction(64)}, right) == ""
    eye = {(0, 0): Fraction(1), (0, 1): Fraction(0), (1, 0): Fraction(0), (1, 1): Fraction(1)}
    assert "identity" in values.degenerate(eye, {k: Fraction(3, 10) for k in eye})
    assert values.degenerate({(): Fraction(46, 100)}, {(): Fraction(-4, 100)}) == ""
    assert "100 times" in values.degenerate({(): Fraction(46)}, {(): Fraction(-4, 100)})


def test_a_carried_value_keeps_the_answers_figures():
    answer = SimpleNamespace(value=sympy.Matrix([sympy.Rational(1020201, 10**6), 0, 155]),
                             tolerance={"abs": [Fraction(5, 10**5), Fraction(0), Fraction(0)],
                                        "rel": [Fraction(5, 10**5) / Fraction(10202, 10**4), 0, 0]})
    tol = values.carried_tolerance(answer, sympy.Matrix([sympy.Rational(98765, 1000), sympy.Rational(1, 3), 150]))
    # 1.0202 to 5 figures: +-0.00005; 98.765 to 5 figures: +-0.0005
    assert tol["abs"][0] == Fraction(5, 10**4)
    assert tol["abs"][1] == Fraction(5, 10**4)          # was exactly 0: 3 figures of 0.333...
    assert tol["abs"][2] == 0                            # whole then, whole now: exact


def test_carry_forward_can_be_turned_off(di504):
    exam = SimpleNamespace()
    assert classgrade.carry_forward(exam) is True
    exam.grading = SimpleNamespace(carry_forward=False)
    assert classgrade.carry_forward(exam) is False
    exam.grading = {"carry_forward": False}
    assert classgrade.carry_forward(exam) is False
    plans = classgrade.plans(SimpleNamespace(exam=exam, results=di504.report.results))
    assert all(not p.deps for p in plans)


# ---------------------------------------------------------------- each kind's carry ----

def _carry(di504, qid, given):
    r = di504.by_id[qid]
    return kinds.get(r.question.kind).carry(r.question, r.solution, given)


def _floats(v):
    return np.array([float(x) for x in (v if isinstance(v, (list, sympy.MatrixBase)) else [v])], dtype=float)


def test_graph_nodes_from_the_students_values(di504):
    W, x = np.array([[-0.1, -0.5], [0.3, 0.2]]), np.array([0.3, -0.1])
    z1 = np.array([0.2, 0.07])
    out = _carry(di504, "Q1", {"forward.z1": sympy.Matrix([sympy.Rational(2, 10), sympy.Rational(7, 100)])})
    z3 = np.exp(z1 + [0, 1])
    assert np.allclose(_floats(out["output"]), np.maximum([1, 0], z3), rtol=1e-12)
    g1 = np.where(z3 > [1, 0], 1.0, 0.0) * z3
    assert np.allclose(_floats(out["grad.x"]), W.T @ g1, rtol=1e-12)
    assert np.allclose(_floats(out["grad.W"]), np.outer(g1, x).ravel(), rtol=1e-12)
    assert "forward.z1" not in out
    out = _carry(di504, "Q1", {"grad.z1": sympy.Matrix([1, 2])})
    assert np.allclose(_floats(out["grad.x"]), W.T @ [1, 2]) and set(out) == {"grad.x", "grad.W"}


def test_neuron_y_and_gradients_from_the_students_z(di504):
    W, x, u = np.array([-0.1, -0.2, 0, -0.1, -0.3]), np.array([0.7, 0.9, 0.9, 0.2, 0.9]), -0.124
    out = _carry(di504, "Q2", {"z": sympy.Rational(46, 100)})
    assert out["y"] == sympy.Rational(46, 100) and out["dy_dz"] == 1 and out["dead"] is False
    assert np.allclose(_floats(out["grad.W"]), u * x) and np.allclose(_floats(out["grad.x"]), u * W)
    out = _carry(di504, "Q2", {"dy_dz": sympy.Rational(1, 2)})
    assert set(out) == {"grad.z", "grad.W", "grad.b", "grad.x"} and float(out["grad.b"]) == u / 2


def test_softmax_probabilities_from_the_students_scores(di504):
    s = np.array([0.71, -1.41, 3.42, 4.36])
    out = _carry(di504, "Q3", {"b.scores": sympy.Matrix([sympy.Rational(str(v)) for v in s])})
    e = np.exp(s - s.max())
    assert np.allclose(_floats(out["b.probs"]), e / e.sum(), rtol=1e-12)
    assert "a.probs" not in out


def test_architecture_sizes_from_the_students_previous_layer(di504):
    out = _carry(di504, "Q4", {"conv1_1.output": [2805, 33, 64]})
    h = (2805 + 1 + 1 - 3) // 1 + 1                       # conv1_2: 3 x 1, padding [1 1 ; 0 0]
    assert out["conv1_2.output"] == [h, 33, 64]
    assert out["pool1.output"] == [(h - 6) // 6 + 1, 33, 64]
    assert "conv1_1.output" not in out and "total.learnables" in out
    right = di504.by_id["Q4"].solution.answers["total.learnables"]
    out = _carry(di504, "Q4", {"fc9.bias": [11, 1]})
    assert out == {"total.learnables": right + 1}


def test_training_set_from_the_students_iterations(di504):
    out = _carry(di504, "Q5", {"iterations_per_epoch": sympy.Integer(150)})
    assert out == {"train_set_size": 4800, "train_set_size.min": 4800, "train_set_size.max": 4831}
