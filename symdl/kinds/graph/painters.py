"""The graph kind's figures, painted for every document: the computational graph.

``FIGURES`` registers, per figure name a Solution of this kind may hold, the TeX painter (a macro of
symdl/kinds/graph/answer.tex.j2, called with the Figure) and the SVG painter (a function of the
figure's data, for the HTML key) together, so that no document draws one and misses the other.
"""

from __future__ import annotations

import math

from symdl.notation.svg import picture, rich, svg_text, tex_words

from .label_place import X_CM, Y_CM


def _rows_text(label) -> list:
    if isinstance(label, dict) and label.get("kind") == "dims":
        return ["×".join(str(d) for d in label["dims"])]
    if isinstance(label, dict) and label.get("kind") == "rows":
        rows = label["rows"]
        return ["[" + "  ".join(tex_words(str(c)) for c in row) + "]" for row in rows]
    if isinstance(label, dict) and label.get("plain"):       # written by the figure's owner as plain text
        return [str(label["plain"])]
    if isinstance(label, dict):
        return [tex_words(label.get("text", ""))]
    return [tex_words(str(label))] if label is not None else []


def _block(x, y, lines, anchor, color, above) -> list:
    """Lines of a label stacked above (or below) the baseline ``y``."""
    top = y - 12 * len(lines) if above else y + 10
    return [svg_text(x, top + 10 + 12 * i, line, anchor=anchor, size=10, color=color) for i, line in enumerate(lines)]


def _width(lines) -> float:
    return max((len(line) for line in lines), default=0) * 6.0


def graph(data) -> str:
    """The computational graph as the PDF draws it: the structure alone, with the forward values
    (blue, above each edge and beside each input) or with values and gradients (red, below), the
    output arrow to f with its value (and the upstream gradient)."""
    nodes = {n["id"]: n for n in data["nodes"]}
    mode = data.get("mode", "full")
    xs = [n["x"] for n in nodes.values()]
    ys = [n["y"] for n in nodes.values()] + [y for e in data["edges"] for _, y in e.get("via", [])]
    side = {i: (_rows_text(n.get("value")) if mode != "structure" else [], _rows_text(n.get("grad"))
                if mode == "full" else []) for i, n in nodes.items()}
    left = 40 + max((_width(v + g) for v, g in side.values()), default=0)
    outputs = data.get("outputs") or [data["output"]]
    out_lines = (_rows_text(data.get("output_value")) if mode != "structure" else []) + \
        (_rows_text(data.get("output_grad")) if mode == "full" else [])
    sx = 150.0
    sy = sx * Y_CM[mode] / X_CM         # the PDF's proportions, which the labels were placed for
    width = int(left + (max(xs) - min(xs)) * sx + 110 + max(40.0, _width(out_lines)))
    height = int((max(ys) - min(ys)) * sy + 130 + 12 * max(len(v) + len(g) for v, g in side.values()))

    def pos(n):
        return left + (n["x"] - min(xs)) * sx, 70 + (max(ys) - n["y"]) * sy

    body = []
    for e in data["edges"]:
        shown = dict(e, value=e.get("value") if mode != "structure" else None,
                     grad=e.get("grad") if mode == "full" else None)
        # an edge routed round the nodes between its ends (two corners) is labelled on its middle piece
        corners = [pos(nodes[e["from"]])] + [pos({"x": x, "y": y}) for x, y in e.get("via", [])] + \
            [pos(nodes[e["to"]])]
        for k, ((x1, y1), (x2, y2)) in enumerate(zip(corners, corners[1:])):
            last = k == len(corners) - 2
            body.extend(_arrow(x1, y1, x2, y2, dashed=bool(e.get("const")), start=22 if k == 0 else 0,
                               end=22 if last else 0, head=last))
        (x1, y1), (x2, y2) = corners[(len(corners) - 2) // 2: (len(corners) - 2) // 2 + 2]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        trim = 44 if len(corners) == 2 else 0
        at = trim / 2 + e.get("pos", 0.5) * max(length - trim, 0)      # as far along as the PDF puts them
        body.extend(_edge_labels(x1 + (x2 - x1) * at / length, y1 + (y2 - y1) * at / length, (x2 - x1) / length, (y2 - y1) / length, shown))
    for i, name in enumerate(outputs):
        x, y = pos(nodes[name])
        body.extend(_arrow(x, y, x + 110, y, start=22, end=0))
        body.append(rich(x + 116, y + 5, "f" if len(outputs) == 1 else f"f_{i + 1}", anchor="start", size=14))
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
            body.append(rich(x, y_line, line, size=size) if style == "input" else svg_text(x, y_line, line, size=size))
        if style == "op" and n.get("name"):
            body.append(rich(x, y - 25, n["name"], size=11, color="#444"))
        value, grad = side[key]
        body += _block(x - half - 6, y - 2, value, "end", "#1f5fa8", True)
        body += _block(x - half - 6, y + 2, grad, "end", "#b8321f", False)
    return picture(body, width=width, height=height, label="computational graph")


def _arrow(x1, y1, x2, y2, dashed=False, start=22, end=22, head=True) -> list:
    """A line from node to node (stopping at their rims) with an arrowhead, no marker (no url())."""
    length = math.hypot(x2 - x1, y2 - y1) or 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    tip_x, tip_y = x2 - ux * end, y2 - uy * end
    tip = [(tip_x, tip_y), (tip_x - ux * 9 - uy * 4, tip_y - uy * 9 + ux * 4),
            (tip_x - ux * 9 + uy * 4, tip_y - uy * 9 - ux * 4)]
    if not head:
        return [f'<line x1="{x1 + ux * start:.1f}" y1="{y1 + uy * start:.1f}" x2="{tip_x:.1f}" y2="{tip_y:.1f}" '
                f'stroke="#444" stroke-width="1.3"{dash}/>']
    return [f'<line x1="{x1 + ux * start:.1f}" y1="{y1 + uy * start:.1f}" x2="{tip_x - ux * 6:.1f}" '
            f'y2="{tip_y - uy * 6:.1f}" stroke="#444" stroke-width="1.3"{dash}/>',
            '<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in tip) + '" fill="#444"/>']


def _edge_labels(mx, my, ux, uy, edge) -> list:
    """The forward value on one side of an edge (blue) and the gradient on the other (red), each
    block of lines pushed off the edge along its normal far enough to clear it; the sides are the
    PDF's (the value above, below on an edge rising to its node, swapped where the layout says)."""
    out = []
    nx, ny = (-uy, ux) if ux >= 0 else (uy, -ux)        # the normal pointing down the page
    outer = 1 if bool(edge.get("rising")) != bool(edge.get("swap")) else -1
    for key, side, color in (("value", outer, "#1f5fa8"), ("grad", -outer, "#b8321f")):
        shown = edge.get(key) and not (key == "value" and edge.get("const"))   # a constant shows in its node
        lines = _rows_text(edge[key]) if shown else []
        if not lines:
            continue
        half_w = max(len(line) for line in lines) * 3.0
        half_h = 6.0 * len(lines)
        push = abs(nx) * half_w + abs(ny) * half_h + 5
        cx, cy = mx + side * nx * push, my + side * ny * push
        for i, line in enumerate(lines):
            out.append(svg_text(cx, cy + 4 + 12 * (i - (len(lines) - 1) / 2), line, size=10, color=color))
    return out


# figure name -> (TeX macro of the partial, SVG painter of the figure's data)
FIGURES = {"graph": ("graph", graph)}
