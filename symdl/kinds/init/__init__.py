"""The init kind: the scale of a weight initialisation (Xavier/Glorot and Kaiming/He, uniform and
normal, fan_in/fan_out/fan_avg, the gain of torch.nn.init.calculate_gain) in closed form.

``fields`` reads the spec into an :class:`Init` (exact numbers); ``explain`` builds the Solution;
``check`` recomputes every answer in float64 from the shape alone, sharing no code with it.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
