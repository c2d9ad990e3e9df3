"""The mistakes students make with a neuron: the forward and backward pass run again with one thing done wrong.

Each mistake re-runs the kind's own rules (z = W^T x + b, the activation and its derivative from the
op table, the chain rule) with one change, and reports the answers it changes, under one name:

- **bias-forgotten**: z computed without b (and everything after it);
- **relu-derivative-taken-as-1** (a ReLU or leaky ReLU): the slope 1 taken where z <= 0, as if the
  unit were active; for another activation, **activation-derivative-forgotten**: the chain rule
  through the activation without its derivative (dy/dz taken as 1).

Only the answers the exam asks (final answers, or those the kind marks graded) carry mistakes.
"""

from __future__ import annotations

import sympy as sp

from symdl.grading.mistake_rows import asked_names
from symdl.solution import Mistake

from .fields import read


def passes(n, *, bias=True, dA=None):
    """z, y, dy/dz and the gradients of the neuron ``n``, exact; ``bias=False`` drops b, ``dA`` replaces
    the activation's derivative."""
    z = (n.W.T * n.x)[0] + (n.b if bias else 0)
    y = n.A(z)
    dydz = (dA or n.dA)(z)
    gz = n.upstream * dydz
    return {"z": z, "y": y, "dy_dz": dydz, "grad.z": gz, "grad.W": n.x * gz, "grad.b": gz, "grad.x": n.W * gz}


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for this neuron; a mistake that changes nothing is left to the pipeline to drop."""
    n = read(question)
    asked = set(asked_names(solution))
    found = {}

    def add(name, why, wrong):
        for key, value in wrong.items():
            if key in asked and value != solution.answers[key]:
                found.setdefault(key, []).append(Mistake(name, value, why))

    add("bias-forgotten", "you computed the pre-activation z without the bias b", passes(n, bias=False))
    one = sp.Integer(1)
    if n.activation.name in ("relu", "leaky_relu"):
        add("relu-derivative-taken-as-1", "you took the ReLU's derivative as 1 although z is not positive "
            "(the unit is inactive there, its derivative is "
            + ("0" if n.activation.name == "relu" else "the leaky slope") + ")",
            passes(n, dA=lambda z: one if sp.sign(z) <= 0 else n.dA(z)))
    else:
        add("activation-derivative-forgotten", "you went back through the activation without multiplying by "
            "its derivative dy/dz", passes(n, dA=lambda z: one))
    return found
