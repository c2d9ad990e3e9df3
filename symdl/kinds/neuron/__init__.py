"""The neuron kind: y = A(W^T x + b), its gradients, a dead/saturated diagnosis and whether it can recover.

``fields`` reads the spec (the activation table, the input domain); ``explain`` builds the
Solution from part a (forward and backward pass, ``diagnosis``) and part b (``recovery``: the
domain's extremes and the exact active fraction from ``derive``); ``figures`` holds the plot's
data. The independent route (``check``, ``volume_check``) reads the same fields and shares no
code with the derivation: exact fractions, mpmath complex steps, a second volume algorithm.
"""

from __future__ import annotations

from symdl.notation.display import display_tex, num, product, sum_tex, vector_tex
from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import float_below, float_cdf, fourier_below, independent
from .derive import cube_below, saturation_z
from .explain import solve
from .mistakes import mistakes
from .notation import linear_tex
from .fields import ACTIVATION_NAMES, ACTIVATIONS, SCHEMA, Activation, Neuron, read, read_domain

FIELDS = SCHEMA.names
TOLERANCE = 1e-6
checks_note = ("z recomputed as an exact sum of fractions; y, dy/dz and every gradient of L = (dL/dy) y "
               "at 50 digits with mpmath, by complex-step derivatives of the forward pass (exact one-sided "
               "difference quotients for the piecewise-linear ReLUs); the active fraction by a second "
               "algorithm (the distribution of W^T x + b as repeated convolutions of piecewise "
               "polynomials in exact fractions for up to 8 inputs, else by inverting its characteristic "
               "function in floats); z_sat by bisection at 50 digits; the domain extremes by searching "
               "the box's vertices; an optimizer step again entry by entry from these gradients (Fractions, or "
               "mpmath for Adam's square root).")

KIND = Kind(name="neuron", schema=SCHEMA, solve=solve, independent=independent,
            tolerance=TOLERANCE, abs_tolerance=0.0, checks_note=checks_note,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)

__all__ = ["ACTIVATIONS", "ACTIVATION_NAMES", "Activation", "FIELDS", "KIND", "Neuron", "SCHEMA", "TOLERANCE",
           "checks_note", "cube_below", "display_tex", "float_below", "float_cdf", "fourier_below", "independent",
           "linear_tex", "num", "product", "read", "read_domain", "saturation_z", "solve", "sum_tex",
           "vector_tex"]
