"""Figures of an LMS page as PNG files: the drawings the HTML key paints as SVG (render/svg.py),
rasterized with CairoSVG, referenced from the page by a placeholder each writer turns into its own
file reference (Moodle: ``@@PLUGINFILE@@/name`` and a ``<file>``; Canvas: a file in the zip).

No LMS file carries inline SVG: Canvas's sanitizer deletes it. CairoSVG (PyPI) needs the cairo
library (Debian: libcairo2); without it a figure is left as its caption and a note that it is
drawn in the PDF answer key.
"""

from __future__ import annotations

import base64
import hashlib
import re

SRC = "symdl-figure:"                     # the placeholder src of a figure's <img>
SCALE = 2                                 # pixels per SVG unit: sharp on a high-density screen
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_NOT_DRAWN = "(drawn in the PDF answer key)"


def rasterize(svg: str):
    """PNG bytes of an SVG document, None when CairoSVG or the cairo library is missing."""
    try:
        import cairosvg
    except (ImportError, OSError):
        return None
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=SCALE, unsafe=False)


def extract(page: str, stem: str) -> tuple:
    """(``page`` with each inline SVG replaced by an <img> of its PNG, {file name: PNG bytes}).
    File names are ``stem``, the figure's number and a hash of its content (one name, one picture)."""
    files = {}

    def replace(match):
        svg = match.group(0)
        png = rasterize(svg)
        if png is None:
            return _NOT_DRAWN
        name = f"{_safe(stem)}-figure-{len(files) + 1}-{hashlib.sha256(png).hexdigest()[:10]}.png"
        files[name] = png
        return f'<img src="{SRC}{name}" alt="figure {len(files)}" style="max-width: 100%" />'

    return _SVG.sub(replace, page), files


def refer(page: str, prefix: str) -> str:
    """``page`` with every figure placeholder pointing at ``prefix`` + the file name."""
    return page.replace(f'src="{SRC}', f'src="{prefix}')


def encoded(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def _safe(stem) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", str(stem))[:60] or "q"
