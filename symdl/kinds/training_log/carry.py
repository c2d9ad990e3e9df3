"""Error carried forward for the training-log kind: the training-set size (its range) from a
student's iterations per epoch and the spec's mini-batch size (``analysis.size_range``)."""

from __future__ import annotations

import sympy

from .analysis import size_range
from .reading import setup


def carry(question, solution, given: dict) -> dict:
    """{answer: value recomputed from the student's iterations per epoch} for every dependent answer."""
    if "iterations_per_epoch" not in given:
        return {}
    st = setup(question)
    iterations = int(given["iterations_per_epoch"])
    low, high = size_range(iterations, st.batch, st.rounding)
    out = {"train_set_size": sympy.Integer(iterations * st.batch),
           "train_set_size.min": sympy.Integer(low), "train_set_size.max": sympy.Integer(high)}
    return {name: value for name, value in out.items() if name in solution.meta}
