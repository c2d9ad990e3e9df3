"""The softmax kind: linear class scores (optionally with a weight-norm term), probabilities, loss and gradients.

``fields`` declares the fields (the regularization, reading and loss choices once) and reads a
question into a ``Problem``; ``derive`` is the exact algebra; ``explain`` writes the Solution
(steps of SymPy objects and the kind's named formulas, printed by ``symdl.notation.printer``);
``figures`` gives the summary table and the bar charts' data; ``check`` is the independent route
(exact scores in fractions, mpmath log-sum-exp, complex-step gradients), which imports no
derivation module.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
