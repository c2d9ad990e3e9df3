"""The test set evaluated after training, read apart from the validation: accuracy from printed counts
(hand arithmetic), Keras's evaluate() line after fit (it used to stop the reader), the tutorials'
percentage of a count."""

import shutil

import pytest
import sympy

from support import TESTS
from symdl.solve import solve_question
from symdl.input.spec import load_exam

LOGS = TESTS / "data" / "logs"


def solve(tmp_path, log, extra="test_set = true\n", text=None):
    if text is not None:
        (tmp_path / log).write_text(text)
    else:
        shutil.copy(LOGS / log, tmp_path / log)
    spec = tmp_path / "q.toml"
    spec.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "training_log"\n'
                    f'log = "{log}"\nminibatch = 128\n' + extra)
    result = solve_question(load_exam(spec).questions[0])
    assert result.verified
    return result.solution


def test_accuracy_from_printed_counts(tmp_path):
    """The last 'Test set:' line: 9890 of 10000 -> 0.989 exactly (the printed '(99%)' is rounded), 110 errors."""
    sol = solve(tmp_path, "pytorch_mnist_test.txt")
    a = sol.answers
    assert a["test.accuracy"] == sympy.Rational(9890, 10000)
    assert (a["test.correct"], a["test.total"], a["test.errors"]) == (9890, 10000, 10000 - 9890)
    assert a["test.loss"] == sympy.Rational(331, 10000)
    assert sol.meta["test.accuracy"].final and sol.meta["test.errors"].final
    assert a["iterations_per_epoch"] == 469             # the Test set lines are no training rows


def test_keras_evaluate_after_fit(tmp_path):
    """Five epochs of 422 steps, then evaluate() on 313 test batches: the test figures apart from the last
    epoch's validation loss 0.0402; the epochs' analysis is the same as without the evaluate lines."""
    sol = solve(tmp_path, "keras_evaluate.txt")
    a = sol.answers
    assert a["test.loss"] == sympy.Rational(371, 10000) and a["test.accuracy"] == sympy.Rational(9874, 10000)
    assert a["iterations_per_epoch"] == 422
    text = (LOGS / "keras_evaluate.txt").read_text()
    fit_only = "\n".join(text.splitlines()[:10]) + "\n"
    without = solve(tmp_path, "fit_only.txt", extra="", text=fit_only).answers
    assert not any(k.startswith("test.") for k in without)
    for key in ("val_loss_change_per_epoch", "iterations_per_epoch", "train_set_size.min", "overfitting"):
        assert a[key] == without[key]
    assert a["skipped_lines"] == without["skipped_lines"] + 3


def test_percentage_of_a_count_not_graded_without_the_field(tmp_path):
    """'Accuracy of the model on the 10000 test images: 82 %': 0.82 and 8200 correct; derived but not final."""
    sol = solve(tmp_path, "pytorch_mnist_logistic.txt", extra="")
    assert sol.answers["test.accuracy"] == sympy.Rational(82, 100)
    assert sol.answers["test.correct"] == 8200 and sol.answers["test.errors"] == 1800
    assert not sol.meta["test.accuracy"].final


@pytest.mark.parametrize("line,expected", [
    ("Test set: Average loss: 0.1000, Accuracy: 7/8 (88%)", sympy.Rational(7, 8)),
    ("Accuracy of the network on the 10000 test images: 54 %", sympy.Rational(54, 100)),
    ("Test accuracy: 0.9912", sympy.Rational(9912, 10000)),
])
def test_each_printed_form(tmp_path, line, expected):
    text = (LOGS / "pytorch_mnist_test.txt").read_text().replace(
        "Test set: Average loss: 0.0331, Accuracy: 9890/10000 (99%)", line)
    assert solve(tmp_path, "log.txt", text=text).answers["test.accuracy"] == expected
