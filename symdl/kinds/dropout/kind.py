"""The dropout kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import check
from .explain import sheet, solve
from .fields import SCHEMA, read
from .mistakes import mistakes

CHECKS_NOTE = ("Every output and gradient was recomputed with numpy in float64 (np.where on the mask, times "
               "1/(1 - p) or (1 - p)), apart from the exact products above.")


def independent(question) -> dict:
    return check.independent(read(question))


HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="dropout", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent, tolerance=1e-12,
            checks_note=CHECKS_NOTE, sheet=sheet, mistakes=mistakes)
