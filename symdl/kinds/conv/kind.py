"""The conv kind's Kind: one layer's windows or a receptive field, each with its own derivation and route."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import check, receptive, receptive_check, sheet
from .explain import solve as _solve_windows
from .fields import SCHEMA, is_receptive, read, read_receptive
from .mistakes import mistakes as _mistakes

CHECKS_NOTE = ("Every output entry was recomputed in float64 by a direct loop over the windows of the "
               "padded input (numpy); the gradients by a scatter loop that adds each window's upstream "
               "value back onto the kernel and the input (for a max-pool, onto the window's first maximum), "
               "not by the sums shown above. Each float value was compared within the bound of its rounding error, "
               "scaled to the sizes of the terms it summed.")


def solve(question):
    """The Solution: the receptive field through a stack of layers, or one layer's numbers."""
    if is_receptive(question):
        return receptive.solve(question, read_receptive(question))
    return _solve_windows(question)


def independent(question) -> dict:
    """Every answer again, in float64 numpy loops written apart from the derivation (a receptive field:
    by following every unit's taps down to the input)."""
    if is_receptive(question):
        return receptive_check.independent(read_receptive(question))
    return check.independent(read(question))


def mistakes(question, solution) -> dict:
    return {} if is_receptive(question) else _mistakes(question, solution)


def _sheet(question) -> list:
    return receptive.sheet(read_receptive(question)) if is_receptive(question) else sheet.given(question)


HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="conv", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent, tolerance=1e-9,
            abs_tolerance=0.0, checks_note=CHECKS_NOTE, sheet=_sheet, mistakes=mistakes)
