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
import shlex
import signal
import sys
import threading
import warnings

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
        from symdl.errors import one_line

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
    from symdl import __version__

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


def _run_grade(args, progress) -> int:
    from symdl import classgrade

    if args.template:
        sys.stdout.write(classgrade.template(args.spec, data_dirs=args.data_dir, time_limit_s=args.time_limit))
        return 0
    grades, folder = classgrade.grade_class(args.spec, args.responses, args.out, pdf=not args.no_pdf,
                                            data_dirs=args.data_dir, time_limit_s=args.time_limit,
                                            progress=progress)
    carried = sum(m.status == "carried" for s in grades.students for m in s.marks)
    progress(f"wrote {folder}: grades.csv, problems.csv, feedback/ ({len(grades.students)} students), feedback.tex"
             f"{', feedback.pdf' if (folder / 'feedback.pdf').exists() else ''}; {len(grades.problems)} "
             f"cell(s) not readable, {carried} item(s) credited by error carried forward")
    return 0


def _run_sheet(args, progress) -> int:
    from symdl.render.sheet import write

    folder = write(args.spec, args.out, pdf=not args.no_pdf, data_dirs=args.data_dir, progress=progress)
    progress(f"wrote {folder}: {', '.join(sorted(p.name for p in folder.iterdir() if not p.name.startswith('.')))}")
    return 0


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


def _run_variants(args, progress) -> int:
    """The variants command: derive, verify and write them; one line per variant on stderr."""
    from symdl.errors import UsageError
    from symdl.export import targets
    from symdl.variants_out import write

    export = targets(args.export) if args.export else ()
    if not export and (args.multiple_choice or args.math):
        raise UsageError("--multiple-choice and --math are only used with --export")
    written = write(args.spec, args.count, args.seed, args.out, pdf=not args.no_pdf, data_dirs=args.data_dir,
                    time_limit_s=args.time_limit, progress=progress, export=export,
                    multiple_choice=args.multiple_choice, math=args.math)
    if written.pdf_note:
        progress(written.pdf_note)
    exports = "".join(f", {name}" for name in written.exports)
    seconds = written.seconds
    progress(f"wrote {written.folder}: {len(written.variants)} variants, manifest.csv{exports} "
             f"({seconds['total']:.1f} s: derive and export {seconds['derive']:.1f} s, TeX {seconds['tex']:.1f} s)")
    return 0


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


def _run_export(args, progress) -> int:
    from symdl.export import export_spec

    if args.seed is not None and args.variants is None:
        from symdl.errors import UsageError

        raise UsageError("--seed is only used with --variants")
    path = export_spec(args.target, args.spec, args.out, variants=args.variants, seed=args.seed,
                       multiple_choice=args.multiple_choice, math=args.math,
                       time_limit_s=args.time_limit, data_dirs=args.data_dir, progress=progress)
    progress(f"wrote {path}")
    return 0


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
        with _signals_and_warnings(), _reading(args):
            return _run(args)
    except Interrupted as exc:
        print(f"symdl: interrupted by {signal.Signals(exc.signum).name}; no partial output left", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("symdl: interrupted", file=sys.stderr)
        return 130


def _reading(args):
    """``--time-limit`` over reading the spec too (symdl.deadline.reading), for the commands that have one."""
    if getattr(args, "time_limit", None) is None:
        return contextlib.nullcontext()
    try:        # imported before the clock starts: the limit is on reading the spec, not on importing SymPy
        import symdl.derive  # noqa: F401
        if args.command != "derive":    # derive imports it only for a spec with draws
            import symdl.variants  # noqa: F401
    except ImportError:
        return contextlib.nullcontext()     # _run reports the missing package
    from symdl.deadline import reading

    return reading(args.time_limit, getattr(args, "spec", None) or "the DI504 spec")


def _run(args) -> int:
    from symdl.errors import SymdlError, UsageError, one_line

    def progress(line):
        print(line, file=sys.stderr, flush=True)

    try:
        for folder in getattr(args, "data_dir", []):
            if not os.path.isdir(folder):
                raise UsageError("--data-dir: not a folder", file=folder)
        if args.command == "derive":
            from symdl.derive import derive

            report = derive(args.spec, args.out, pdf="pdf" in args.format and not args.no_pdf,
                            html="html" in args.format, time_limit_s=args.time_limit,
                            progress=progress, data_dirs=args.data_dir, detail=args.detail)
            if report.pdf_note:
                progress(report.pdf_note)
            progress(f"wrote {report.folder}: {', '.join(report.files)}")
            return 0
        if args.command == "variants":
            return _run_variants(args, progress)
        if args.command == "check":
            from symdl.derive import solve_exam

            report = solve_exam(args.spec, time_limit_s=args.time_limit, progress=progress,
                                data_dirs=args.data_dir)
            sys.stdout.write(check_table(report))
            sys.stdout.flush()
            return 0 if report.verified else 1
        if args.command == "sheet":
            return _run_sheet(args, progress)
        if args.command == "export":
            return _run_export(args, progress)
        if args.command == "grade":
            return _run_grade(args, progress)
        if args.command == "init":
            from symdl.derive import write_template

            paths = write_template(args.dir)
            for path in paths:
                print(path)
            spec = next((p for p in paths if p.suffix == ".toml"), paths[0])
            print(f"next: python -m symdl derive {shlex.quote(str(spec))}")
            return 0
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
    from symdl.errors import one_line

    if os.environ.get("SYMDL_DEBUG"):
        raise exc
    notes = "; ".join(getattr(exc, "__notes__", []))
    where = _innermost_frame(exc)
    print(one_line(f"symdl: internal error (a bug in symdl; rerun with SYMDL_DEBUG=1 for the "
                   f"traceback): {type(exc).__name__}: {exc}{' [' + where + ']' if where else ''}"
                   f"{' (' + notes + ')' if notes else ''}", 1000), file=sys.stderr)
    return EXIT_INTERNAL


def _innermost_frame(exc) -> str:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno}"


def check_rows(report) -> list:
    """One row per answer: question, answer, derived, independent, agreement (and a note)."""
    from symdl.check.verify import describe

    rows = []
    for result in report.results:
        for check in result.checks:
            rows.append((result.question.id, check.name, describe(check.derived),
                         describe(check.independent), "yes" if check.ok else "NO", check.note))
    return rows


def check_table(report, width=60) -> str:
    """The check table as text: a header, one line per answer, then a summary line.

    Question and answer names are shown whole; long values are cut at ``width`` characters.
    """
    header = ("question", "answer", "derived", "independent", "agree")
    body = check_rows(report)
    rows = [header] + [r[:5] for r in body]

    def clip(cell):
        return cell if len(cell) <= width else cell[: width - 3] + "..."

    rows = [(q, a, clip(d), clip(i), ok) for q, a, d, i, ok in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for row, full in zip(rows, [None] + body):
        line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        if full is not None and full[5]:
            line += f"  ({full[5]})"
        lines.append(line)
    lines.insert(1, "  ".join("-" * w for w in widths))
    total = len(body)
    bad = [f"{r[0]}:{r[1]}" for r in body if r[4] != "yes"]
    unchecked = [r.question.id for r in report.results if not r.checks]
    summary = f"{total - len(bad)} of {total} answers agree with their independent recomputation"
    if bad:
        summary += f"; DISAGREE: {', '.join(bad)}"
    if unchecked:
        summary += f"; no checked answer in: {', '.join(unchecked)}"
    lines.append(summary)
    return "\n".join(lines) + "\n"
