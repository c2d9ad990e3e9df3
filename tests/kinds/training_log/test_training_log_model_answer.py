"""DI504 Q5's model answer and rubric, against a hand computation from the raw log (its mistakes:
test_training_log_mistakes.py).

The log is re-read here with a split on tabs (8 cells, first cell a number); every expected value
is worked out from those cells with Fractions and math, sharing nothing with the kind.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest

from symdl.solve import solve_question
from symdl.solution import Section, Step, Text, shown
from symdl.input.spec import load_exam
from support import TESTS

SPEC = TESTS / "specs" / "training_log_di504.toml"
LOG = TESTS.parent / "symdl" / "data" / "di504" / "q5-training-log.txt"
B = 32


@pytest.fixture(scope="module")
def di504():
    q = load_exam(SPEC, data_dirs=(TESTS.parent,)).questions[0]
    result = solve_question(q)
    return q, result.solution, result


def rows():
    out = []
    for line in LOG.read_text().splitlines():
        c = line.split("\t")
        if len(c) == 8 and c[0].isdigit():
            out.append((int(c[0]), int(c[1]), Fraction(c[5]), Fraction(c[6]) if c[6] else None))
    return out


def test_same_minibatch_across_epochs_by_hand(di504):
    _, sol, result = di504
    a = sol.answers
    # the last iteration of each epoch (155 e) is logged in all 25 epochs: the same mini-batch (Shuffle 'once')
    ends = [(e, y) for e, i, y, _ in rows() if i == 155 * e]
    assert len(ends) == 25
    assert a["same_batch.position"] == 155
    (e0, y0), (e1, y1) = ends[0], ends[-1]
    assert (y0, y1) == (Fraction("1098.9186"), Fraction("982.9999"))
    by_hand = (982.9999 / 1098.9186) ** (1 / 24) - 1
    assert float(a["same_batch.change_per_epoch"]) == pytest.approx(by_hand, rel=1e-12)
    assert float(a["same_batch.change_per_epoch"]) == pytest.approx(-0.0046339, abs=1e-7)
    assert a["same_batch.falls"] == sum(1 for (_, p), (_, q) in zip(ends, ends[1:]) if q < p) == 24
    # the validation loss at those rows, minus the same mini-batch's loss
    assert a["gap.first"] == Fraction("1231.2419") - Fraction("1098.9186")
    assert a["gap.last"] == Fraction("1104.6479") - Fraction("982.9999")
    assert result.verified


def test_validation_rate_halving_and_forecast_by_hand(di504):
    _, sol, _ = di504
    a = sol.answers
    val = [(i, v) for _, i, _, v in rows() if v is not None]
    (i0, v0), (i1, v1) = val[0], val[-1]
    r = (float(v1) / float(v0)) ** (155 / (i1 - i0)) - 1
    assert float(a["val_loss_change_per_epoch"]) == pytest.approx(r, rel=1e-12)
    assert a["val_loss.falls"] == sum(1 for (_, p), (_, q) in zip(val, val[1:]) if q < p)
    assert float(a["epochs_to_halve_val_loss"]) == pytest.approx(math.log(0.5) / math.log(1 + r), rel=1e-12)
    assert float(a["epochs_to_halve_val_loss"]) == pytest.approx(163.0, abs=0.05)
    seconds_per_epoch = (8 * 3600 + 3 * 60 + 26 - 41) / (3875 - 1) * 155
    assert float(a["hours_to_halve_val_loss"]) == pytest.approx(math.log(0.5) / math.log(1 + r)
                                                                * seconds_per_epoch / 3600, rel=1e-9)
    # the first-order estimate: ten times the rate, ten times the fall (the "4.2 % per epoch")
    assert float(a["forecast.change_per_epoch_10x"]) == pytest.approx(10 * r, rel=1e-12)
    assert round(-100 * float(a["forecast.change_per_epoch_10x"]), 1) == 4.2


def test_part_a_range_is_the_final_answer_not_i_times_b(di504):
    _, sol, _ = di504
    finals = {f.name for f in sol.finals("a")}
    assert finals == {"iterations_per_epoch", "train_set_size.min", "train_set_size.max"}
    assert not sol.meta["train_set_size"].final
    assert sol.meta["train_set_size.min"].unit == sol.meta["train_set_size.max"].unit == "samples"
    # what part b asks (seed exam): is it learning well, is it overfitting, what to change; the
    # validation loss's change per epoch is the evidence, not an answer of its own
    assert {f.name for f in sol.finals("b")} == {"learning", "overfitting", "recommendation"}
    assert not sol.meta["val_loss_change_per_epoch"].final
    # a loss slope per epoch and a relative change are not named alike
    assert sol.meta["val_loss_change_per_epoch"].unit == "relative change per epoch"
    part_a = next(s for s in sol.sections if s.part == "a")
    boxed = [i for i in part_a.items if getattr(i, "boxed", False) and shown(i, "model")]
    assert len(boxed) == 1
    size = boxed[0].parts[1]
    assert (size.lo, size.hi) == (155 * B, 155 * B + B - 1)      # MATLAB: floor(N / 32) = 155


def model_words(sol):
    """Every plain word the model answers show (the model audience's sections and items)."""
    words = []
    for sec in sol.sections:
        if not shown(sec, "model"):
            continue
        words.append(sec.title)
        for item in sec.items:
            if shown(item, "model") and isinstance(item, Text):
                words += [p for p in item.parts if isinstance(p, str)]
            elif shown(item, "model") and isinstance(item, Step):
                words.append(item.text)
    return " ".join(words)


def test_model_answer_speaks_as_an_instructor(di504):
    _, sol, _ = di504
    words = model_words(sol)
    for tool in ("spec field", "slow_rate", "float64", "symdl", "t =", "rise_tolerance"):
        assert tool not in words, tool
    for ascii_math in ("floor(", "<=", "e-7", "x 100", "B - 1", "I*B"):
        assert ascii_math not in words, ascii_math
    assert "same samples in every epoch" in words
    assert "first-order estimate" in words
    # the long analyses are the instructor's
    titles = {s.title: s.audience for s in sol.sections}
    assert titles["Trends in the losses"] == "instructor"
    assert titles["How the verdicts were decided"] == "instructor"
    boxed = [i for s in sol.sections if s.part == "b" for i in s.items if getattr(i, "boxed", False)]
    assert [str(i.parts[0]).split(":")[0] for i in boxed] == ["Learning", "Overfitting", "Change"]


def test_rubric_credits_and_alternatives(di504):
    _, sol, _ = di504
    alternatives = [r.text for r in sol.rubric if r.alternative]
    assert any("schedule" in t for t in alternatives)
    assert any("Adam" in t for t in alternatives)
    assert any("Normalizing the regression targets" in t for t in alternatives)
    criteria = [r for r in sol.rubric if r.slug]
    assert {r.part for r in criteria} == {"a", "b"}
    assert {r.slug for r in criteria} == {"last-batch-rule", "learning-argued", "overfitting-argued", "change", "why"}
    # no invented threshold to grade by (the slow_rate's 2 %); the measured rates (0.42 %) are fine
    assert not any(re.search(r"(?<![\d.])2 %", str(r.text) + r.model) for r in sol.rubric)
    learning = next(r for r in criteria if r.slug == "learning-argued")
    # the validation loss of the log falls from 1228.5365 (epoch 1) to 1163.0098 (epoch 10) and on:
    # the rate per epoch the key fits is -0.0042439..., said as "about 0.42 %"
    assert "about 0.42 % per epoch" in learning.model
    # the change criterion's model sentence is the recommendation's first clause
    change = next(r for r in criteria if r.slug == "change")
    assert change.model.startswith("Raise the learning rate") and "3e-6" in change.model


def test_assumptions_on_the_sheet_are_the_students(di504):
    """The stated assumptions are those a student needs (final iteration, the same batches, B); the t tests'
    caveats belong to the instructor's trend section."""
    _, sol, _ = di504
    text = " ".join(sol.assumptions)
    assert "not reshuffled between epochs" in text and "B = 32" in text and "final iteration" in text
    assert "t test" not in text and "slow_rate" not in text and "spec field" not in text
    trends = next(s for s in sol.sections if s.title == "Trends in the losses")
    assert any("t tests" in "".join(p for p in i.parts if isinstance(p, str)) for i in trends.items
               if hasattr(i, "parts"))


def test_rubric_points_follow_the_parts_points():
    """With part tables (text, points) as the seed gives them (Q5: a 5, b 10), the items share them:
    a: I 2, N_min 1, N_max 1, the last-batch rule 1; b: the two verdicts 1 each, the four criteria 2 each.
    The rate of change of the validation loss is the key's evidence, not asked: no points."""
    from symdl.grading.rubric import items

    q = load_exam(SPEC, data_dirs=(TESTS.parent,)).questions[0]
    q.part_points = {"a": 5, "b": 10}
    q.points = 15
    sol = solve_question(q).solution
    by = {i.column: i.points for i in items(q, sol)}
    qid = q.id
    assert by == {f"{qid}.iterations_per_epoch": 2, f"{qid}.train_set_size.min": 1, f"{qid}.train_set_size.max": 1,
                  f"{qid}.a.last-batch-rule": 1, f"{qid}.learning": 1, f"{qid}.overfitting": 1,
                  f"{qid}.b.learning-argued": 2, f"{qid}.b.overfitting-argued": 2, f"{qid}.b.change": 2,
                  f"{qid}.b.why": 2}
    assert sol.meta["val_loss_change_per_epoch"].points is None
    assert all(r.points is None for r in sol.rubric if r.alternative)
