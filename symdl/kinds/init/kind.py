"""The init kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import check
from .explain import sheet, solve
from .fields import SCHEMA, read
from .mistakes import mistakes

CHECKS_NOTE = ("The fans were recomputed in integers from the weight's shape, the gain from a table of "
               "torch.nn.init.calculate_gain's values, and the standard deviation and bound in float64 "
               "with math.sqrt, apart from the closed forms above.")


def independent(question) -> dict:
    return check.independent(read(question))


HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="init", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent, tolerance=1e-12,
            checks_note=CHECKS_NOTE, sheet=sheet, mistakes=mistakes)
