"""The softmax kind: linear class scores (optionally with a weight-norm term), probabilities, loss and gradients.

``fields`` declares the fields (the regularization, reading and loss choices once) and reads a
question into a ``Problem``; ``derive`` is the exact algebra; ``explain`` writes the Solution
(steps of SymPy objects and the kind's named formulas, printed by ``symdl.notation.printer``);
``figures`` gives the summary table and the bar charts' data; ``check`` is the independent route
(exact scores in fractions, mpmath log-sum-exp, complex-step gradients), which imports no
derivation module.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import carry, painters, sheet
from .check import independent
from .derive import MAX_SCORE, reg_derivative, reg_terms
from .explain import solve
from .mistakes import mistakes
from .fields import CASE_KEYS, LOSS_TITLES, LOSSES, READINGS, REGULARIZATIONS, SCHEMA, Case, Problem, read

FIELDS = SCHEMA.names
TOLERANCE = 1e-6
checks_note = ("scores recomputed exactly in fractions; probabilities at 50 digits with mpmath (log-sum-exp "
               "instead of the max shift); the loss as log1p of the other classes' terms; gradients with "
               "respect to the scores, W and B by complex-step derivatives of the loss in mpmath.")

KIND = Kind(name="softmax", schema=SCHEMA, solve=solve, independent=independent,
            tolerance=TOLERANCE, abs_tolerance=0.0, checks_note=checks_note,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)

__all__ = ["CASE_KEYS", "Case", "FIELDS", "KIND", "LOSSES", "LOSS_TITLES", "MAX_SCORE", "Problem", "READINGS",
           "REGULARIZATIONS", "SCHEMA", "TOLERANCE", "checks_note", "independent", "read", "reg_derivative",
           "reg_terms", "solve"]
