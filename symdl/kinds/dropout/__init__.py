"""The dropout kind: a dropout layer at training time (a given mask, inverted scaling 1/(1-p) or the
original unscaled form) and at evaluation, forward and backward.

``fields`` reads the spec into a :class:`Dropout`; ``explain`` builds the Solution with exact numbers;
``check`` recomputes every answer with numpy in float64, sharing no code with it.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
