"""The neuron kind's figures, painted for every document: the activation and its derivative.

``FIGURES`` registers, per figure name a Solution of this kind may hold, the TeX painter (a macro of
symdl/kinds/neuron/answer.tex.j2, called with the Figure) and the SVG painter (a function of the
figure's data, for the HTML key) together, so that no document draws one and misses the other.
"""

from __future__ import annotations

import ast
import math

from symdl.notation.svg import Axes, fmt, legend, num, picture, svg_text


_ALLOWED = {"exp": math.exp, "tanh": math.tanh, "max": max, "min": min, "abs": abs, "ln": math.log,
            "log": math.log, "sqrt": math.sqrt}


def _expression(text: str):
    """A pgfplots expression in x (the kinds' activation table) as a Python function; only numbers,
    x, + - * / ^ and a few named functions are accepted."""
    tree = ast.parse(text.replace("^", "**"), mode="eval")
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Load, ast.operator,
                               ast.unaryop, ast.Call)) or (isinstance(node, ast.Name) and
                                                           (node.id == "x" or node.id in _ALLOWED))
        if not ok or (isinstance(node, ast.Constant) and not isinstance(node.value, (int, float))):
            raise ValueError(f"not a plot expression: {text!r}")
    code = compile(tree, "<plot>", "eval")
    return lambda x: float(eval(code, {"__builtins__": {}}, {**_ALLOWED, "x": x}))   # noqa: S307 (checked above)


def activation(data) -> str:
    """The activation A(z) (solid) and its derivative (dashed), the neuron's z marked."""
    lo, hi = num(data["xmin"]), num(data["xmax"])
    f = _expression(data["f"])
    xs = [lo + (hi - lo) * i / 200 for i in range(201)]
    curve = [(x, f(x)) for x in xs]
    pieces = []
    for piece in data.get("df", []):
        a = lo if piece.get("from") is None else num(piece["from"])
        b = hi if piece.get("to") is None else num(piece["to"])
        g = _expression(piece["expr"])
        pieces.append([(a + (b - a) * i / 50, g(a + (b - a) * i / 50)) for i in range(51)])
    ys = [y for _, y in curve] + [y for pts in pieces for _, y in pts]
    axes = Axes(lo, hi, min(ys), max(ys))
    body = axes.frame("z", data.get("name", "A(z)"))
    body.append(axes.line(curve, "#1f5fa8", width=2))
    for pts in pieces:
        body.append(axes.line(pts, "#b8321f", width=2, dash="6 4"))
    if data.get("z") is not None and data.get("y") is not None:
        z, y = num(data["z"]), num(data["y"])
        body.append(f'<circle cx="{axes.x(z):.1f}" cy="{axes.y(y):.1f}" r="4" fill="#222"/>')
        body.append(svg_text(axes.x(z) + 6, axes.y(y) - 8, f"z = {fmt(z)}", anchor="start"))
    return picture(body + legend([(data.get("name", "A"), "#1f5fa8"), ("derivative", "#b8321f")]),
                label=f"{data.get('name', 'activation')} plot")


# figure name -> (TeX macro of the partial, SVG painter of the figure's data)
FIGURES = {"activation": ("activation", activation)}
