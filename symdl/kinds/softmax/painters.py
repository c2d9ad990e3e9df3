"""The softmax kind's figures, painted for every document: one group of probability bars per case.

``FIGURES`` registers, per figure name a Solution of this kind may hold, the TeX painter (a macro of
symdl/kinds/softmax/answer.tex.j2, called with the Figure) and the SVG painter (a function of the
figure's data, for the HTML key) together, so that no document draws one and misses the other.
"""

from __future__ import annotations

from symdl.notation.svg import Axes, BOTTOM, H, LEFT, num, picture, RIGHT, svg_text, TOP, W


def bars(data) -> str:
    """One group of bars per case (the softmax probabilities), the predicted class darker."""
    cases = data["cases"]
    classes = data["classes"]
    ymax = num(data.get("ymax", 1))
    axes = Axes(0, 1, 0, ymax)
    body = axes.frame("class", "probability", xticks=[])
    group = (W - LEFT - RIGHT) / max(1, len(cases))
    for c, case in enumerate(cases):
        width = group * 0.8 / max(1, len(case["bars"]))
        x0 = LEFT + c * group + group * 0.1
        for b, bar in enumerate(case["bars"]):
            p = num(bar["p"])
            top, base = axes.y(p), axes.y(0)
            color = "#1f5fa8" if bar.get("pred") else "#9bb7d4"
            body.append(f'<rect x="{x0 + b * width:.1f}" y="{top:.1f}" width="{width * 0.9:.1f}" '
                        f'height="{max(0.0, base - top):.1f}" fill="{color}"/>')
            name = classes[bar["k"] - 1] if 0 < bar["k"] <= len(classes) else bar["k"]
            body.append(svg_text(x0 + (b + 0.45) * width, H - BOTTOM + 14, name, size=10))
        body.append(svg_text(x0 + group * 0.4, TOP + 14, f"{case['id']}){case.get('note', '')}", size=12))
    return picture(body, label="class probabilities")


# figure name -> (TeX macro of the partial, SVG painter of the figure's data)
FIGURES = {"bars": ("bars", bars)}
