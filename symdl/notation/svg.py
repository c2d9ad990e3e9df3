"""Pieces every kind's SVG painter draws with (the HTML answer key's figures: inline SVG, no JavaScript,
no network): the plot's box and its axes, ticks, legend, text and a short LaTeX label as readable text.

Every piece of text goes through markupsafe's escape; numbers are formatted here. A kind's painters
(``symdl/kinds/<kind>/painters.py``) build on these; render/svg.py finds them through the kind.
"""

from __future__ import annotations

import math
import re

from markupsafe import Markup, escape

W, H = 640, 320                 # a plot's viewBox
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 62
COLORS = {"batch": "#9bb7d4", "mean": "#1f5fa8", "val": "#b8321f", "validation": "#b8321f", "gap": "#1f5fa8",
          "fit": "#b8321f", "train": "#1f5fa8"}
PALETTE = ("#1f5fa8", "#b8321f", "#2e7d32", "#8e44ad", "#d35400", "#555555")
_TEX_WORDS = {r"\cdot": "·", r"\times": "×", r"\exp": "exp", r"\max": "max", r"\min": "min", r"\log": "log",
              r"\ln": "ln", r"\sigma": "σ", r"\tanh": "tanh", r"\sum": "Σ", r"\top": "T", r"\mathrm": "",
              r"\operatorname": "", r"\left": "", r"\right": "", r"\,": " ", r"\abs": "abs",
              r"\infty": "∞"}


def num(value) -> float:
    return float(value)


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.2g}"
    return f"{value:.4g}"


def picture(body: list, width=W, height=H, label="figure") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="fig" role="img" aria-label="{escape(label)}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="12">' + "".join(body) + "</svg>")


def svg_text(x, y, words, anchor="middle", size=12, color="#222", extra="") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{color}"{extra}>'
            f"{escape(str(words))}</text>")


def tex_words(text: str) -> str:
    """A short LaTeX label (a node's op, a name with a subscript) as plain readable text."""
    out = str(text)
    for macro, word in sorted(_TEX_WORDS.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(macro, word)
    out = re.sub(r"_\{([^{}]*)\}", r"_\1", out)
    out = re.sub(r"\\[A-Za-z]+", "", out)
    return out.replace("{", "").replace("}", "").strip()


def ticks(lo: float, hi: float, count=5) -> list:
    if hi <= lo:
        hi = lo + 1
    step = 10 ** math.floor(math.log10((hi - lo) / count))
    for factor in (1, 2, 5, 10):
        if (hi - lo) / (step * factor) <= count:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


class Axes:
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
        for t in (xticks if xticks is not None else ticks(self.xlo, self.xhi)):
            out.append(f'<line x1="{self.x(t):.1f}" y1="{H - BOTTOM}" x2="{self.x(t):.1f}" y2="{H - BOTTOM + 4}" stroke="#444"/>')
            out.append(svg_text(self.x(t), H - BOTTOM + 16, fmt(t), size=11))
        for t in ticks(self.ylo, self.yhi):
            out.append(f'<line x1="{LEFT - 4}" y1="{self.y(t):.1f}" x2="{LEFT}" y2="{self.y(t):.1f}" stroke="#444"/>')
            out.append(f'<line x1="{LEFT}" y1="{self.y(t):.1f}" x2="{W - RIGHT}" y2="{self.y(t):.1f}" stroke="#eee"/>')
            out.append(svg_text(LEFT - 6, self.y(t) + 4, fmt(t), anchor="end", size=11))
        if xlabel:
            out.append(svg_text((LEFT + W - RIGHT) / 2, H - BOTTOM + 32, xlabel))
        if ylabel:
            out.append(svg_text(14, (TOP + H - BOTTOM) / 2, ylabel, extra=f' transform="rotate(-90 14 {(TOP + H - BOTTOM) / 2:.1f})"'))
        return out

    def line(self, points, color, width=1.5, dash=None) -> str:
        path = " ".join(f"{self.x(px):.1f},{self.y(py):.1f}" for px, py in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}"{dashed}/>'


def coords(text: str) -> list:
    return [(float(a), float(b)) for a, b in re.findall(r"\(([^,()]+),([^,()]+)\)", text)]


def legend(entries) -> list:
    """The legend in one row below the plot's box."""
    out, x = [], LEFT
    for label, color in entries:
        out.append(f'<line x1="{x}" y1="{H - 10}" x2="{x + 20}" y2="{H - 10}" stroke="{color}" stroke-width="2"/>')
        out.append(svg_text(x + 25, H - 6, label, anchor="start", size=11))
        x += 40 + 6.5 * len(str(label))
    return out


def rich(x, y, words, anchor="middle", size=12, color="#222") -> str:
    """A label whose subscripts (``z_1``, ``W_{12}``) are set as subscripts, as the PDF sets them."""
    parts = re.split(r"_\{?([A-Za-z0-9,]+)\}?", tex_words_keep(words))
    body = escape(parts[0])
    for i in range(1, len(parts), 2):
        body += Markup('<tspan baseline-shift="sub" font-size="{:.0f}">').format(size * 0.75) + escape(parts[i]) \
            + Markup("</tspan>") + escape(parts[i + 1])
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{color}">'
            f"{body}</text>")


def tex_words_keep(text) -> str:
    """``tex_words`` with the subscripts' braces kept, so that ``rich`` can find them."""
    out = str(text)
    for macro, word in sorted(_TEX_WORDS.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(macro, word)
    out = re.sub(r"\\[A-Za-z]+", "", out)
    return re.sub(r"(?<!_)\{([^{}]*)\}", r"\1", out).strip()
