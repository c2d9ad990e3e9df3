"""The problem kinds: kind name -> solver module (``solve``, ``independent``, ``FIELDS``).

A kind module provides:

- ``FIELDS``: the set of spec fields it accepts (besides the common ones);
- ``solve(question) -> Solution``: the symbolic derivation, every step shown;
- ``independent(question) -> dict``: every numeric/bool answer recomputed by another route
  (floats, finite differences, a sliding-window pass), never from the Solution;
- optionally ``TOLERANCE`` (relative, default 1e-6) and ``checks_note`` (one sentence saying
  how the independent route works, printed on the sheet).

Its template partial is ``templates/kinds/<kind>.tex.j2``.
"""

import importlib

KINDS = {
    "graph": "symdl.kinds.graph",
    "neuron": "symdl.kinds.neuron",
    "softmax": "symdl.kinds.softmax",
    "architecture": "symdl.kinds.architecture",
    "training_log": "symdl.kinds.training_log",
    "conv": "symdl.kinds.conv",
}


def solver(kind):
    """The module implementing ``kind``."""
    return importlib.import_module(KINDS[kind])
