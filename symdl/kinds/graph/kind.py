"""The graph kind's Kind: its schema, derivation, independent route, tolerance and hooks."""

from __future__ import annotations

from pathlib import Path

from symdl.kinds import Kind

from . import carry, check, check_update, painters, sheet
from .build import build_graph
from .explain import solve
from .fields import SCHEMA
from .mistakes import mistakes

CHECKS_NOTE = ("Independent route: the function as parsed is evaluated again with mpmath at 60 digits "
               "(every node from its own subexpression); the gradient at each input is a central "
               "difference of L = u^T f in high precision, its step scaled to the point and kept well "
               "inside the distance to the nearest kink; an inner node's gradient sums local central "
               "differences of each op; at a tie, the exam's subgradient convention: the mean of the one-sided "
               "differences on the sides it takes (relu at 0 under the PyTorch convention: the left side), "
               "found in one difference with each tied kink on the straight line of that mean slope; past "
               "64 nodes the inputs' gradients come from the same reverse accumulation of local differences. "
               "Graphs too large for that use float64 with numpy's own functions and finite differences, "
               "each value with the bound of its rounding error.")


def independent(question) -> dict:
    """Every forward value and gradient by the independent route (see ``check``; its float reverse pass,
    ``check._numpy_vjp``, is looked up at call time, so a test may replace it)."""
    result = check.independent(question)
    if question.has("update"):
        result.update(check_update.independent(question, build_graph(question), result))
    return result


HERE = Path(__file__).resolve().parent     # the kind's partials: answer.tex.j2
KIND = Kind(name="graph", template=HERE / "answer.tex.j2",
            schema=SCHEMA, solve=solve, independent=independent,
            tolerance=1e-6, abs_tolerance=0.0, checks_note=CHECKS_NOTE,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)
