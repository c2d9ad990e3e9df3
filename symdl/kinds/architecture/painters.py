"""The architecture kind's figures, painted for every document: the network where it branches.

``FIGURES`` registers, per figure name a Solution of this kind may hold, the TeX painter (a macro of
symdl/kinds/architecture/answer.tex.j2, called with the Figure) and the SVG painter (a function of the
figure's data, for the HTML key) together, so that no document draws one and misses the other.
"""

from __future__ import annotations

from symdl.notation import printer
from symdl.notation.svg import picture, svg_text, tex_words


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
        body.append(svg_text(x, y - 6, f"{n['name']} ({tex_words(n['type'])})", size=11))
        shape = n["shape"] if isinstance(n["shape"], str) else printer.tex(n["shape"])
        body.append(svg_text(x, y + 12, tex_words(shape), size=11, color="#1f5fa8"))
    return picture(body, width=width, height=height, label="network")


# figure name -> (TeX macro of the partial, SVG painter of the figure's data)
FIGURES = {"network": ("network", network)}
