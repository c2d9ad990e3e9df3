"""Every Python symdl supports (3.11-3.13): the typing.io shim for antlr4 4.7.2, in and out of process."""

import os
import subprocess
import sys
import sysconfig
import typing
from pathlib import Path

import pytest
import sympy

from support import TESTS
from symdl.pycompat import provide_typing_io

ROOT = TESTS.parent
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

# Python 3.13 as far as typing.io goes: the pseudo-module is gone and typing is not a package.
WITHOUT_TYPING_IO = """
import sys, typing
sys.modules.pop("typing.io", None)
if "io" in vars(typing):
    delattr(typing, "io")
try:
    from typing.io import TextIO
except ModuleNotFoundError:
    pass
else:
    raise SystemExit("the simulation failed: typing.io still importable")
"""

# Parses through latex2sympy2 (antlr4 underneath) and prints what came out.
PARSE = r"""
import sys
from sympy import srepr
from symdl.input.latex import parse_expression, parse_number
assert "antlr4" not in sys.modules, "antlr4 imported before symdl"
print(srepr(parse_expression(r"W^T x").expr))
print(srepr(parse_number(r"\frac{3}{8}")))
print(sys.modules["antlr4.Lexer"].TextIO is __import__("typing").TextIO)
"""


def expected_lines():
    """``W^T x`` as symdl's tree (non-commutative, explicit transpose) and 3/8, built by hand."""
    W, x = sympy.Symbol("W", commutative=False), sympy.Symbol("x", commutative=False)
    transpose = sympy.Function("transpose", commutative=False)
    return [sympy.srepr(sympy.Mul(transpose(W), x)), sympy.srepr(sympy.Rational(3, 8)), "True"]


def run(python, code, *flags, env=None):
    return subprocess.run([str(python), "-B", *flags, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_shim_is_installed_where_typing_io_is_missing(monkeypatch):
    monkeypatch.delitem(sys.modules, "typing.io", raising=False)
    shim = provide_typing_io()
    assert sys.modules["typing.io"] is shim
    assert (shim.IO, shim.TextIO, shim.BinaryIO) == (typing.IO, typing.TextIO, typing.BinaryIO)
    namespace = {}
    exec("from typing.io import TextIO", namespace)
    assert namespace["TextIO"] is typing.TextIO


def test_shim_leaves_an_existing_typing_io_alone(monkeypatch):
    marker = type(sys)("typing.io")
    monkeypatch.setitem(sys.modules, "typing.io", marker)
    assert provide_typing_io() is marker
    assert sys.modules["typing.io"] is marker


def test_parser_works_on_a_python_without_typing_io():
    done = run(sys.executable, WITHOUT_TYPING_IO + PARSE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected_lines()
    assert done.stderr == ""


def test_typing_io_deprecation_warning_never_escapes():
    # 3.11 and 3.12 warn on typing.io attributes; with warnings as errors the import still works.
    done = run(sys.executable, PARSE, "-W", "error::DeprecationWarning")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected_lines()


def pyenv_python(minor):
    found = sorted(PYENV.glob(f"3.{minor}.*/bin/python3"))
    return found[-1] if found else None


def test_parser_on_a_real_python_313():
    """pyenv's 3.13 (no typing.io) reading this venv's pure-Python sympy, latex2sympy2 and antlr4.

    About 7 s (sympy compiled afresh); 3.12 and the whole derive on both run in .ci/run.
    """
    minor = 13
    python = pyenv_python(minor)
    if python is None:
        pytest.skip(f"Python 3.{minor} not installed under {PYENV}")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]]))
    env.pop("PYTHONHOME", None)
    done = run(python, PARSE, "-W", "error::DeprecationWarning", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == expected_lines()
