"""The softmax kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import independent
from .explain import solve
from .fields import SCHEMA
from .mistakes import mistakes

CHECKS_NOTE = ("scores recomputed exactly in fractions; probabilities at 50 digits with mpmath (log-sum-exp "
               "instead of the max shift); the loss as log1p of the other classes' terms; gradients with "
               "respect to the scores, W and B by complex-step derivatives of the loss in mpmath.")

HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="softmax", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent,
            tolerance=1e-6, abs_tolerance=0.0, checks_note=CHECKS_NOTE,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)
