"""Entry point for ``python -m symdl``: the command line, or one line saying why it cannot start.

``python -m`` imports the first ``symdl`` on ``sys.path``, the current folder first: run next to
a symdl checkout, that checkout is imported instead of the installed symdl. When that copy is
not the only one, symdl says which one runs; when it cannot start (a broken or incomplete copy)
it says so in one line (exit 2) instead of a traceback. Only the standard library is used here.
"""

import gc
import os
import sys
from pathlib import Path

import symdl        # already imported by ``python -m symdl`` before this module runs

EXIT_UNUSABLE = 2
# A run builds many SymPy trees that live until it ends: the cyclic garbage collector runs less often
# (as mypy does) and not at all over what is left at exit, which the process's end frees anyway.
# Measured on DI504's derive --no-pdf: 1.6 s of CPU time -> 1.25 s (half of it the collections at exit).
GC_THRESHOLD = (50_000, 20, 20)
# files every complete copy of the package holds (templates/ is a link to ../templates in a checkout)
_PACKAGE_DATA = ("templates/answer-key.tex.j2", "templates/sheet/items.tex.j2", "data/di504/di504.toml")


def _other_copy(here: Path):
    """A symdl package on ``sys.path`` other than the one imported (``here``), or None."""
    for entry in sys.path:
        init = Path(entry or os.curdir, "symdl", "__init__.py")
        try:
            if init.is_file() and init.resolve().parent != here:
                return init.resolve().parent
        except OSError:
            continue
    return None


def _start() -> int:
    here = Path(symdl.__file__).resolve().parent
    other = _other_copy(here)
    which = f"the symdl package in {here}" + (f", imported before the one in {other} (run from another "
                                              "folder to use that one)" if other else "")
    missing = [name for name in _PACKAGE_DATA if not (here / name).is_file()]
    if missing:
        print(f"symdl: error: {which}: incomplete, {missing[0]} is missing", file=sys.stderr)
        return EXIT_UNUSABLE
    try:        # here, not at the top: a copy that cannot be imported is said in one line (below)
        from symdl.cli import main
    except Exception as exc:      # a broken copy: a syntax error, a module it lacks
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"symdl: error: {which}: cannot be imported: {message}", file=sys.stderr)
        return EXIT_UNUSABLE
    if other is not None:
        print(f"symdl: note: running {which}", file=sys.stderr)
    gc.set_threshold(*GC_THRESHOLD)
    status = main()
    gc.freeze()         # every file is written and closed: no collection over the objects left
    return status


if __name__ == "__main__":
    sys.exit(_start())
