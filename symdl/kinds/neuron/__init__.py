"""The neuron kind: y = A(W^T x + b), its gradients, a dead/saturated diagnosis and whether it can recover.

``fields`` reads the spec (the activation table, the input domain); ``explain`` builds the
Solution from part a (forward and backward pass, ``diagnosis``) and part b (``recovery``: the
domain's extremes and the exact active fraction from ``derive``); ``figures`` holds the plot's
data. The independent route (``check``, ``volume_check``) reads the same fields and shares no
code with the derivation: exact fractions, mpmath complex steps, a second volume algorithm.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
