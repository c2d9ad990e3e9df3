"""Figures of an LMS page as PNG files: the drawings the HTML key paints as SVG (render/svg.py),
rasterized with CairoSVG, referenced from the page by a placeholder each writer turns into its own
file reference (Moodle: ``@@PLUGINFILE@@/name`` and a ``<file>``; Canvas: a file in the zip).

No LMS file carries inline SVG: Canvas's sanitizer deletes it. CairoSVG (PyPI) needs the cairo
library (Debian: libcairo2); without it a figure is left as its caption and a note that it is
drawn in the PDF answer key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re

SRC = "symdl-figure:"                     # the placeholder src of a figure's <img>
SCALE = 1.5                               # pixels per SVG unit: sharper than the page's own size
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_NOT_DRAWN = "(drawn in the PDF answer key)"


@functools.lru_cache(maxsize=256)
def rasterize(svg: str):
    """PNG bytes of an SVG document, None when CairoSVG or the cairo library is missing (kept: a
    drawing met twice is painted once)."""
    try:
        import cairosvg
    except (ImportError, OSError):
        return None
    try:
        return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=SCALE, unsafe=False)
    except Exception:  # noqa: BLE001 - CairoSVG raises many types on a drawing it cannot read: left as a note
        return None


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


def dropped(page: str) -> str:
    """``page`` with each figure replaced by a note that it is shown with the question's numbers."""
    return re.sub(r'<img src="' + re.escape(SRC) + r'[^"]*"[^>]*>', "(figure: in the feedback of the question's numbers)",
                  page)


def refer(page: str, prefix: str) -> str:
    """``page`` with every file placeholder (a figure's src, a handout's link) pointing at ``prefix`` +
    the file name."""
    return page.replace(f'src="{SRC}', f'src="{prefix}').replace(f'href="{SRC}', f'href="{prefix}')


def encoded(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def stem(stem) -> str:
    """A file name's stem: letters, digits, ``_ . -`` only."""
    return _safe(stem)


def _safe(stem) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", str(stem))[:60] or "q"
