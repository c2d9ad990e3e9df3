"""Helpers shared by the kind tests: finite differences and the docs' example specs."""

import re
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parent.parent / "docs" / "kinds"


def central_difference(f, x, h=1e-6):
    """Central finite differences of a scalar function ``f`` of an array, entry by entry."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[idx] += h
        m[idx] -= h
        g[idx] = (f(p) - f(m)) / (2 * h)
    return g


def documented_example(kind, folder: Path) -> Path:
    """The first ```toml block of ``docs/kinds/<kind>.md``, written to ``folder``."""
    doc = (DOCS / f"{kind}.md").read_text()
    path = folder / f"{kind}-example.toml"
    path.write_text(re.search(r"```toml\n(.*?)```", doc, re.S).group(1))
    return path
