"""Building the PDF with latexmk: no shell escape, TeX kept to a scratch folder holding only the .tex.

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
import tempfile
from pathlib import Path

from symdl.errors import BuildError


def tex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


# The answer key has no cross-references: the .aux written by its one pass holds only
# lines nothing reads back. Telling latexmk to ignore those lines when it compares .aux files
# stops it from running a second pass just because the .aux is new; a document with \ref or
# \label still gets its passes.
_ONE_PASS = r'$hash_calc_ignore_pattern{"aux"} = "^(\\\\relax|\\\\\@writefile\\{toc\\}|\\\\gdef \\\\\@abspage\@last)";'


# Called as read_log(tex_file, log_text) after each successful build, before the scratch folder
# and its TeX log are removed (tests read overfull boxes there); None: nothing reads the log.
read_log = None


def build(tex_file: Path, timeout: float = 300) -> Path:
    """Compile ``tex_file`` to PDF in a private scratch folder; return the PDF put beside it.

    The scratch folder (outside the output folder) holds a copy of the ``.tex`` and nothing
    else, so TeX can neither read nor overwrite ``answers.json`` or any other file; only the
    PDF is copied back (or, when TeX fails, its ``.log``, named in the BuildError's message and
    its ``log``), and the scratch folder is removed in every case.
    """
    if not tex_available():
        raise BuildError("latexmk/pdflatex not found")
    tex_file = Path(tex_file)
    try:
        scratch = Path(tempfile.mkdtemp(prefix="symdl-tex-"))
    except OSError as exc:
        raise BuildError(f"cannot make a scratch folder for TeX: {exc.strerror or exc}") from None
    try:
        try:
            shutil.copyfile(tex_file, scratch / tex_file.name)
        except OSError as exc:
            raise BuildError(f"cannot copy the .tex for TeX: {exc.strerror or exc}") from None
        try:
            pdf = _compile(scratch, tex_file.name, timeout)
        except BuildError as exc:
            raise _kept_log(exc, scratch, tex_file) from None
        if read_log is not None:
            read_log(tex_file, (scratch / (tex_file.stem + ".log")).read_text(errors="replace"))
        target = tex_file.parent / pdf.name
        try:
            shutil.copyfile(pdf, target)
        except OSError as exc:
            raise BuildError(f"cannot copy the PDF back: {exc.strerror or exc}") from None
        return target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _kept_log(exc: BuildError, scratch: Path, tex_file: Path) -> BuildError:
    """``exc`` of a failed TeX run with TeX's log copied beside ``tex_file`` (its ``log``: the
    log's file name) and named in the message; ``exc`` as it was when TeX wrote no log, ran out
    of time (a loop's log may be huge) or wrote a log over MAX_KEPT_LOG bytes."""
    log = scratch / (tex_file.stem + ".log")
    try:
        if getattr(exc, "timed_out", False) or log.stat().st_size > MAX_KEPT_LOG:
            return exc
        shutil.copyfile(log, tex_file.parent / log.name)
    except OSError:
        return exc
    error = BuildError(f"{exc.message.replace(HINT, '').rstrip()} (in {tex_file.name}; TeX's log: {log.name})")
    error.log = log.name
    return error


HINT = "(rerun with --no-pdf to keep the .tex and build it by hand)"
MAX_KEPT_LOG = 20_000_000       # bytes: a longer TeX log (a runaway document's) is not copied out


def _compile(folder: Path, name: str, timeout: float) -> Path:
    """latexmk on ``folder/name``, its process group killed on timeout or interruption."""
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f", max_print_line="10000")
    if "SOURCE_DATE_EPOCH" in env:
        env.setdefault("FORCE_SOURCE_DATE", "1")
    cmd = ["latexmk", "-norc", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
           "-file-line-error", "-quiet", "-e", _ONE_PASS, name]
    # latexmk runs pdflatex as a grandchild: give them a process group of their own, so that
    # a build that runs too long (a TeX loop) is stopped whole, not just latexmk.
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=max(timeout, 0.001))
    except BaseException as exc:
        _kill_group(proc)
        if isinstance(exc, subprocess.TimeoutExpired):
            error = BuildError(f"TeX build took longer than {timeout:.0f} s (a loop in the LaTeX?)")
            error.timed_out = True          # its log (a loop's, maybe huge) is not kept
            raise error from None
        raise
    stem = Path(name).stem
    pdf = folder / (stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file():
        log = folder / (stem + ".log")
        raise BuildError(f"TeX failed: {first_error(log, stdout + stderr)} {HINT}")
    return pdf


def _kill_group(proc):
    """Kill latexmk and every process it started (pdflatex, bibtex...), then reap latexmk."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.kill()
    proc.communicate()


_FILE_LINE_ERROR = re.compile(r"^(?:\./)?[^\s:()]+\.(?:tex|sty|cls|def|cfg|clo|aux|toc|out|lof|lot|bbl):\d+: ")


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
    return "TeX stopped without an error line"


def clean(folder: Path, stem: str):
    """Remove TeX's auxiliary files, keeping .tex and .pdf (and the .log a failed build keeps)."""
    for ext in (".aux", ".fls", ".fdb_latexmk", ".out", ".toc"):
        path = folder / (stem + ext)
        if path.exists():
            path.unlink()
