"""Display objects (symdl.notation.display) as the printer writes them, against hand-written LaTeX."""

from __future__ import annotations

import copy
import pickle

import sympy

from symdl.notation.display import CeilOf, FloorOf, MaxOf, Percent, Quantity
from symdl.kinds.architecture.notation import Dims, Lines
from symdl.notation.printer import substitute, tex
from symdl.solution import Text


def test_quantity_subscripts_are_upright_and_escaped():
    assert tex(Quantity("H", "in")) == r"H_{\mathrm{in}}"
    assert tex(Quantity("MACs", "total")) == r"\mathrm{MACs}_{\mathrm{total}}"
    assert tex(Quantity("out")) == r"\mathrm{out}"
    assert tex(Quantity("N", "conv1_1")) == r"N_{\mathrm{conv1\_1}}"
    assert tex(Quantity("H", "out").tilde()) == r"\tilde{H}_{\mathrm{out}}"
    # a quantity is a symbol: substitution replaces it like any other
    h = Quantity("H", "in")
    assert tex(substitute(sympy.Add(h, 1, evaluate=False), {h: sympy.Integer(7)})) in ("7 + 1", "1 + 7")
    assert Quantity("H", "in") == Quantity("H", "in") and Quantity("H", "in") != sympy.Symbol("H_in")
    tilde = Quantity("H", "out").tilde()
    assert pickle.loads(pickle.dumps(tilde)) == tilde and copy.deepcopy(tilde) == tilde
    assert tex(pickle.loads(pickle.dumps(tilde))) == r"\tilde{H}_{\mathrm{out}}"


def test_unevaluated_floor_ceil_max():
    x = sympy.Symbol("x")
    with sympy.evaluate(False):
        floor_of = FloorOf(sympy.Mul(sympy.Integer(7), sympy.Pow(sympy.Integer(2), -1)))
    assert tex(floor_of) == r"\left\lfloor \frac{7}{2} \right\rfloor"     # 7/2 not folded to 3
    assert tex(CeilOf(x)) == r"\left\lceil x \right\rceil"
    assert tex(MaxOf(x, sympy.Integer(0))) == r"\max\left(x, 0\right)"


def test_dims_percent_lines():
    assert tex(Dims(3001, 33, 1)) == r"3001 \times 33 \times 1"
    assert tex(Dims()) == r"\text{none}"
    assert tex(Percent(sympy.Rational(100, 3), approx=True)) == r"\approx 33.3\,\%"    # 33.33... to 3 digits
    assert tex(Percent(100)) == r"100\,\%"
    cell = Lines("stride: [1 1]", Text("size: ", Dims(3, 3)), "a_b & 50%")
    assert tex(cell) == (r"\begin{array}{l}\text{stride: [1 1]} \\ \text{size: } 3 \times 3"
                         r" \\ \text{a\_b \& 50\%}\end{array}")
    assert len(cell) == 3


def test_the_printer_never_imports_display():
    """display.py builds on the printer; the printer never imports it nor any kind (every display object
    prints itself through ``_symdl_latex``): no import cycle, and no import inside a function of notation/."""
    import ast
    from pathlib import Path

    import symdl.notation

    root = Path(symdl.notation.__file__).parent
    imported = set()
    for node in ast.walk(ast.parse((root / "printer.py").read_text())):
        if isinstance(node, ast.ImportFrom):
            imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert not {m for m in imported if m and (m.startswith("symdl.notation.display") or m.startswith("symdl.kinds"))}
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"{path.name}: {func.name} imports inside a function"
    # nothing is attached to the printer from outside: no _print_ method for a display object
    from symdl.notation import display
    from symdl.notation.printer import SymdlPrinter
    shared = [name for name, obj in vars(display).items()
              if isinstance(obj, type) and obj.__module__ == display.__name__ and "_symdl_latex" in vars(obj)]
    assert len(shared) >= 13, shared
    assert not [name for name in shared if hasattr(SymdlPrinter, "_print_" + name)]
