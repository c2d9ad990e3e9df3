"""The architecture kind: every layer's activation size and learnables in closed form (DI504 Q4).

A spec lists the layers of a network (``[[question.layer]]`` tables) in one of three
conventions (MATLAB, PyTorch, Keras). ``fields`` reads them; ``derive`` walks the layers,
writing for every windowed layer and spatial axis the output-size formula
``floor((n + p_before + p_after - d(k - 1) - 1)/s) + 1`` symbolically, the numbers substituted
unevaluated and the value by integer arithmetic, then the weights, biases, multiply-accumulates
and activation memory; ``explain`` builds the Solution. The independent route (``check``)
pushes a zero tensor of the real spatial size through a numpy sliding-window implementation
of each layer and counts the elements of the arrays such an implementation allocates.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
