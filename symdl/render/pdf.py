"""Building the PDF with latexmk: no shell escape, TeX's file access kept to the folder.

latexmk runs with ``-norc`` (no system, user or folder rc file can change the commands it
runs, e.g. add ``-shell-escape``), ``-no-shell-escape``, and kpathsea's ``openin_any=p``,
``openout_any=p`` (no absolute paths, no parent folders, no dot files) and ``shell_escape=f``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from symdl.errors import BuildError


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


# The answer key has no cross-references: the .aux written by its one pass holds only
# lines nothing reads back. Telling latexmk to ignore those lines when it compares .aux files
# stops it from running a second pass just because the .aux is new; a document with \ref or
# \label still gets its passes.
_ONE_PASS = r'$hash_calc_ignore_pattern{"aux"} = "^(\\\\relax|\\\\\@writefile\\{toc\\}|\\\\gdef \\\\\@abspage\@last)";'


def build(tex_file: Path, timeout: float = 300) -> Path:
    """Compile ``tex_file`` to PDF in its own folder; return the PDF path."""
    if not tex_available():
        raise BuildError("latexmk/pdflatex not found")
    folder = tex_file.parent
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f", max_print_line="10000")
    if "SOURCE_DATE_EPOCH" in env:
        env.setdefault("FORCE_SOURCE_DATE", "1")
    cmd = ["latexmk", "-norc", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
           "-file-line-error", "-quiet", "-e", _ONE_PASS, tex_file.name]
    # latexmk runs pdflatex as a grandchild: give them a process group of their own, so that
    # a build that runs too long (a TeX loop) is stopped whole, not just latexmk.
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException as exc:
        _kill_group(proc)
        if isinstance(exc, subprocess.TimeoutExpired):
            raise BuildError(f"TeX build took longer than {timeout:.0f} s (a loop in the LaTeX?)") from None
        raise
    proc = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    pdf = folder / (tex_file.stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file():
        log = folder / (tex_file.stem + ".log")
        raise BuildError(f"TeX failed: {first_error(log, proc.stdout + proc.stderr)} "
                         f"(rerun with --no-pdf to keep the .tex and build it by hand)")
    return pdf


def _kill_group(proc):
    """Kill latexmk and every process it started (pdflatex, bibtex...), then reap latexmk."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.kill()
    proc.communicate()


_FILE_LINE_ERROR = re.compile(r"^(?:\./)?[^\s:()]+\.(?:tex|sty|cls|def|cfg|clo):\d+: ")


def first_error(log: Path, fallback: str = "") -> str:
    """The first TeX error of a log: ``file:line: message`` or ``! message`` (one line)."""
    text = log.read_text(errors="replace") if log.is_file() else fallback
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _FILE_LINE_ERROR.match(line):
            return line.strip()
        if line.startswith("! "):
            where = next((m.group(0) for m in (re.match(r"^l\.\d+", x) for x in lines[i + 1:i + 8]) if m), "")
            return f"{line[2:].strip()}{' (' + where + ')' if where else ''}"
    return "see the .log file"


def clean(folder: Path, stem: str):
    """Remove TeX's auxiliary files, keeping .tex and .pdf."""
    for ext in (".aux", ".log", ".fls", ".fdb_latexmk", ".out", ".toc"):
        path = folder / (stem + ext)
        if path.exists():
            path.unlink()
