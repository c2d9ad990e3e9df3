"""The computational-graph kind: atomic-op graph, forward values, reverse-mode gradients (DI504 Q1).

``build`` turns the parsed function into one node per atomic op (rows of the op table,
``symdl/ops/``); ``derive`` computes every node's exact value and the reverse sweep of
vector-Jacobian products; ``explain`` builds the Solution; ``figures`` the drawing's data.
The independent route (``check``, ``check_mp``) evaluates the parsed function again with
mpmath (or numpy past its budget) and differences it; it imports no derivation module.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import carry, check, sheet
from .build import Graph, Node, build_graph
from .check import FD_BUDGET, FD_FULL, FD_SAMPLE, FD_STEP, _numpy_vjp
from .derive import DISPLAY_LIMIT, DRAW_DEPTH, DRAW_NODES, MAX_DECADES, MAX_EXP_ARGUMENT, backward
from .explain import solve
from .fields import SCHEMA
from .mistakes import mistakes

FIELDS = SCHEMA.names
TOLERANCE = 1e-6
checks_note = ("Independent route: the function as parsed is evaluated again with mpmath at 60 digits "
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
    """Every forward value and gradient by the independent route (see ``check``).

    The float reverse pass is looked up here at call time, so a test may replace it.
    """
    result = check.independent(question, numpy_vjp=_numpy_vjp)
    if question.has("update"):
        from . import check_update
        result.update(check_update.independent(question, build_graph(question), result))
    return result


KIND = Kind(name="graph", schema=SCHEMA, solve=solve, independent=independent,
            tolerance=TOLERANCE, abs_tolerance=0.0, checks_note=checks_note,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry)

__all__ = ["DISPLAY_LIMIT", "DRAW_DEPTH", "DRAW_NODES", "FD_BUDGET", "FD_FULL", "FD_SAMPLE", "FD_STEP", "FIELDS",
           "Graph", "KIND", "MAX_DECADES", "MAX_EXP_ARGUMENT", "Node", "SCHEMA", "TOLERANCE", "backward",
           "build_graph", "checks_note", "independent", "solve"]
