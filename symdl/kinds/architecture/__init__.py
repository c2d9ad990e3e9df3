"""The architecture kind: every layer's activation size and learnables in closed form (DI504 Q4).

A spec lists the layers of a network (``[[question.layer]]`` tables) in one of three
conventions (MATLAB, PyTorch, Keras). ``fields`` reads them; ``derive`` walks the layers,
writing for every windowed layer and spatial axis the output-size formula
``floor((n + p_before + p_after - d(k - 1) - 1)/s) + 1`` symbolically, the numbers substituted
unevaluated and the value by integer arithmetic, then the weights, biases, multiply-accumulates
and activation memory; ``explain`` builds the Solution. The independent route (``check``)
pushes a zero tensor of the real spatial size through a numpy sliding-window implementation
of each layer and counts the elements of the arrays such an implementation allocates.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import independent
from .derive import LayerResult, derive_network
from .explain import name_answers, solve
from .mistakes import mistakes
from .fields import (ACTIVATIONS, CONVENTION_NAMES, CONVENTIONS, DISPLAY, SCHEMA, TYPE_ALIASES, LayerSpec,
                     convention_of, parse_layers)
from .shapes import Shape, input_shape, shape_list

FIELDS = SCHEMA.names
TOLERANCE = 1e-12
checks_note = ("Every layer's output size was recomputed by passing a zero tensor of the real "
               "spatial size through a numpy sliding-window implementation of the layer, and "
               "every learnable count by counting the elements of the arrays it allocates.")

KIND = Kind(name="architecture", schema=SCHEMA, solve=solve, independent=independent,
            tolerance=TOLERANCE, abs_tolerance=0.0, checks_note=checks_note,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)

__all__ = ["ACTIVATIONS", "CONVENTIONS", "CONVENTION_NAMES", "DISPLAY", "FIELDS", "KIND", "LayerResult",
           "LayerSpec", "SCHEMA", "Shape", "TOLERANCE", "TYPE_ALIASES", "checks_note", "convention_of",
           "derive_network", "independent", "mistakes", "input_shape", "name_answers", "parse_layers", "shape_list",
           "solve"]
