"""The dropout kind: a dropout layer at training time (a given mask, inverted scaling 1/(1-p) or the
original unscaled form) and at evaluation, forward and backward.

``fields`` reads the spec into a :class:`Dropout`; ``explain`` builds the Solution with exact numbers;
``check`` recomputes every answer with numpy in float64, sharing no code with it.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import check
from .explain import sheet, solve
from .mistakes import mistakes
from .fields import SCHEMA, Dropout, read

FIELDS = SCHEMA.names
TOLERANCE = 1e-12
checks_note = ("Every output and gradient was recomputed with numpy in float64 (np.where on the mask, times "
               "1/(1 - p) or (1 - p)), apart from the exact products above.")


def independent(question) -> dict:
    return check.independent(read(question))


KIND = Kind(name="dropout", schema=SCHEMA, solve=solve, independent=independent, tolerance=TOLERANCE,
            checks_note=checks_note, sheet=sheet, mistakes=mistakes)

__all__ = ["FIELDS", "Dropout", "KIND", "SCHEMA", "TOLERANCE", "checks_note", "independent", "read", "solve"]
