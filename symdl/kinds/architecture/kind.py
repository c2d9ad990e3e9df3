"""The architecture kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import independent
from .explain import solve
from .fields import SCHEMA
from .mistakes import mistakes

CHECKS_NOTE = ("Every layer's output size was recomputed by passing a zero tensor of the real "
               "spatial size through a numpy sliding-window implementation of the layer, and "
               "every learnable count by counting the elements of the arrays it allocates.")

HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2, sheet.tex.j2
KIND = Kind(name="architecture", template=HERE / "answer.tex.j2", sheet_template=HERE / "sheet.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent,
            tolerance=1e-12, abs_tolerance=0.0, checks_note=CHECKS_NOTE,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)
