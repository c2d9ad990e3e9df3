"""The neuron kind's common mistakes: the forward and backward pass run again with one thing done wrong.

Each mistake re-runs the kind's own rules (z = W^T x + b, the activation and its derivative from the
op table, the chain rule) with one change, and reports the answers it changes.
"""

from __future__ import annotations

import sympy as sp

from symdl.solution import Mistake

from .fields import read


def passes(n, *, bias=True, dA=None, activation=True):
    """z, y, dy/dz and the gradients of the neuron ``n``, exact; ``bias=False`` drops b, ``dA`` replaces
    the activation's derivative, ``activation=False`` takes y = z (the activation left out)."""
    z = (n.W.T * n.x)[0] + (n.b if bias else 0)
    y = n.A(z) if activation else z
    dydz = (dA or n.dA)(z) if activation else sp.Integer(1)
    gz = n.upstream * dydz
    return {"z": z, "y": y, "dy_dz": dydz, "grad.z": gz, "grad.W": n.x * gz, "grad.b": gz, "grad.x": n.W * gz}


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for this neuron; a mistake that changes nothing is left to the pipeline to drop."""
    n = read(question)
    found = {}

    def add(name, why, wrong, only=None):
        for key, value in wrong.items():
            if key in solution.answers and (only is None or key in only) and value != solution.answers[key]:
                found.setdefault(key, []).append(Mistake(name, value, why))

    add("the bias forgotten", "the pre-activation computed without the bias", passes(n, bias=False))
    relu_like = n.activation.name in ("relu", "leaky_relu")
    add("the activation left out", "the output taken as the pre-activation itself, as if there were no activation",
        passes(n, activation=False), only=("y",) if relu_like else None)
    if relu_like:
        slope = n.slope if n.slope is not None else sp.Integer(0)
        # the kink's other side: 1 at z = 0 (the right-hand slope), the question's convention otherwise
        add("relu'(0) = 1", "the right-hand slope 1 taken at the kink",
            passes(n, dA=lambda z: sp.Integer(1) if z == 0 else n.dA(z)))
        if slope == 0:
            add("the ReLU's derivative taken as 1", "the chain rule through the ReLU with slope 1 whatever the sign of the pre-activation",
                passes(n, dA=lambda z: sp.Integer(1)))
    add("W and x swapped in the gradients", "the weights and the inputs swapped in the two gradients",
        {"grad.W": n.W * passes(n)["grad.z"], "grad.x": n.x * passes(n)["grad.z"]})
    return found
