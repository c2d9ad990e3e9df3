"""The training-log kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import independent
from .explain import solve
from .fields import SCHEMA
from .mistakes import mistakes

CHECKS_NOTE = ("The log was re-read by a separate, simpler reader; every number was recomputed in floating "
               "point (np.polyfit for the slopes, a brute-force search over every iterations-per-epoch and "
               "training-set size, the t quantile by solving its distribution function, an integral of a "
               "cosine power, with Newton's method) and every verdict re-decided.")

HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2, sheet.tex.j2
KIND = Kind(name="training_log", template=HERE / "answer.tex.j2", sheet_template=HERE / "sheet.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent,
            tolerance=1e-6, abs_tolerance=0.0, checks_note=CHECKS_NOTE,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)
