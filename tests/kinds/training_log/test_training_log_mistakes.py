"""The training-log kind's mistakes, against hand computations from the raw logs (read here with a
split on tabs or commas, sharing nothing with the kind)."""

from __future__ import annotations

import csv
from fractions import Fraction

import pytest

from symdl.solve import solve_question
from symdl.input.spec import load_exam
from support import TESTS

LOG = TESTS.parent / "symdl" / "data" / "di504" / "q5-training-log.txt"
B = 32


def graded(spec):
    q = load_exam(spec, data_dirs=(TESTS.parent, TESTS)).questions[0]
    sol = solve_question(q).solution
    return sol, {a: {m.name: m.value for m in meta.mistakes} for a, meta in sol.meta.items() if meta.mistakes}


@pytest.fixture(scope="module")
def di504():
    return graded(TESTS / "specs" / "training_log_di504.toml")


def rows():
    """(epoch, iteration, mini-batch loss, validation loss or None, base learning rate) of the DI504 log."""
    out = []
    for line in LOG.read_text().splitlines():
        c = line.split("\t")
        if len(c) == 8 and c[0].isdigit():
            out.append((int(c[0]), int(c[1]), Fraction(c[5]), Fraction(c[6]) if c[6] else None, float(c[7])))
    return out


def test_di504_sizes(di504):
    _, m = di504
    # off by one: validation rows at iterations 1 and 155, 154 apart, taken as one epoch
    vals = [i for _, i, _, v, _ in rows() if v is not None]
    assert vals[1] - vals[0] == 154
    assert m["iterations_per_epoch"]["iterations-per-epoch-off-by-one"] == 154
    assert m["train_set_size.min"]["iterations-per-epoch-off-by-one"] == 154 * B
    assert m["train_set_size.max"]["iterations-per-epoch-off-by-one"] == 154 * B + B - 1
    # MATLAB drops the last partial mini-batch; counted: ceil(N / 32) = 155 for 154 * 32 + 1 .. 155 * 32
    assert m["train_set_size.min"]["last-batch-rule-flipped"] == 154 * B + 1
    assert m["train_set_size.max"]["last-batch-rule-flipped"] == 155 * B


def test_di504_verdicts(di504):
    sol, m = di504
    log = rows()
    # the validation loss lies above the mini-batch losses at the end: read as overfitting
    last_epoch = [y for e, _, y, _, _ in log if e == 25]
    last_val = [v for *_, v, _ in log if v is not None][-1]
    assert last_val > sum(last_epoch) / len(last_epoch)
    assert sol.answers["overfitting"] is False
    assert m["overfitting"]["overfitting-from-val-above-train"] is True
    assert m["recommendation"]["overfitting-from-val-above-train"].startswith("Regularize")
    # the mini-batch losses jump (1106.7 at iteration 1, 1392.1 at 50): read as steps that overshoot
    assert log[1][2] > log[0][2]
    lr = log[-1][4]
    lowered = m["recommendation"]["learning-rate-lowered"]
    assert (lr, lr / 10) == (3e-7, 3e-8)
    assert lowered.startswith("Lower the learning rate") and "from 3e-7 to 3e-8" in lowered
    # the epoch means compared (different mini-batches): the last epoch's is lower, so "learning: yes",
    # the right verdict: no mistake; and no number the exam does not ask carries one
    first = [y for e, _, y, _, _ in log if e == 1]
    assert sum(last_epoch) / len(last_epoch) < sum(first) / len(first) and sol.answers["learning"] is True
    assert "learning" not in m
    assert all(sol.meta[a].final for a in m)
    assert {n for v in m.values() for n in v} == {
        "iterations-per-epoch-off-by-one", "last-batch-rule-flipped", "overfitting-from-val-above-train",
        "learning-rate-lowered"}


def test_keras_log_overfitting_from_val_above_train():
    """tests/data/logs/keras_log.csv: the validation loss lies above the training loss in every epoch and
    falls throughout; a student reading val > train as overfitting says yes and regularizes."""
    sol, m = graded(TESTS / "specs" / "training_log_keras.toml")
    with open(TESTS / "data" / "logs" / "keras_log.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert all(float(r["val_loss"]) > float(r["loss"]) for r in table)
    assert float(table[-1]["val_loss"]) == min(float(r["val_loss"]) for r in table)
    assert sol.answers["overfitting"] is False
    assert m["overfitting"]["overfitting-from-val-above-train"] is True
    assert m["recommendation"]["overfitting-from-val-above-train"].startswith("Regularize")
