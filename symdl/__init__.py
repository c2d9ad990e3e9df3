"""symdl: a symbolic derivation engine for deep-learning exams."""

__version__ = "0.1.0"
