"""The training log's float route carries its rounding bound: a slope that is exactly 0 (a flat
generated log) agrees with polyfit's 1e-17, and a wrong value near it still fails."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy

from symdl.check import hp
from symdl.kinds import training_log as tl
from symdl.kinds.training_log.check import bounded_fit
from symdl.input.spec import Question
from symdl.check.verify import agree, verify
from support import solution_of

SLOPES = ("val_loss_slope_per_epoch", "val_loss_slope_t", "train_loss_slope_per_epoch", "train_loss_slope_t",
          "gap_slope_per_epoch", "gap_slope_t")


def _generated(fields):
    q = Question(id="Q", kind="training_log", text="", fields=fields, file=Path("exam.toml"))
    q.values = tl.KIND.schema.check(q)
    return q


def _settings(seed, fmt, epochs, extra):
    return dict(format=fmt, minibatch=32, generate=dict(behaviour="underfitting", epochs=epochs,
                                                        iterations_per_epoch=4 if fmt == "keras" else 1,
                                                        seed=seed, **extra))


# generated settings whose exact slope came out 0 while polyfit left 1e-17..1e-20 (round 3: exit 1)
FLAT = [_settings(0, "matlab", 5, dict(validation_every=1, verbose_every=1)),
        _settings(28, "keras", 12, {}),
        _settings(98, "pytorch", 8, dict(verbose_every=1)),
        _settings(182, "pytorch", 5, dict(verbose_every=1))]


@pytest.mark.parametrize("fields", FLAT, ids=lambda f: f"{f['format']}-{f['generate']['seed']}")
def test_generated_flat_logs_verify(fields):
    q = _generated(fields)
    sol = solution_of(q)
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, str(c.derived), str(c.independent)) for c in checks if not c.ok]
    zeros = [name for name in SLOPES if name in sol.answers and sol.answers[name] == 0]
    for name in zeros:                                     # teeth: 1e-9 where 0 is right fails
        sol.answers[name] = sympy.Rational(1, 10**9)
        assert [c.name for c in verify(q, sol) if not c.ok] == [name]
        sol.answers[name] = sympy.Integer(0)


def test_an_exactly_flat_line_in_floats():
    """x = 1..5, y = 0.3 0.1 0.2 0.1 0.3: sum (x - 3) y = -0.6 - 0.1 + 0.1 + 0.6 = 0 exactly."""
    x = [1, 2, 3, 4, 5]
    y = [0.3, 0.1, 0.2, 0.1, 0.3]
    assert sum((Fraction(xi) - 3) * Fraction(str(yi)) for xi, yi in zip(x, y)) == 0
    b, t = bounded_fit(x, y)
    assert isinstance(b, hp.Bounded) and abs(b.value) <= b.error < 1e-14
    assert agree(0, b, rtol=1e-6) and agree(0, t, rtol=1e-6)
    assert not agree(sympy.Rational(1, 10**10), b, rtol=1e-6)


def test_the_bound_scales_with_the_data():
    """The same line at 1e-170: the bound shrinks with it, so a 1e-141 slope where the data are
    1e-170 fails, and the true slope (10^-171 per step) agrees."""
    x = np.arange(1.0, 6.0)
    y = 1e-170 * np.array([3.0, 1.0, 2.0, 1.5, 4.0])
    b, _ = bounded_fit(x, y)
    true = sum((Fraction(int(xi)) - 3) * Fraction(v) for xi, v in zip(x, [3, 1, 2, Fraction(3, 2), 4])) / 10
    assert b.error < 1e-180
    assert agree(sympy.Rational(true.numerator, true.denominator) * sympy.Float("1e-170", 30), b, rtol=1e-6)
    assert not agree(sympy.Float("1e-141"), b, rtol=1e-6)


SHORT = ("Epoch\tIteration\tTime Elapsed (hh:mm:ss)\tMini-batch RMSE\tValidation RMSE\tMini-batch Loss\t"
         "Validation Loss\tBase Learning Rate\n"
         + "".join(f"{e}\t{i}\t00:00:0{i}\t1\t{'1' if v else ''}\t{t}\t{'0.5' if v else ''}\t1.0000e-03\n"
                   for e, i, t, v in [(1, 1, "0.1", True), (1, 2, "0.2", False), (1, 3, "0.3", False),
                                      (2, 4, "0.05", False), (2, 5, "0.25", False), (2, 6, "0.3", True)]))


def test_equal_epoch_means_are_no_change_and_not_learning(tmp_path):
    """Epoch means 0.2 and 0.2 exactly (0.1 0.2 0.3 and 0.05 0.25 0.3), which np.mean makes
    0.20000000000000004 and 0.19999999999999998: the change per epoch is 0 (it read -2.2e-16, exit
    1) and the verdict 'the training loss falls' is no (the float route said yes)."""
    from symdl.input.spec import load_exam
    (tmp_path / "short.txt").write_text(SHORT)
    (tmp_path / "short.toml").write_text('[exam]\nid = "s"\ntitle = "t"\n[[question]]\nid = "T"\n'
                                         'kind = "training_log"\nlog = "short.txt"\nformat = "matlab"\n'
                                         'framework = "matlab"\nminibatch = 32\nshuffle = "every-epoch"\n')
    assert np.mean([0.1, 0.2, 0.3]) != np.mean([0.05, 0.25, 0.3])
    q = load_exam(tmp_path / "short.toml").questions[0]
    sol = solution_of(q)
    assert sol.answers["train_loss_mean.change_per_epoch"] == 0 and sol.answers["learning_train"] is False
    checks = verify(q, sol)
    assert all(c.ok for c in checks), [(c.name, str(c.independent)) for c in checks if not c.ok]
    sol.answers["train_loss_mean.change_per_epoch"] = sympy.Rational(-1, 10**9)
    assert [c.name for c in verify(q, sol) if not c.ok] == ["train_loss_mean.change_per_epoch"]
