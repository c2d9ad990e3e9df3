"""Building the PDF with latexmk: no shell escape, TeX's file access kept to the folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from symdl.errors import BuildError


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def build(tex_file: Path, timeout: float = 300) -> Path:
    """Compile ``tex_file`` to PDF in its own folder; return the PDF path."""
    if not tex_available():
        raise BuildError("latexmk/pdflatex not found")
    folder = tex_file.parent
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f")
    if "SOURCE_DATE_EPOCH" in env:
        env.setdefault("FORCE_SOURCE_DATE", "1")
    cmd = ["latexmk", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
           "-file-line-error", "-quiet", tex_file.name]
    try:
        proc = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise BuildError(f"TeX build took longer than {timeout:.0f} s") from None
    pdf = folder / (tex_file.stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file():
        raise BuildError(f"TeX failed: {first_error(folder / (tex_file.stem + '.log'), proc.stdout)}")
    return pdf


def first_error(log: Path, fallback: str = "") -> str:
    """The first TeX error line of a log (``! ...`` or ``file:line: ...``)."""
    text = log.read_text(errors="replace") if log.is_file() else fallback
    for line in text.splitlines():
        if line.startswith("!") or (":" in line and line.split(":")[1].strip().isdigit()):
            return line.strip()
    return "see the .log file"


def clean(folder: Path, stem: str):
    """Remove TeX's auxiliary files, keeping .tex and .pdf."""
    for ext in (".aux", ".log", ".fls", ".fdb_latexmk", ".out", ".toc"):
        path = folder / (stem + ext)
        if path.exists():
            path.unlink()
