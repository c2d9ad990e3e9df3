"""The numformat kind: fp16 and bf16 (limits, rounding, overflow, loss scaling) and int8 affine quantization.

``fields`` reads a question into a ``Problem``; ``formats`` is the exact arithmetic (SymPy
rationals: a float16 value is a binary rational); ``explain`` writes the Solution; ``check`` is
the independent route (bit patterns through struct, mpmath's correctly rounded conversion,
Fraction arithmetic), which imports no derivation module.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import sheet
from .check import independent
from .explain import solve
from .fields import SCHEMA, Problem, read
from .formats import FORMATS, Format, qparams, quantize, round_to

FIELDS = SCHEMA.names
checks_note = ("the limits unpacked from their bit patterns (struct); every rounding by mpmath's correctly "
               "rounded conversion at the format's precision, subnormals and quantization in Python "
               "fractions (round half to even).")

KIND = Kind(name="numformat", schema=SCHEMA, solve=solve, independent=independent, tolerance=1e-12,
            abs_tolerance=0.0, checks_note=checks_note, sheet=sheet.given)

__all__ = ["FIELDS", "FORMATS", "Format", "KIND", "Problem", "SCHEMA", "checks_note", "independent", "qparams",
           "quantize", "read", "round_to", "solve"]
