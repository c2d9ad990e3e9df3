"""The numformat kind's Kind: its schema, derivation, independent route, tolerance and sheet."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import sheet
from .check import independent
from .explain import solve
from .fields import SCHEMA

CHECKS_NOTE = ("the limits unpacked from their bit patterns (struct); every rounding by mpmath's correctly "
               "rounded conversion at the format's precision, subnormals and quantization in Python "
               "fractions (round half to even).")

HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="numformat", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent, tolerance=1e-12,
            abs_tolerance=0.0, checks_note=CHECKS_NOTE, sheet=sheet.given)
