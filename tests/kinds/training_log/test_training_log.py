"""The training-log kind against independent truths: the settings the logs were made from, numpy, t tables."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symdl.cli import main as cli_main
from symdl.derive import derive
from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl.kinds.training_log.check import _t_crit_float
from symdl.kinds.training_log.stats import fit, t_critical
from symdl.render import latex
from symdl.input.spec import load_exam
from support import TESTS, answer_values, shared_derive
from symdl.solution import Text

HERE = TESTS
SPECS = HERE / "specs"
LOGS = HERE / "data" / "logs"
DI504_LOG = HERE.parent / "symdl" / "data" / "di504" / "q5-training-log.txt"
# The specs under tests/specs name logs in tests/data/ and symdl/data/ ('../data/logs/...'): outside
# their own folder, so they are read with the repository named as a data folder (--data-dir).
DATA_DIRS = (HERE.parent,)

needs_tex = pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                               reason="latexmk/pdftotext not installed")


def question(spec):
    return load_exam(spec, data_dirs=DATA_DIRS).questions[0]


_CACHE = {}


def solved(name):
    """(question, solution, checks) for tests/specs/training_log_<name>.toml, derived once."""
    if name not in _CACHE:
        q = question(SPECS / f"training_log_{name}.toml")
        result = solve_question(q)
        _CACHE[name] = (q, result.solution, result)
    return _CACHE[name]


def write_spec(tmp_path, log_text, *, log_name="run.txt", fields=""):
    (tmp_path / log_name).write_text(log_text)
    spec = tmp_path / "exam.toml"
    spec.write_text(f'[exam]\nid = "t"\ntitle = "t"\n\n[[question]]\nid = "L"\nkind = "training_log"\n'
                    f'log = "{log_name}"\n{fields}\n')
    return spec


# ---------------------------------------------------------------------------------------
# DI504 Q5, against a plain re-reading of the log in this test
# ---------------------------------------------------------------------------------------
def di504_rows():
    rows = []
    for line in DI504_LOG.read_text().splitlines():
        cells = line.split("\t")
        if len(cells) == 8 and cells[0].isdigit():
            rows.append(cells)
    return rows


def test_di504_iterations_and_training_set_size():
    _, sol, result = solved("di504")
    rows = di504_rows()
    assert len(rows) == 101
    last_epoch, last_it = int(rows[-1][0]), int(rows[-1][1])
    assert sol.answers["iterations_per_epoch"] == last_it // last_epoch == 155
    # every N that MATLAB's floor(N/32) maps to 155 iterations
    sizes = [n for n in range(1, 10000) if n // 32 == 155]
    assert sol.answers["train_set_size"] == 155 * 32 == 4960
    assert sol.answers["train_set_size.min"] == min(sizes) == 4960
    assert sol.answers["train_set_size.max"] == max(sizes) == 4991
    # the six non-blank page-header lines that interrupt the table
    assert sol.answers["skipped_lines"] == 6
    assert result.verified, [c.name for c in result.failures]


def test_di504_time_and_trend_match_numpy():
    _, sol, _ = solved("di504")
    rows = di504_rows()

    def seconds(clock):
        h, m, s = map(int, clock.split(":"))
        return 3600 * h + 60 * m + s

    assert sol.answers["seconds_per_iteration"] == Fraction(seconds("08:03:26") - 41, 3875 - 1)
    val = [(int(r[1]) / 155, float(r[6])) for r in rows if r[6]]
    slope = np.polyfit([v[0] for v in val], [v[1] for v in val], 1)[0]
    assert float(sol.answers["val_loss_slope_per_epoch"]) == pytest.approx(slope, rel=1e-9)
    assert float(sol.answers["val_loss_slope_per_epoch"]) == pytest.approx(-4.9217, abs=1e-4)
    total = float(rows[-1][6]) / float(rows[0][6]) - 1
    assert float(sol.answers["val_loss_change_total"]) == pytest.approx(total, rel=1e-12)
    # exact: the slope is a rational built from the log's decimals
    assert sol.answers["val_loss_slope_per_epoch"].is_Rational


def test_di504_verdicts_and_recommendation():
    _, sol, _ = solved("di504")
    assert sol.answers["learning"] is True
    assert sol.answers["overfitting"] is False
    assert sol.answers["diverging"] is False
    assert sol.answers["gap_growing"] is False
    rec = sol.answers["recommendation"]
    assert "learning rate" in rec and "InitialLearnRate" in rec
    assert "3e-7" in rec and "3e-6" in rec
    # a fall far under 1 % per epoch: learning, but slowly (argued in the boxed verdict)
    assert -0.01 < float(sol.answers["val_loss_change_per_epoch"]) < 0
    boxed = " ".join("".join(str(p) for p in it.parts) for s in sol.sections for it in s.items
                     if isinstance(it, Text) and it.boxed)
    assert "Learning: yes, but slowly" in boxed
    assert any("final iteration" in a for a in sol.assumptions)


def test_t_critical_values_match_tables():
    # one-sided 95 % quantiles from standard t tables
    for df, table in ((1, 6.314), (5, 2.015), (23, 1.714), (24, 1.711), (120, 1.658)):
        assert float(t_critical(Fraction(1, 20), df)) == pytest.approx(table, abs=6e-4)
        assert _t_crit_float(0.05, df) == pytest.approx(table, abs=6e-4)


def test_exact_fit_matches_polyfit():
    xs = [Fraction(x) for x in (1, 2, 3, 5, 8)]
    ys = [Fraction(y) for y in ("3.1", "2.9", "2.4", "2.0", "1.1")]
    f = fit(xs, ys)
    b, a = np.polyfit([float(x) for x in xs], [float(y) for y in ys], 1)
    assert float(f.b) == pytest.approx(b, rel=1e-12)
    assert float(f.a) == pytest.approx(a, rel=1e-12)
    res = np.array([float(y) for y in ys]) - (a + b * np.array([float(x) for x in xs]))
    se = math.sqrt(res @ res / 3 / np.var([float(x) for x in xs]) / 5)
    assert float(f.t) == pytest.approx(b / se, rel=1e-9)


# ---------------------------------------------------------------------------------------
# Logs beyond DI504 (tests/data/logs/make_logs.py: settings known)
# ---------------------------------------------------------------------------------------
def test_overfitting_run_in_matlab_frame_layout():
    _, sol, result = solved("overfit")
    a = sol.answers
    assert result.verified
    assert a["iterations_per_epoch"] == 3000 // 64 == 46
    assert a["train_set_size.min"] <= 3000 <= a["train_set_size.max"]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (2944, 3007)
    # banner (2), frames (3), 'Page 2 of 3', 'Training finished' = 7 skipped lines
    assert a["skipped_lines"] == 7
    assert a["overfitting"] is True and a["gap_growing"] is True
    assert a["diverging"] is False
    assert "L2Regularization" in a["recommendation"] and "epoch 5" in a["recommendation"]
    assert a["seconds_per_iteration"] == pytest.approx(1.5, abs=0.01)


def test_diverging_run_with_nan():
    _, sol, result = solved("diverge")
    a = sol.answers
    assert result.verified
    assert a["iterations_per_epoch"] == 490 // 16 == 30
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (480, 495)
    assert a["diverging"] is True and a["learning"] is False and a["overfitting"] is False
    assert a["recommendation"].startswith("Lower the learning rate")
    assert "0.1 to 0.01" in a["recommendation"]


def test_lightning_csv_keeps_the_last_batch():
    _, sol, result = solved("lightning")
    a = sol.answers
    assert result.verified
    assert a["iterations_per_epoch"] == math.ceil(1000 / 64) == 16
    sizes = [n for n in range(1, 3000) if math.ceil(n / 64) == 16]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (min(sizes), max(sizes)) == (961, 1024)
    assert a["train_set_size"] == 1024
    assert a["learning"] is True and a["overfitting"] is False
    assert "seconds_per_iteration" not in a          # no time column in a Lightning CSV
    assert "more epochs" in a["recommendation"]


def test_keras_csv_without_iterations():
    _, sol, result = solved("keras")
    a = sol.answers
    assert result.verified
    assert "iterations_per_epoch" not in a and "train_set_size" not in a
    rows = [l.split(",") for l in (LOGS / "keras_log.csv").read_text().splitlines()[1:]]
    epochs = [int(r[0]) + 1 for r in rows]
    val = [float(r[4]) for r in rows]
    assert float(a["val_loss_slope_per_epoch"]) == pytest.approx(np.polyfit(epochs, val, 1)[0], rel=1e-9)
    assert a["learning"] is True and a["overfitting"] is False


def test_iterations_per_epoch_given_in_the_spec(tmp_path):
    fields = ('format = "csv"\nframework = "keras"\nminibatch = 32\niterations_per_epoch = 20\n'
              'columns = { epoch = "epoch", train_loss = "loss", val_loss = "val_loss" }')
    spec = write_spec(tmp_path, (LOGS / "keras_log.csv").read_text(), log_name="k.csv", fields=fields)
    sol = solve_question(question(spec)).solution
    assert sol.answers["iterations_per_epoch"] == 20
    assert (sol.answers["train_set_size.min"], sol.answers["train_set_size.max"]) == (609, 640)


MATLAB_HEAD = ("Epoch\tIteration\tTime Elapsed (hh:mm:ss)\tMini-batch RMSE\tValidation RMSE\t"
               "Mini-batch Loss\tValidation Loss\tBase Learning Rate")


def synthetic_matlab(N, B, epochs, every, seed, rounding="floor"):
    rnd = np.random.default_rng(seed)
    I = N // B if rounding == "floor" else -(-N // B)
    total = I * epochs
    its = sorted({1, total} | set(range(every, total + 1, every)) | {e * I for e in range(1, epochs + 1)})
    lines = [MATLAB_HEAD]
    for k, it in enumerate(its):
        epoch = (it - 1) // I + 1
        loss = 100 * math.exp(-0.1 * it / I) + rnd.uniform(0, 5)
        val = 110 * math.exp(-0.1 * it / I) + rnd.uniform(0, 1)
        v = it == 1 or it % I == 0
        lines.append("\t".join([str(epoch), str(it), f"00:{it // 60 % 60:02d}:{it % 60:02d}",
                                f"{math.sqrt(2 * loss):.2f}", f"{math.sqrt(2 * val):.2f}" if v else "",
                                f"{loss:.4f}", f"{val:.4f}" if v else "", "1.0000e-03"]))
        if k == len(its) // 2:
            lines += ["", "Exam title on a page header", "3", ""]
    return "\n".join(lines) + "\n", I


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(N=st.integers(40, 4000), B=st.integers(1, 128), epochs=st.integers(3, 6), every=st.integers(5, 60),
       framework=st.sampled_from(["matlab", "pytorch"]), seed=st.integers(0, 10 ** 6))
def test_any_matlab_log_gives_back_its_settings(tmp_path, N, B, epochs, every, framework, seed):
    if N // B < 2:
        return
    rounding = "floor" if framework == "matlab" else "ceil"
    text, I = synthetic_matlab(N, B, epochs, every, seed, rounding)
    spec = write_spec(tmp_path, text, fields=f'format = "matlab"\nframework = "{framework}"\nminibatch = {B}')
    result = solve_question(question(spec))
    a = result.solution.answers
    assert result.verified, [c.name for c in result.failures]
    assert a["iterations_per_epoch"] == I
    assert a["train_set_size.min"] <= N <= a["train_set_size.max"]
    allowed = [n for n in range(1, (I + 2) * B) if (n // B if rounding == "floor" else -(-n // B)) == I]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (min(allowed), max(allowed))
    assert a["skipped_lines"] == 2                      # the page header and the page number


# ---------------------------------------------------------------------------------------
# Malformed logs and specs: one-line errors naming file, question and field; exit 2
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("log, fields, words", [
    ("bad_no_rows.txt", 'minibatch = 32', ["no rows of the table"]),
    ("bad_missing_column.txt", 'minibatch = 32', ["no 'Validation Loss' column"]),
    ("bad_non_numeric.txt", 'minibatch = 32', ["line 3", "'13g2.1007' is not a number"]),
    ("bad_non_numeric.csv", 'format = "csv"\nframework = "keras"\nminibatch = 32\n'
                            'columns = { epoch = "epoch", train_loss = "loss", val_loss = "val_loss" }',
     ["line 3", "'abc' is not a number"]),
    ("keras_log.csv", 'format = "csv"\nframework = "keras"\nminibatch = 32\n'
                      'columns = { epoch = "epoch", train_loss = "loss", val_loss = "validation_loss" }',
     ["no column 'validation_loss'"]),
])
def test_malformed_logs_give_one_line_errors(tmp_path, log, fields, words):
    spec = write_spec(tmp_path, (LOGS / log).read_text(), log_name=log, fields=fields)
    with pytest.raises(SpecError) as info:
        solve_question(question(spec))
    message = str(info.value)
    assert "\n" not in message and "question L" in message and "field 'log'" in message
    assert log in message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("fields, field, words", [
    ('minibatch = 0', "minibatch", "positive"),
    ('minibatch = 32\nframework = "caffe"', "framework", "unknown framework"),
    ('minibatch = 32\nformat = "csv"\nframework = "keras"', "columns", "needs a column mapping"),
    ('minibatch = 32\nformat = "csv"\nframework = "keras"\ncolumns = { epoch = "epoch", loss = "loss" }',
     "columns", "unknown key 'loss'"),
    ('minibatch = 32\ncolumns = { epoch = "Epoch" }', "columns", "CSV logs only"),
    ('framework = "matlab"', "minibatch", "missing"),
    ('minibatch = 32\nsignificance = 0.7', "significance", "between 0 and 0.5"),
])
def test_bad_fields(tmp_path, fields, field, words):
    spec = write_spec(tmp_path, DI504_LOG.read_text(), fields=fields)
    with pytest.raises(SpecError) as info:
        solve_question(question(spec))
    assert f"field '{field}'" in str(info.value) and words in str(info.value)


def test_row_with_wrong_cell_count_is_an_error(tmp_path):
    text = DI504_LOG.read_text().replace("1\t50\t00:06:34\t52.77\t\t1392.1007\t\t3.0000e-07",
                                         "1\t50\t00:06:34\t52.77\t1392.1007")
    spec = write_spec(tmp_path, text, fields="minibatch = 32")
    with pytest.raises(SpecError, match=r"line 3: a table row with 5 cells; the header has 8"):
        solve_question(question(spec))


def test_inconsistent_epochs_are_an_error(tmp_path):
    text = DI504_LOG.read_text().replace("2\t200\t00:25:07", "1\t200\t00:25:07")
    spec = write_spec(tmp_path, text, fields="minibatch = 32")
    with pytest.raises(SpecError, match="epochs and iterations disagree"):
        solve_question(question(spec))


def test_cli_exit_status_2_and_one_line(tmp_path, capsys):
    spec = write_spec(tmp_path, (LOGS / "bad_no_rows.txt").read_text(), fields="minibatch = 32")
    assert cli_main(["check", str(spec)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("symdl: error:") and "no rows of the table" in err[0]
    assert "Traceback" not in "".join(err)


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------
def test_latex_has_the_plots_and_no_raw_values():
    exam = load_exam(SPECS / "training_log_overfit.toml", data_dirs=DATA_DIRS)
    results = [solve_question(q) for q in exam.questions]
    source = latex.render(exam, results, "full")         # the curves are in the complete derivation,
    gap = latex.render(exam, results, "verification")     # the gap's plot is the instructor's
    assert source.count(r"\begin{axis}") == 2            # loss, accuracy
    assert gap.count(r"\begin{axis}") == 1 and "ycomb" in gap
    assert "validation loss" in source
    assert "None" not in source and "Fraction" not in source
    assert "Overfitting: yes" in source
    coords = re.findall(r"coordinates \{([^}]*)\}", source)
    assert coords and all(re.fullmatch(r"(\s*\([-0-9.e]+,[-0-9.e]+\))+\s*", c) for c in coords)


@needs_tex
def test_pdf_end_to_end(tmp_path_factory):
    # made once for the run: test_margins.py reads the same build
    report = shared_derive(tmp_path_factory, SPECS / "training_log_di504.toml", data_dirs=DATA_DIRS)
    folder = report.folder
    text = subprocess.run(["pdftotext", "-layout", str(folder / "answer-key.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for needle in ("Question 5", "4960", "4991", "InitialLearnRate", "but slowly", "Overfitting: not yet"):
        assert needle in text, needle
    doc = json.loads((folder / "answers.json").read_text())
    answers = answer_values(doc["questions"][0])
    assert doc["questions"][0]["verified"] is True
    for key in ("iterations_per_epoch", "train_set_size", "train_set_size.min", "train_set_size.max",
                "seconds_per_iteration", "val_loss_slope_per_epoch", "learning", "overfitting",
                "recommendation", "skipped_lines"):
        assert key in answers, key
    assert answers["iterations_per_epoch"] == 155 and answers["skipped_lines"] == 6
    assert isinstance(answers["learning"], bool) and isinstance(answers["recommendation"], str)


def test_csv_rows_out_of_order_give_the_same_answers(tmp_path):
    lines = (LOGS / "lightning_metrics.csv").read_text().splitlines()
    header, body = lines[0], lines[1:]
    shuffled = [l for l in body if l.split(",")[3]] + [l for l in body if not l.split(",")[3]]
    fields = ('format = "csv"\nframework = "pytorch"\nminibatch = 64\n'
              'columns = { epoch = "epoch", iteration = "step", train_loss = "train_loss", val_loss = "val_loss" }')
    spec = write_spec(tmp_path, "\n".join([header] + shuffled) + "\n", log_name="m.csv", fields=fields)
    result = solve_question(question(spec))
    _, reference, _ = solved("lightning")
    assert result.verified
    for key in ("iterations_per_epoch", "train_set_size.min", "val_loss_slope_per_epoch", "gap_slope_t",
                "overfitting"):
        assert result.solution.answers[key] == reference.answers[key], key
