"""The training-log kind: iterations per epoch, training-set size, trends and verdicts read from a log.

``fields`` declares the spec's fields (the schema) and reads the log with the reader of its
format (``matlab``, ``csv``; the cells are parsed exactly, into Fractions, by ``cells``);
``analysis`` finds the iterations per epoch and the epochs' means and gaps, ``stats`` the
least-squares lines and t statistics; ``explain``, ``trends`` and ``verdicts`` build the
Solution, ``figures`` the plots' data. The independent route (``check``) re-reads the log
with its own simpler reader and recomputes everything in floats with numpy.

``kind`` declares ``KIND``, the one name this package exposes (the Kind the registry finds); code
that needs an internal imports the module that defines it.
"""

from .kind import KIND

__all__ = ["KIND"]
