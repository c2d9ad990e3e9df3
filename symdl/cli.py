"""Command line: parse arguments, call the library, map symdl's errors to exit statuses.

Exit statuses: 0 everything derived and verified; 1 an answer disagrees with its independent
recomputation, or the PDF build failed (the .tex and answers.json are written); 2 bad input
(spec, data file, argument, output folder) or a missing Python package; 3 an internal error
(a bug in symdl: one line, the traceback with ``SYMDL_DEBUG=1``); 128 + signal when
interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
import threading
import traceback
import warnings

from symdl import __version__
from symdl.errors import SymdlError, UsageError, one_line

EXIT_INTERNAL = 3

EPILOG = """exit status:
  0  every answer derived and verified, the files written
  1  an answer disagrees with its independent recomputation, or the PDF build failed
     (answer-key.tex and answers.json are still written; the first TeX error is shown)
  2  bad input: spec, data file, argument, output folder, time limit (one line naming
     the file, question and field; nothing written); also a missing Python package
  3  an internal error, a bug in symdl (one line; SYMDL_DEBUG=1 shows the traceback)
  130, 143  interrupted (Ctrl-C, SIGTERM); nothing left behind
"""

# Packages symdl imports; when one is missing the installation is incomplete, not symdl buggy.
DEPENDENCIES = {"latex2sympy2", "sympy", "numpy", "jinja2", "mpmath", "antlr4", "markupsafe"}

# Errors of the file system that name a path the user gave: bad input, not a bug.
_PATH_ERRNOS = {errno.ENAMETOOLONG, errno.ELOOP, errno.EACCES, errno.EPERM, errno.EROFS,
                errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR}


def _positive(text):
    """Seconds: a positive number; a huge one (or inf) means no practical limit."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (exit 2), like every other error of symdl."""

    def error(self, message):
        self.exit(2, one_line(f"symdl: error: {self.prog}: {message} (see --help)", 500) + "\n")


def _formats(text):
    formats = {f.strip().lower() for f in text.split(",") if f.strip()}
    unknown = sorted(formats - {"pdf", "html"})
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or repr(text)} (known: pdf, html)")
    return formats


# The arguments several commands share; a command gives its own help where it differs.
_COMMON = {
    "spec": (("spec",), dict(nargs="?", help="exam spec (TOML); default: the DI504 midterm")),
    "out": (("--out",), dict(default="out")),
    "no_pdf": (("--no-pdf",), dict(action="store_true", help="skip the PDF build")),
    "time_limit": (("--time-limit",), dict(
        type=_positive, default=120.0,
        help="seconds per question for its derivation, verification and rendering; the PDF build gets what "
             "is left of this times the number of questions (default 120; a huge value means no limit)")),
    "data_dir": (("--data-dir",), dict(
        action="append", default=[], metavar="DIR",
        help="a folder where the spec's data files (log = ...) may also lie, besides the spec's own folder "
             "and below it (repeatable)")),
}


def _common(parser, *names, **helps):
    """Add the shared arguments `names` in that order; `helps` (by name) replaces their help."""
    for name in names:
        flags, options = _COMMON[name]
        options = {**options, **({"help": helps[name]} if name in helps else {})}
        if isinstance(options.get("default"), list):
            options["default"] = []     # --data-dir: each parser its own list, none shared between runs
        parser.add_argument(*flags, **options)


def _command(sub, name, help):
    return sub.add_parser(name, help=help, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)


def _parser():
    parser = _Parser(prog="python -m symdl", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="Derive verified answer keys for deep-learning exams.")
    parser.add_argument("--version", action="version", version=f"symdl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    derive = _command(sub, "derive", "write the answer key, rubric and verification report (.tex, .pdf) "
                                     "and answers.json")
    _common(derive, "spec", "out", "no_pdf", out="output folder (default: out); files go to OUT/<exam id>/, "
                                                 "which symdl replaces only when it wrote everything in it")
    derive.add_argument("--format", type=_formats, default={"pdf"}, metavar="FMT[,FMT]",
                        help="documents besides answer-key.tex and answers.json: pdf (default), html "
                             "(answer-key.html, math as MathML), or pdf,html")
    derive.add_argument("--detail", choices=("model", "full"), default="model",
                        help="answer-key: the model answers (default) or the full derivation")
    _common(derive, "time_limit", "data_dir")
    check = _command(sub, "check", "derive and verify without rendering; print the checks")
    _common(check, "spec", "time_limit", "data_dir")
    sheet = _command(sub, "sheet", "write the exam sheet the students get (exam-sheet.tex, .pdf)")
    _common(sheet, "spec", "out", "no_pdf", "data_dir",
            out="output folder (default: out); files go to OUT/<exam id>-sheet/ (derive writes the same "
                "sheet beside the answer key)")
    _variants_parser(sub)
    init = sub.add_parser("init", help="write a copy of the DI504 exam spec as a starting point")
    init.add_argument("dir", help="folder to write the spec into")
    _export_parser(sub)
    _grade_parser(sub)
    return parser


def _grade_parser(sub):
    """``grade SPEC --responses students.csv [--out DIR]`` or ``grade SPEC --template``."""
    grade = _command(sub, "grade", "grade a class from a CSV of the students' answers (grades.csv, feedback)")
    _common(grade, "spec")
    what = grade.add_mutually_exclusive_group(required=True)
    what.add_argument("--responses", metavar="CSV",
                      help="the students' answers: a header 'student' and one column per rubric item (--template)")
    what.add_argument("--template", action="store_true", help="print the CSV header the responses file needs")
    _common(grade, "out", "no_pdf", out="output folder (default: out); files go to OUT/<exam id>-grades/, "
                                        "replaced only when symdl wrote everything in it",
            no_pdf="skip feedback.pdf")
    _common(grade, "time_limit", "data_dir")


def _whole(text):
    """A whole number (a seed)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _variants_parser(sub):
    variants = _command(sub, "variants", "write N per-student variants (sheet, key, answers.json each)")
    _common(variants, "spec", spec="exam spec (TOML) with draws; default: the DI504 midterm")
    variants.add_argument("--count", type=_whole, required=True, metavar="N", help="how many variants (1 to 10000)")
    variants.add_argument("--seed", type=_whole, default=0, metavar="S",
                          help="seed of the draws (default 0); the same spec and seed give the same files")
    _common(variants, "out", "no_pdf", no_pdf="skip the PDF builds",
            out="output folder (default: out); files go to OUT/<exam id>-variants/, replaced only when symdl "
                "wrote everything in it")
    variants.add_argument("--export", default="", metavar="LMS[,LMS]",
                          help="also write moodle.xml and/or canvas-qti.zip of all the variants (moodle, canvas), "
                               "from the same derivations")
    variants.add_argument("--multiple-choice", action="store_true",
                          help="with --export: multiple choice where the derived mistakes give the distractors")
    variants.add_argument("--math", choices=("tex", "mathml"), default=None,
                          help="with --export: math as LaTeX for MathJax (default) or as MathML")
    _common(variants, "time_limit", "data_dir")


def _count(text):
    """A whole number of variants, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _export_parser(sub):
    """``export moodle|canvas [SPEC] [--out DIR] [--variants N --seed S] [--multiple-choice]``."""
    export = _command(sub, "export", "write the questions for an LMS: Moodle XML or a Canvas QTI zip")
    export.add_argument("target", choices=("moodle", "canvas"),
                        help="moodle: OUT/<exam id>/moodle.xml; canvas: OUT/<exam id>/canvas-qti.zip")
    _common(export, "spec", "out", out="output folder (default: out); the file goes to OUT/<exam id>/ beside the "
                                       "answer key")
    export.add_argument("--variants", type=_count, metavar="N",
                        help="export N variants (a pool per question that draws one per student)")
    export.add_argument("--seed", type=int, metavar="S", help="the variants' seed (needed with --variants)")
    export.add_argument("--multiple-choice", action="store_true",
                        help="ask as multiple choice where the derived mistakes give the distractors")
    export.add_argument("--math", choices=("tex", "mathml"), default=None,
                        help="math as \\( \\) LaTeX for the LMS's MathJax (default) or as MathML "
                             "(needs trusted content in Moodle; slower to write)")
    _common(export, "time_limit", "data_dir")


class Interrupted(KeyboardInterrupt):
    """SIGTERM (or SIGINT) arrived: raised in the main thread so that every cleanup runs."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)     # a second signal must not cut the cleanup short
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Interrupted(signum)


@contextlib.contextmanager
def _signals_and_warnings():
    """SIGTERM and SIGINT raise Interrupted; warnings (numpy's RuntimeWarning) stay off stderr."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, _on_signal)
    try:
        with warnings.catch_warnings():
            if not os.environ.get("SYMDL_DEBUG"):
                warnings.simplefilter("ignore")
            yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        with _signals_and_warnings():
            return _run(args)
    except Interrupted as exc:
        print(f"symdl: interrupted by {signal.Signals(exc.signum).name}; no partial output left", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("symdl: interrupted", file=sys.stderr)
        return 130


def _run(args) -> int:
    def progress(line):
        print(line, file=sys.stderr, flush=True)

    try:
        for folder in getattr(args, "data_dir", []):
            if not os.path.isdir(folder):
                raise UsageError("--data-dir: not a folder", file=folder)
        # imported here, not at the top: --help and a usage error answer without importing SymPy
        # (measured: 0.03 s of CPU time instead of 0.9 s); a missing package is reported below
        from symdl import commands

        return commands.run(args, progress)
    except SymdlError as exc:
        print(f"symdl: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except ModuleNotFoundError as exc:
        package = (exc.name or "").split(".")[0]
        if package not in DEPENDENCIES or os.environ.get("SYMDL_DEBUG"):
            return _internal(exc)
        print(f"symdl: error: the Python package '{package}' is missing from {sys.executable}: "
              f"install symdl with its dependencies (pip install -e . in the repository, or make key)",
              file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in _PATH_ERRNOS or exc.filename is None or os.environ.get("SYMDL_DEBUG"):
            return _internal(exc)
        print(one_line(f"symdl: error: {exc.filename}: {exc.strerror}", 500), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line naming it, the traceback on request
        return _internal(exc)
    return 2


def _internal(exc) -> int:
    if os.environ.get("SYMDL_DEBUG"):
        raise exc
    notes = "; ".join(getattr(exc, "__notes__", []))
    where = _innermost_frame(exc)
    print(one_line(f"symdl: internal error (a bug in symdl; rerun with SYMDL_DEBUG=1 for the "
                   f"traceback): {type(exc).__name__}: {exc}{' [' + where + ']' if where else ''}"
                   f"{' (' + notes + ')' if notes else ''}", 1000), file=sys.stderr)
    return EXIT_INTERNAL


def _innermost_frame(exc) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno}"
