"""The neuron kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import independent
from .explain import solve
from .fields import SCHEMA
from .mistakes import mistakes

CHECKS_NOTE = ("z recomputed as an exact sum of fractions; y, dy/dz and every gradient of L = (dL/dy) y "
               "at 50 digits with mpmath, by complex-step derivatives of the forward pass (exact one-sided "
               "difference quotients for the piecewise-linear ReLUs); the active fraction by a second "
               "algorithm (the distribution of W^T x + b as repeated convolutions of piecewise "
               "polynomials in exact fractions for up to 8 inputs, else by inverting its characteristic "
               "function in floats); z_sat by bisection at 50 digits; the domain extremes by searching "
               "the box's vertices; an optimizer step again entry by entry from these gradients (Fractions, or "
               "mpmath for Adam's square root).")

HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="neuron", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent,
            tolerance=1e-6, abs_tolerance=0.0, checks_note=CHECKS_NOTE,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)
