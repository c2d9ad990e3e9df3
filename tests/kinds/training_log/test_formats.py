"""Console logs of Keras and PyTorch, recognised and read, against the runs' published settings."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from symdl.derive import solve_question
from symdl.spec import load_exam
from support import TESTS

SPECS = TESTS / "specs"
LOGS = TESTS / "data" / "logs"


def solved(name):
    q = load_exam(SPECS / f"training_log_{name}.toml", data_dirs=(TESTS.parent,)).questions[0]
    result = solve_question(q)
    return q, result.solution, result


def test_keras_console_mnist_convnet_is_not_overfitting():
    """keras.io, "Simple MNIST convnet" (fchollet, examples/vision/mnist_convnet.py): 60,000 MNIST
    training images, validation_split=0.1 (54,000 trained on), batch_size=128, so 422 steps per epoch;
    the validation loss falls from 0.0780 to 0.0303 and stays below the training loss throughout."""
    _, sol, result = solved("keras_console")
    a = sol.answers
    assert result.verified
    assert any("Keras console output" in s for s in sol.assumptions)
    assert a["iterations_per_epoch"] == math.ceil(54000 / 128) == 422
    assert a["train_set_size.min"] <= 54000 <= a["train_set_size.max"]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (421 * 128 + 1, 422 * 128)
    rows = re.findall(r"- loss: ([\d.]+) - accuracy: [\d.]+ - val_loss: ([\d.]+)", (LOGS / "keras_mnist_convnet.txt").read_text())
    train, val = np.array(rows, float).T
    assert len(val) == 11 and (val < train).all()           # below the training loss in every epoch
    assert float(a["val_loss_change_total"]) == pytest.approx(0.0303 / 0.0780 - 1, rel=1e-12)
    assert float(a["val_loss_change_per_epoch"]) == pytest.approx((0.0303 / 0.0780) ** (1 / 10) - 1, rel=1e-12)
    assert a["overfitting"] is False and a["gap_growing"] is False
    assert a["learning"] is True
    assert a["gap.last"] < 0 and a["gap.first"] < a["gap.last"]      # below and approaching
    assert "regulariz" not in a["recommendation"].lower()
    assert a["skipped_lines"] == 1          # the interrupted epoch 12's progress line
