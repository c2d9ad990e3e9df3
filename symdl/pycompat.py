"""Python-version shims for pinned dependencies: ``typing.io`` for latex2sympy2's antlr4 4.7.2 runtime."""

from __future__ import annotations

import sys
import types
import typing
import warnings


def provide_typing_io():
    """Put a ``typing.io`` module (IO, TextIO, BinaryIO) in ``sys.modules`` where Python lacks it.

    antlr4-python3-runtime 4.7.2, which latex2sympy2 1.9.1 pins, does ``from typing.io import
    TextIO``; Python 3.13 removed ``typing.io`` (deprecated since 3.8). Where the interpreter
    still registers it (3.11, 3.12) it is left alone. Returns the module in use.
    """
    existing = sys.modules.get("typing.io")
    if existing is not None:
        return existing
    shim = types.ModuleType("typing.io", "Wrapper namespace for IO generic classes (symdl shim).")
    shim.IO, shim.TextIO, shim.BinaryIO = typing.IO, typing.TextIO, typing.BinaryIO
    shim.__all__ = ["IO", "TextIO", "BinaryIO"]
    sys.modules["typing.io"] = shim
    return shim


def import_latex2sympy2():
    """Import latex2sympy2 (and through it antlr4) on any supported Python; returns the module.

    The shim goes in before antlr4 is first imported; Python 3.12's DeprecationWarning for
    ``typing.io`` is silenced for this import only, so it never reaches the user's stderr.
    """
    module = sys.modules.get("latex2sympy2")
    if module is not None:
        return module
    provide_typing_io()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=r".*typing\.io")
        import latex2sympy2
    return latex2sympy2
