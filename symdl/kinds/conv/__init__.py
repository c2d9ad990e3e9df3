"""The conv kind: 2-D convolution (cross-correlation), max and average pooling, and their backward pass.

``fields`` holds the schema (the operation and padding choices declared once) and reads a question
into a :class:`Problem`; ``exact`` does the exact arithmetic (windows, sums, maxima, means,
gradients); ``explain`` builds the Solution from it. The independent route (``check``) recomputes
every answer in float64 by direct numpy loops over the windows and a scatter loop back; it imports
numpy only, never the derivation.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
