"""Figures of the HTML answer key drawn as inline SVG (no JavaScript, no network): one function per
figure name the kinds emit (graph, activation, bars, curves, gap), reading only the figure's data.

Every piece of text goes through markupsafe's escape; numbers are formatted here. A figure whose
name has no drawing returns an empty string (the page then shows its caption alone).
"""

from __future__ import annotations

import ast
import math
import re

from markupsafe import Markup, escape

from symdl import printer

W, H = 640, 320                 # a plot's viewBox
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 62
COLORS = {"batch": "#9bb7d4", "mean": "#1f5fa8", "val": "#b8321f", "validation": "#b8321f", "gap": "#1f5fa8",
          "fit": "#b8321f", "train": "#1f5fa8"}
PALETTE = ("#1f5fa8", "#b8321f", "#2e7d32", "#8e44ad", "#d35400", "#555555")
_TEX_WORDS = {r"\cdot": "·", r"\times": "×", r"\exp": "exp", r"\max": "max", r"\min": "min", r"\log": "log",
              r"\ln": "ln", r"\sigma": "σ", r"\tanh": "tanh", r"\sum": "Σ", r"\top": "T", r"\mathrm": "",
              r"\operatorname": "", r"\left": "", r"\right": "", r"\,": " ", r"\abs": "abs",
              r"\infty": "∞"}


def draw(figure) -> Markup:
    """The figure as an inline <svg> element, or '' when there is no drawing for its name."""
    painter = DRAWINGS.get(getattr(figure, "name", None))
    if painter is None:
        return Markup("")
    try:
        return Markup(painter(figure.data))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return Markup("")              # malformed data: the caption still describes it


def _num(value) -> float:
    return float(value)


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.2g}"
    return f"{value:.4g}"


def _svg(body: list, width=W, height=H, label="figure") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="fig" role="img" aria-label="{escape(label)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="12">' + "".join(body) + "</svg>")


def _text(x, y, words, anchor="middle", size=12, color="#222", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{color}"{extra}>'
            f"{escape(str(words))}</text>")


def _tex_words(text: str) -> str:
    """A short LaTeX label (a node's op, a name with a subscript) as plain readable text."""
    out = str(text)
    for macro, word in sorted(_TEX_WORDS.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(macro, word)
    out = re.sub(r"_\{([^{}]*)\}", r"_\1", out)
    out = re.sub(r"\\[A-Za-z]+", "", out)
    return out.replace("{", "").replace("}", "").strip()


def _ticks(lo: float, hi: float, count=5) -> list:
    if hi <= lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / count))
    for factor in (1, 2, 5, 10):
        if (hi - lo) / (step * factor) <= count:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


class _Axes:
    """The map from data to the plot's box, and its frame, ticks and labels."""

    def __init__(self, xlo, xhi, ylo, yhi):
        if xhi <= xlo:
            xhi = xlo + 1
        if yhi <= ylo:
            yhi = ylo + 1
        pad = (yhi - ylo) * 0.05
        self.xlo, self.xhi, self.ylo, self.yhi = xlo, xhi, ylo - pad, yhi + pad

    def x(self, v):
        return LEFT + (v - self.xlo) / (self.xhi - self.xlo) * (W - LEFT - RIGHT)

    def y(self, v):
        return H - BOTTOM - (v - self.ylo) / (self.yhi - self.ylo) * (H - TOP - BOTTOM)

    def frame(self, xlabel="", ylabel="", xticks=None) -> list:
        out = [f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" '
               'fill="white" stroke="#444"/>']
        for t in (xticks if xticks is not None else _ticks(self.xlo, self.xhi)):
            out.append(f'<line x1="{self.x(t):.1f}" y1="{H - BOTTOM}" x2="{self.x(t):.1f}" y2="{H - BOTTOM + 4}" stroke="#444"/>')
            out.append(_text(self.x(t), H - BOTTOM + 16, _fmt(t), size=11))
        for t in _ticks(self.ylo, self.yhi):
            out.append(f'<line x1="{LEFT - 4}" y1="{self.y(t):.1f}" x2="{LEFT}" y2="{self.y(t):.1f}" stroke="#444"/>')
            out.append(f'<line x1="{LEFT}" y1="{self.y(t):.1f}" x2="{W - RIGHT}" y2="{self.y(t):.1f}" stroke="#eee"/>')
            out.append(_text(LEFT - 6, self.y(t) + 4, _fmt(t), anchor="end", size=11))
        if xlabel:
            out.append(_text((LEFT + W - RIGHT) / 2, H - BOTTOM + 32, xlabel))
        if ylabel:
            out.append(_text(14, (TOP + H - BOTTOM) / 2, ylabel, extra=f' transform="rotate(-90 14 {(TOP + H - BOTTOM) / 2:.1f})"'))
        return out

    def line(self, points, color, width=1.5, dash=None) -> str:
        path = " ".join(f"{self.x(px):.1f},{self.y(py):.1f}" for px, py in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}"{dashed}/>'


def _coords(text: str) -> list:
    return [(float(a), float(b)) for a, b in re.findall(r"\(([^,()]+),([^,()]+)\)", text)]


def _legend(entries) -> list:
    """The legend in one row below the plot's box."""
    out, x = [], LEFT
    for label, color in entries:
        out.append(f'<line x1="{x}" y1="{H - 10}" x2="{x + 20}" y2="{H - 10}" stroke="{color}" stroke-width="2"/>')
        out.append(_text(x + 25, H - 6, label, anchor="start", size=11))
        x += 40 + 6.5 * len(str(label))
    return out


def series_plot(data, series) -> str:
    """Lines over a common x axis (the training log's curves and gap)."""
    lines = [(s, _coords(s["coords"])) for s in series]
    xs = [p[0] for _, pts in lines for p in pts]
    ys = [p[1] for _, pts in lines for p in pts]
    if not xs:
        raise ValueError("no points")
    axes = _Axes(min(xs), max(xs), min(ys), max(ys))
    body = axes.frame(data.get("xlabel", ""), data.get("ylabel", ""))
    legend = []
    for i, (s, pts) in enumerate(lines):
        color = COLORS.get(s.get("role"), PALETTE[i % len(PALETTE)])
        body.append(axes.line(pts, color, width=1 if s.get("role") == "batch" else 2,
                              dash="6 4" if s.get("role") == "fit" else None))
        legend.append((s.get("label", ""), color))
    if axes.ylo < 0 < axes.yhi:
        body.append(axes.line([(axes.xlo, 0), (axes.xhi, 0)], "#888", width=1, dash="2 3"))
    return _svg(body + _legend(legend), label=data.get("ylabel", "plot"))


def curves(data) -> str:
    return series_plot(data, data["series"])


def gap(data) -> str:
    return series_plot(data, data["series"])


def bars(data) -> str:
    """One group of bars per case (the softmax probabilities), the predicted class darker."""
    cases = data["cases"]
    classes = data["classes"]
    ymax = _num(data.get("ymax", 1))
    axes = _Axes(0, 1, 0, ymax)
    body = axes.frame("class", "probability", xticks=[])
    group = (W - LEFT - RIGHT) / max(1, len(cases))
    for c, case in enumerate(cases):
        width = group * 0.8 / max(1, len(case["bars"]))
        x0 = LEFT + c * group + group * 0.1
        for b, bar in enumerate(case["bars"]):
            p = _num(bar["p"])
            top, base = axes.y(p), axes.y(0)
            color = "#1f5fa8" if bar.get("pred") else "#9bb7d4"
            body.append(f'<rect x="{x0 + b * width:.1f}" y="{top:.1f}" width="{width * 0.9:.1f}" '
                        f'height="{max(0.0, base - top):.1f}" fill="{color}"/>')
            name = classes[bar["k"] - 1] if 0 < bar["k"] <= len(classes) else bar["k"]
            body.append(_text(x0 + (b + 0.45) * width, H - BOTTOM + 14, name, size=10))
        body.append(_text(x0 + group * 0.4, TOP + 14, f"{case['id']}){case.get('note', '')}", size=12))
    return _svg(body, label="class probabilities")


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
    lo, hi = _num(data["xmin"]), _num(data["xmax"])
    f = _expression(data["f"])
    xs = [lo + (hi - lo) * i / 200 for i in range(201)]
    curve = [(x, f(x)) for x in xs]
    pieces = []
    for piece in data.get("df", []):
        a = lo if piece.get("from") is None else _num(piece["from"])
        b = hi if piece.get("to") is None else _num(piece["to"])
        g = _expression(piece["expr"])
        pieces.append([(a + (b - a) * i / 50, g(a + (b - a) * i / 50)) for i in range(51)])
    ys = [y for _, y in curve] + [y for pts in pieces for _, y in pts]
    axes = _Axes(lo, hi, min(ys), max(ys))
    body = axes.frame("z", data.get("name", "A(z)"))
    body.append(axes.line(curve, "#1f5fa8", width=2))
    for pts in pieces:
        body.append(axes.line(pts, "#b8321f", width=2, dash="6 4"))
    if data.get("z") is not None and data.get("y") is not None:
        z, y = _num(data["z"]), _num(data["y"])
        body.append(f'<circle cx="{axes.x(z):.1f}" cy="{axes.y(y):.1f}" r="4" fill="#222"/>')
        body.append(_text(axes.x(z) + 6, axes.y(y) - 8, f"z = {_fmt(z)}", anchor="start"))
    return _svg(body + _legend([(data.get("name", "A"), "#1f5fa8"), ("derivative", "#b8321f")]),
                label=f"{data.get('name', 'activation')} plot")


def _rows_text(label) -> list:
    if isinstance(label, dict) and label.get("kind") == "dims":
        return ["×".join(str(d) for d in label["dims"])]
    if isinstance(label, dict) and label.get("kind") == "rows":
        rows = label["rows"]
        return ["[" + "  ".join(_tex_words(str(c)) for c in row) + "]" for row in rows]
    if isinstance(label, dict) and label.get("plain"):       # written by the figure's owner as plain text
        return [str(label["plain"])]
    if isinstance(label, dict):
        return [_tex_words(label.get("text", ""))]
    return [_tex_words(str(label))] if label is not None else []


def _rich(x, y, words, anchor="middle", size=12, color="#222") -> str:
    """A label whose subscripts (``z_1``, ``W_{12}``) are set as subscripts, as the PDF sets them."""
    parts = re.split(r"_\{?([A-Za-z0-9,]+)\}?", _tex_words_keep(words))
    body = escape(parts[0])
    for i in range(1, len(parts), 2):
        body += Markup('<tspan baseline-shift="sub" font-size="{:.0f}">').format(size * 0.75) + escape(parts[i]) \
            + Markup("</tspan>") + escape(parts[i + 1])
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{color}">'
            f"{body}</text>")


def _tex_words_keep(text) -> str:
    """``_tex_words`` with the subscripts' braces kept, so that ``_rich`` can find them."""
    out = str(text)
    for macro, word in sorted(_TEX_WORDS.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(macro, word)
    out = re.sub(r"\\[A-Za-z]+", "", out)
    return re.sub(r"(?<!_)\{([^{}]*)\}", r"\1", out).strip()


def _block(x, y, lines, anchor, color, above) -> list:
    """Lines of a label stacked above (or below) the baseline ``y``."""
    top = y - 12 * len(lines) if above else y + 10
    return [_text(x, top + 10 + 12 * i, line, anchor=anchor, size=10, color=color) for i, line in enumerate(lines)]


def _width(lines) -> float:
    return max((len(line) for line in lines), default=0) * 6.0


def graph(data) -> str:
    """The computational graph as the PDF draws it: the structure alone, with the forward values
    (blue, above each edge and beside each input) or with values and gradients (red, below), the
    output arrow to f with its value (and the upstream gradient)."""
    nodes = {n["id"]: n for n in data["nodes"]}
    mode = data.get("mode", "full")
    xs = [n["x"] for n in nodes.values()]
    ys = [n["y"] for n in nodes.values()]
    side = {i: (_rows_text(n.get("value")) if mode != "structure" else [], _rows_text(n.get("grad"))
                if mode == "full" else []) for i, n in nodes.items()}
    left = 40 + max((_width(v + g) for v, g in side.values()), default=0)
    outputs = data.get("outputs") or [data["output"]]
    out_lines = (_rows_text(data.get("output_value")) if mode != "structure" else []) + \
        (_rows_text(data.get("output_grad")) if mode == "full" else [])
    sx, sy = 150.0, 90.0 if mode != "structure" else 70.0
    width = int(left + (max(xs) - min(xs)) * sx + 110 + max(40.0, _width(out_lines)))
    height = int((max(ys) - min(ys)) * sy + 130 + 12 * max(len(v) + len(g) for v, g in side.values()))

    def pos(n):
        return left + (n["x"] - min(xs)) * sx, 70 + (max(ys) - n["y"]) * sy

    body = []
    for e in data["edges"]:
        (x1, y1), (x2, y2) = pos(nodes[e["from"]]), pos(nodes[e["to"]])
        shown = dict(e, value=e.get("value") if mode != "structure" else None,
                     grad=e.get("grad") if mode == "full" else None)
        body.extend(_arrow(x1, y1, x2, y2, dashed=bool(e.get("const"))))
        length = math.hypot(x2 - x1, y2 - y1) or 1
        body.extend(_edge_labels((x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / length, (y2 - y1) / length, shown))
    for i, name in enumerate(outputs):
        x, y = pos(nodes[name])
        body.extend(_arrow(x, y, x + 110, y, start=22, end=0))
        body.append(_rich(x + 116, y + 5, "f" if len(outputs) == 1 else f"f_{i + 1}", anchor="start", size=14))
        if len(outputs) == 1:
            value = _rows_text(data.get("output_value")) if mode != "structure" else []
            grad = _rows_text(data.get("output_grad")) if mode == "full" else []
            body += _block(x + 66, y - 4, value, "middle", "#1f5fa8", True)
            body += _block(x + 66, y + 2, grad, "middle", "#b8321f", False)
    for key, n in nodes.items():
        x, y = pos(n)
        style = n.get("style", "op")
        fill = {"input": "#e8f0fa", "const": "#f4f4f4"}.get(style, "#ffffff")
        label = _rows_text(n.get("label"))
        half = max(22.0, _width(label) / 2 + 6) if style != "op" else 20.0
        tall = max(16.0, 6 * len(label) + 4)
        shape = (f'<rect x="{x - half:.1f}" y="{y - tall:.1f}" width="{2 * half:.0f}" height="{2 * tall:.0f}" rx="4" '
                 f'fill="{fill}" stroke="#444"' + (' stroke-dasharray="4 3"' if style == "const" else "") + "/>"
                 if style != "op" else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="20" fill="{fill}" stroke="#444"/>')
        body.append(shape)
        for i, line in enumerate(label):
            size = 11 if len(label) > 1 else 13
            y_line = y + 4 + 12 * (i - (len(label) - 1) / 2)
            body.append(_rich(x, y_line, line, size=size) if style == "input" else _text(x, y_line, line, size=size))
        if style == "op" and n.get("name"):
            body.append(_rich(x, y - 25, n["name"], size=11, color="#444"))
        value, grad = side[key]
        body += _block(x - half - 6, y - 2, value, "end", "#1f5fa8", True)
        body += _block(x - half - 6, y + 2, grad, "end", "#b8321f", False)
    return _svg(body, width=width, height=height, label="computational graph")


def _arrow(x1, y1, x2, y2, dashed=False, start=22, end=22) -> list:
    """A line from node to node (stopping at their rims) with an arrowhead, no marker (no url())."""
    length = math.hypot(x2 - x1, y2 - y1) or 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    tip_x, tip_y = x2 - ux * end, y2 - uy * end
    head = [(tip_x, tip_y), (tip_x - ux * 9 - uy * 4, tip_y - uy * 9 + ux * 4),
            (tip_x - ux * 9 + uy * 4, tip_y - uy * 9 - ux * 4)]
    return [f'<line x1="{x1 + ux * start:.1f}" y1="{y1 + uy * start:.1f}" x2="{tip_x - ux * 6:.1f}" '
            f'y2="{tip_y - uy * 6:.1f}" stroke="#444" stroke-width="1.3"{dash}/>',
            '<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in head) + '" fill="#444"/>']


def _edge_labels(mx, my, ux, uy, edge) -> list:
    """The forward value on one side of an edge (blue) and the gradient on the other (red), each
    block of lines pushed off the edge along its normal far enough to clear it."""
    out = []
    nx, ny = (-uy, ux) if ux >= 0 else (uy, -ux)        # the normal pointing down the page
    for key, side, color in (("value", -1, "#1f5fa8"), ("grad", 1, "#b8321f")):
        shown = edge.get(key) and not (key == "value" and edge.get("const"))   # a constant shows in its node
        lines = _rows_text(edge[key]) if shown else []
        if not lines:
            continue
        half_w = max(len(line) for line in lines) * 3.0
        half_h = 6.0 * len(lines)
        push = abs(nx) * half_w + abs(ny) * half_h + 5
        cx, cy = mx + side * nx * push, my + side * ny * push
        for i, line in enumerate(lines):
            out.append(_text(cx, cy + 4 + 12 * (i - (len(lines) - 1) / 2), line, size=10, color=color))
    return out


def network(data) -> str:
    """A branching network (the architecture kind): one row per layer, top to bottom, lanes side by
    side; each box names the layer, its type and its output shape; arrows from each input."""
    nodes, lane_w, row_h, box_w, box_h = data["nodes"], 210.0, 62.0, 180.0, 46.0
    width = int(data.get("lanes", 1) * lane_w + 30)
    height = int(len(nodes) * row_h + 30)

    def pos(n):
        return 15 + n["lane"] * lane_w + box_w / 2, 15 + n["row"] * row_h + box_h / 2

    body = []
    for e in data["edges"]:
        (x1, y1), (x2, y2) = pos(nodes[e["source"]]), pos(nodes[e["target"]])
        y1, y2 = y1 + box_h / 2, y2 - box_h / 2
        # a lane change turns just below its source: a branch runs down its own lane to its layer
        points = [(x1, y1), (x1, y1 + 8), (x2, y1 + 8), (x2, y2)] if x1 != x2 else [(x1, y1), (x2, y2)]
        body.append('<polyline fill="none" stroke="#444" stroke-width="1.2" points="'
                    + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"/>')
        body.append(f'<polygon points="{x2:.1f},{y2:.1f} {x2 - 4:.1f},{y2 - 8:.1f} {x2 + 4:.1f},{y2 - 8:.1f}" '
                    'fill="#444"/>')
    for n in nodes:
        x, y = pos(n)
        body.append(f'<rect x="{x - box_w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{box_w:.0f}" '
                    f'height="{box_h:.0f}" rx="4" fill="#ffffff" stroke="#444"/>')
        body.append(_text(x, y - 6, f"{n['name']} ({_tex_words(n['type'])})", size=11))
        shape = n["shape"] if isinstance(n["shape"], str) else printer.tex(n["shape"])
        body.append(_text(x, y + 12, _tex_words(shape), size=11, color="#1f5fa8"))
    return _svg(body, width=width, height=height, label="network")


DRAWINGS = {"graph": graph, "activation": activation, "bars": bars, "curves": curves, "gap": gap,
            "network": network}
