"""Where a spec's data files may lie: its own folder and below, or a folder named with --data-dir."""

from __future__ import annotations

import os
from pathlib import Path


def _inside(path: Path, roots) -> bool:
    real = Path(os.path.realpath(path))          # every symbolic link followed, '..' resolved
    return any(real == root or root in real.parents for root in roots)


def resolve(name: str, spec_folder: Path, data_dirs=()) -> Path | None:
    """The data file ``name`` names, or None when it lies outside every allowed folder.

    A relative name is looked up in the spec's folder, then in each of ``data_dirs``; the
    first that exists wins (else the first allowed one, so that "not found" names it). An
    absolute name is allowed only inside one of the folders.
    """
    folders = [Path(spec_folder), *(Path(d) for d in data_dirs)]
    roots = [Path(os.path.realpath(folder)) for folder in folders]
    given = Path(name)
    candidates = [given] if given.is_absolute() else [folder / given for folder in folders]
    allowed = [c for c in candidates if _inside(c, roots)]
    for candidate in allowed:
        if candidate.exists():
            return candidate
    return allowed[0] if allowed else None
