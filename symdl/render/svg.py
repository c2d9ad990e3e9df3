"""Figures of the HTML answer key drawn as inline SVG (no JavaScript, no network): each by the SVG
painter its kind registers for the figure's name (``Kind.figures``, the kind's painters module),
with the TeX painter the PDF uses; this module holds no kind's painter.

A figure whose data a painter cannot draw returns an empty string (the page then shows its caption).
"""

from __future__ import annotations

from markupsafe import Markup

from symdl import kinds
from symdl.errors import ContractError


def draw(figure, kind) -> Markup:
    """The figure as an inline <svg> element, painted by ``kind`` (a Kind or its name)."""
    if isinstance(kind, str):
        kind = kinds.get(kind)
    painters = kind.figures.get(getattr(figure, "name", None))
    if painters is None:
        raise ContractError(f"kind {kind.name!r} has no painters for its figure {figure.name!r} "
                            "(Kind.figures: {name: (TeX macro, SVG function)})")
    try:
        return Markup(painters[1](figure.data))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return Markup("")              # malformed data: the caption still describes it
