"""The same mini-batch across epochs (exact): the position within the epoch, its losses, their fall.

Without reshuffling between epochs (MATLAB's default ``Shuffle = 'once'``) the k-th mini-batch
of every epoch holds the same samples, so its loss compared across epochs measures learning;
the losses of different mini-batches scatter far more than they fall. When the data are
reshuffled every epoch (PyTorch ``shuffle=True``, Keras ``fit``), no row repeats a batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import sympy

SHUFFLES = ("once", "never", "every-epoch")
# framework -> what its usual training call does with the order of the samples
DEFAULT_SHUFFLE = {"matlab": "once", "pytorch": "every-epoch", "keras": "every-epoch"}


@dataclass
class SameBatch:
    """The loss of the mini-batch at ``position`` of its epoch, in every epoch that logged it."""

    position: int
    points: list            # (epoch, iteration, loss, validation loss or None), epochs ascending

    @property
    def first(self):
        return self.points[0]

    @property
    def last(self):
        return self.points[-1]

    @property
    def span(self) -> int:
        return self.last[0] - self.first[0]

    @property
    def falls(self) -> int:
        """How many times the loss is lower than at the previous epoch that logged this batch."""
        return sum(1 for a, b in zip(self.points, self.points[1:]) if b[2] < a[2])

    @property
    def steps(self) -> int:
        return len(self.points) - 1


def positions(rows, iterations):
    """position within the epoch -> [(epoch, iteration, loss, val)] for every finite training loss."""
    out = {}
    for r in rows:
        loss = r.values.get("train_loss")
        if r.iteration is None or loss is None or isinstance(loss, float):
            continue
        p = r.iteration - (r.epoch - 1) * iterations
        val = r.values.get("val_loss")
        out.setdefault(p, []).append((r.epoch, r.iteration, loss, None if isinstance(val, float) else val))
    return out


def same_batch(rows, iterations, shuffle):
    """The position logged in the most epochs (ties: the later position), or None when the data are
    reshuffled every epoch or no position repeats."""
    if shuffle == "every-epoch" or not iterations:
        return None
    best = None
    for p, pts in positions(rows, iterations).items():
        epochs = {e for e, *_ in pts}
        if len(epochs) < 2 or len(epochs) != len(pts):
            continue
        key = (len(pts), p)
        if best is None or key > best[0]:
            best = (key, SameBatch(p, sorted(pts)))
    return best[1] if best else None


def compound(first, last, span):
    """(last / first)^(1/span) - 1 as an exact power (unevaluated) and a float."""
    ratio = sympy.Rational(Fraction(last)) / sympy.Rational(Fraction(first))
    span = Fraction(span)
    exponent = sympy.Rational(span.denominator, span.numerator)
    exact = sympy.Integer(0) if ratio == 1 else sympy.Pow(ratio, exponent, evaluate=False) - 1
    return exact, math.exp(math.log(float(last) / float(first)) / float(span)) - 1


def epoch_mean_rate(epochs):
    """The mistake "means of different batches compared": the compound change per epoch of the mean
    of the mini-batch losses logged in the first and in the last epoch (different batches)."""
    full = [e for e in epochs if e.train]
    if len(full) < 2:
        return None
    a, b = full[0], full[-1]
    return compound(a.mean, b.mean, b.number - a.number)
