"""The training log kind's figures, painted for every document: the loss and metric curves, the gap.

``FIGURES`` registers, per figure name a Solution of this kind may hold, the TeX painter (a macro of
symdl/kinds/training_log/answer.tex.j2, called with the Figure) and the SVG painter (a function of the
figure's data, for the HTML key) together, so that no document draws one and misses the other.
"""

from __future__ import annotations

from symdl.notation.svg import Axes, COLORS, coords, legend, PALETTE, picture


def series_plot(data, series) -> str:
    """Lines over a common x axis (the training log's curves and gap)."""
    lines = [(s, coords(s["coords"])) for s in series]
    xs = [p[0] for _, pts in lines for p in pts]
    ys = [p[1] for _, pts in lines for p in pts]
    if not xs:
        raise ValueError("no points")
    axes = Axes(min(xs), max(xs), min(ys), max(ys))
    body = axes.frame(data.get("xlabel", ""), data.get("ylabel", ""))
    entries = []
    for i, (s, pts) in enumerate(lines):
        color = COLORS.get(s.get("role"), PALETTE[i % len(PALETTE)])
        body.append(axes.line(pts, color, width=1 if s.get("role") == "batch" else 2,
                              dash="6 4" if s.get("role") == "fit" else None))
        entries.append((s.get("label", ""), color))
    if axes.ylo < 0 < axes.yhi:
        body.append(axes.line([(axes.xlo, 0), (axes.xhi, 0)], "#888", width=1, dash="2 3"))
    return picture(body + legend(entries), label=data.get("ylabel", "plot"))


def curves(data) -> str:
    return series_plot(data, data["series"])


def gap(data) -> str:
    return series_plot(data, data["series"])


# figure name -> (TeX macro of the partial, SVG painter of the figure's data)
FIGURES = {"curves": ("plot", curves),
           "gap": ("plot", gap)}
