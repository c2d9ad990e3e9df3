"""The conv kind: 2-D convolution (cross-correlation), max and average pooling, and their backward pass.

``fields`` holds the schema (the operation and padding choices declared once) and reads a question
into a :class:`Problem`; ``exact`` does the exact arithmetic (windows, sums, maxima, means,
gradients); ``explain`` builds the Solution from it. The independent route (``check``) recomputes
every answer in float64 by direct numpy loops over the windows and a scatter loop back; it imports
numpy only, never the derivation.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import check, receptive, receptive_check, sheet
from .explain import solve as _solve_windows
from .fields import OPERATIONS, PADDING_MODES, SCHEMA, Problem, is_receptive, out_side, read, read_receptive
from .mistakes import mistakes as _mistakes

FIELDS = SCHEMA.names
TOLERANCE = 1e-9
checks_note = ("Every output entry was recomputed in float64 by a direct loop over the windows of the "
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


KIND = Kind(name="conv", schema=SCHEMA, solve=solve, independent=independent, tolerance=TOLERANCE,
            abs_tolerance=0.0, checks_note=checks_note,
            sheet=_sheet, mistakes=mistakes)

__all__ = ["FIELDS", "KIND", "OPERATIONS", "PADDING_MODES", "Problem", "SCHEMA", "TOLERANCE", "checks_note",
           "independent", "mistakes", "out_side", "read", "solve"]
