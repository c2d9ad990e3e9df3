"""The numformat kind: fp16 and bf16 (limits, rounding, overflow, loss scaling) and int8 affine quantization.

``fields`` reads a question into a ``Problem``; ``formats`` is the exact arithmetic (SymPy
rationals: a float16 value is a binary rational); ``explain`` writes the Solution; ``check`` is
the independent route (bit patterns through struct, mpmath's correctly rounded conversion,
Fraction arithmetic), which imports no derivation module.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
