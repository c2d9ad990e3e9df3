"""Where a spec's data files may lie: its own folder and below, or a folder named with --data-dir."""

from __future__ import annotations

import os
import re
from pathlib import Path

# Bytes no data file may hold: control characters other than tab, newline and carriage return
# (XML 1.0 cannot carry them and no document can show them); in UTF-8 these bytes are only
# ever these characters.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def control_character(raw: bytes) -> str | None:
    """Where ``raw`` (a data file's bytes) holds its first control character other than tab,
    newline and carriage return ("line 3: control character U+0001"), or None."""
    match = _CONTROL.search(raw)
    if match is None:
        return None
    line = raw.count(b"\n", 0, match.start()) + 1
    return f"line {line}: control character U+{match.group(0)[0]:04X}"
