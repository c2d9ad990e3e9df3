"""The init kind: the scale of a weight initialisation (Xavier/Glorot and Kaiming/He, uniform and
normal, fan_in/fan_out/fan_avg, the gain of torch.nn.init.calculate_gain) in closed form.

``fields`` reads the spec into an :class:`Init` (exact numbers); ``explain`` builds the Solution;
``check`` recomputes every answer in float64 from the shape alone, sharing no code with it.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import check
from .explain import sheet, solve
from .mistakes import mistakes
from .fields import SCHEMA, Init, fans, gain_of, read

FIELDS = SCHEMA.names
TOLERANCE = 1e-12
checks_note = ("The fans were recomputed in integers from the weight's shape, the gain from a table of "
               "torch.nn.init.calculate_gain's values, and the standard deviation and bound in float64 "
               "with math.sqrt, apart from the closed forms above.")


def independent(question) -> dict:
    return check.independent(read(question))


KIND = Kind(name="init", schema=SCHEMA, solve=solve, independent=independent, tolerance=TOLERANCE,
            checks_note=checks_note, sheet=sheet, mistakes=mistakes)

__all__ = ["FIELDS", "Init", "KIND", "SCHEMA", "TOLERANCE", "checks_note", "fans", "gain_of", "independent",
           "read", "solve"]
