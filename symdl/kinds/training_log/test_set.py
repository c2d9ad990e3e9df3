"""The test set a training script evaluates after training, read from the lines it prints, apart from the
validation figures of the epochs:

* ``Test set: Average loss: 0.0331, Accuracy: 9890/10000 (99%)`` (PyTorch's MNIST example): the counts;
* ``Accuracy of the model on the 10000 test images: 82 %`` (the PyTorch tutorials): a percentage of a count;
* Keras's ``model.evaluate`` progress line after the last epoch (``313/313 [====] - 1s - loss: 0.0262 -
  accuracy: 0.9912``, no ``Epoch`` header before it) and ``Test loss: 0.0262`` / ``Test accuracy: 0.9912``
  prints. The last line of each kind counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import sympy

from symdl.solution import Step, Text

from .numbers import sym

NUM = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
COUNTS = re.compile(r"Test set:(?:.*?Average loss:\s*" + NUM + r")?.*?Accuracy:\s*(\d+)\s*/\s*(\d+)", re.I)
PERCENT_OF = re.compile(r"Accuracy of the \w+ on the (\d+) test images:\s*" + NUM + r"\s*%", re.I)
PRINTED = re.compile(r"^\s*Test (loss|accuracy)\s*[:=]?\s*" + NUM + r"\s*$", re.I)
EPOCH = re.compile(r"^\s*Epoch\s+\d+\s*/\s*\d+\s*$")
BAR_END = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\b.*\bloss:\s*" + NUM)
ACC = re.compile(r"\baccuracy:\s*" + NUM)


@dataclass
class TestSet:
    loss: Fraction | None = None
    accuracy: Fraction | None = None         # a fraction of 1
    correct: int | None = None
    total: int | None = None
    source: str = ""                         # how it was printed (words for the key)


def _keras_evaluate(lines):
    """(loss, accuracy) of a complete progress line after an epoch's end, before any new 'Epoch' header."""
    found, ended = None, False
    for line in lines:
        if EPOCH.match(line):
            ended = False
            continue
        bar = BAR_END.match(line)
        if bar and bar.group(1) == bar.group(2) and "ETA" not in line:
            if ended:
                acc = ACC.search(line)
                found = (Fraction(bar.group(3)), Fraction(acc.group(1)) if acc else None)
            ended = True
    return found


def read(text) -> TestSet | None:
    """The test-set figures the log prints, or None."""
    lines = text.splitlines()
    out = TestSet()
    for line in lines:
        m = COUNTS.search(line)
        if m:
            out = TestSet(Fraction(m.group(1)) if m.group(1) else None, Fraction(int(m.group(2)), int(m.group(3))),
                          int(m.group(2)), int(m.group(3)), "counts")
        m = PERCENT_OF.search(line)
        if m:
            total, share = int(m.group(1)), Fraction(m.group(2)) / 100
            correct = share * total
            out = TestSet(None, share, int(correct) if correct.denominator == 1 else None, total, "percent")
    evaluated = _keras_evaluate(lines)
    if evaluated:
        out.loss, out.accuracy, out.source = evaluated[0], evaluated[1], "evaluate"
    for line in lines:
        m = PRINTED.match(line)
        if m:
            setattr(out, m.group(1).lower(), Fraction(m.group(2)))
            out.source = out.source or "printed"
    return out if out.source else None


def _last_validation(log):
    """(loss, metric) of the last row that has a validation loss, or None."""
    rows = [r for r in log.rows if r.values.get("val_loss") is not None]
    return (rows[-1].values["val_loss"], rows[-1].values.get("val_metric")) if rows else None


def test_section(sol, text, final, log=None):
    """The test-set answers, apart from the validation: accuracy from the counts, errors, loss."""
    t = read(text)
    if t is None:
        return
    sec = sol.section("The test set", part="a")
    sec.add(Text("After training the script evaluates the model once on the test set, data used neither to "
                 "fit the weights nor, as the validation data were, to choose the settings between epochs: "
                 "these figures are reported apart from the validation figures."))
    if t.source == "counts":
        C, T = sym("C"), sym("T")
        sec.add(Step("Test accuracy from the printed counts (correct over total):", lhs=sym("a_{test}"),
                     formula=C / T, substituted=sympy.Mul(sympy.UnevaluatedExpr(t.correct),
                                                        sympy.Pow(sympy.UnevaluatedExpr(t.total), -1), evaluate=False),
                     result=sympy.Rational(t.accuracy)))
    elif t.source == "percent":
        sec.add(Text(f"The log prints the accuracy as a percentage of the {t.total} test images; taken as exact:"),
                Step("", lhs=sym("a_{test}"), result=sympy.Rational(t.accuracy)))
        if t.correct is not None:
            sec.add(Step("Correctly classified images:", lhs=sym("C"), formula=sym("a_{test}") * sym("T"),
                         substituted=sympy.Mul(sympy.UnevaluatedExpr(sympy.Rational(t.accuracy)),
                                               sympy.UnevaluatedExpr(t.total), evaluate=False),
                         result=sympy.Integer(t.correct)))
    elif t.accuracy is not None:
        sec.add(Text("model.evaluate() (or the script's own print) after training gives the test accuracy ",
                     sympy.Rational(t.accuracy), "."))
    if t.accuracy is not None:
        sol.answer("test.accuracy", sympy.Rational(t.accuracy), part="a", label="test accuracy", final=final)
    if t.correct is not None and t.total is not None:
        sol.answer("test.correct", sympy.Integer(t.correct), part="a", label="test samples classified correctly")
        sol.answer("test.total", sympy.Integer(t.total), part="a", label="test samples")
        sec.add(Step("Misclassified test samples:", lhs=sym("T - C"),
                     result=sympy.Integer(t.total - t.correct)))
        sol.answer("test.errors", sympy.Integer(t.total - t.correct), part="a", label="test samples misclassified",
                   final=final)
    if t.loss is not None:
        sec.add(Text("The test loss, as printed: ", sympy.Rational(t.loss), "."))
        sol.answer("test.loss", sympy.Rational(t.loss), part="a", label="test loss", final=final)
    last = _last_validation(log) if log is not None else None
    if last is not None and isinstance(last[0], Fraction):
        metric = last[1] if isinstance(last[1], Fraction) else None
        sec.add(Text("The last epoch's validation figures are another measurement, on the validation data: loss ",
                     sympy.Rational(last[0]), *((", accuracy ", sympy.Rational(metric)) if metric is not None else ()),
                     ". The test figures are the ones to report as the model's performance on unseen data."))
