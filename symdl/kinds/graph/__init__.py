"""The computational-graph kind: atomic-op graph, forward values, reverse-mode gradients (DI504 Q1).

``build`` turns the parsed function into one node per atomic op (rows of the op table,
``symdl/ops/``); ``derive`` computes every node's exact value and the reverse sweep of
vector-Jacobian products; ``explain`` builds the Solution; ``figures`` the drawing's data.
The independent route (``check``, ``check_mp``) evaluates the parsed function again with
mpmath (or numpy past its budget) and differences it; it imports no derivation module.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
