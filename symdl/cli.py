"""Command line: parse arguments, call the library, map symdl's errors to exit statuses.

Exit statuses: 0 everything derived and verified; 1 an answer disagrees with its independent
recomputation, or the PDF build failed; 2 bad input (spec, data file, argument); 3 an
internal error (a bug in symdl: one line, the traceback with ``SYMDL_DEBUG=1``).
"""

from __future__ import annotations

import argparse
import os
import sys

EXIT_INTERNAL = 3


def _positive(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _parser():
    parser = argparse.ArgumentParser(prog="python -m symdl",
                                     description="Derive verified answer keys for deep-learning exams.")
    sub = parser.add_subparsers(dest="command", required=True)
    derive = sub.add_parser("derive", help="write the answer key (.tex, .pdf, answers.json)")
    derive.add_argument("spec", nargs="?", help="exam spec (TOML); default: the DI504 midterm")
    derive.add_argument("--out", default="out", help="output folder (default: out)")
    derive.add_argument("--no-pdf", action="store_true", help="skip the PDF build")
    derive.add_argument("--time-limit", type=_positive, default=120.0,
                        help="seconds per question (default 120)")
    check = sub.add_parser("check", help="derive and verify without rendering; print the checks")
    check.add_argument("spec", nargs="?", help="exam spec (TOML); default: the DI504 midterm")
    check.add_argument("--time-limit", type=_positive, default=120.0,
                       help="seconds per question (default 120)")
    init = sub.add_parser("init", help="write a copy of the DI504 exam spec as a starting point")
    init.add_argument("dir", help="folder to write the spec into")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from symdl.errors import SymdlError, one_line

    def progress(line):
        print(line, file=sys.stderr, flush=True)

    try:
        if args.command == "derive":
            from symdl.derive import derive

            report = derive(args.spec, args.out, pdf=not args.no_pdf, time_limit_s=args.time_limit,
                            progress=progress)
            if report.pdf_note:
                progress(report.pdf_note)
            progress(f"wrote {report.folder}: {', '.join(report.files)}")
            return 0
        if args.command == "check":
            from symdl.derive import solve_exam

            report = solve_exam(args.spec, time_limit_s=args.time_limit, progress=progress)
            sys.stdout.write(check_table(report))
            sys.stdout.flush()
            return 0 if report.verified else 1
        if args.command == "init":
            from symdl.derive import write_template

            for path in write_template(args.dir):
                print(path)
            return 0
    except SymdlError as exc:
        print(f"symdl: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("symdl: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line naming it, the traceback on request
        if os.environ.get("SYMDL_DEBUG"):
            raise
        notes = "; ".join(getattr(exc, "__notes__", []))
        where = _innermost_frame(exc)
        print(one_line(f"symdl: internal error (a bug in symdl; rerun with SYMDL_DEBUG=1 for the "
                       f"traceback): {type(exc).__name__}: {exc}{' [' + where + ']' if where else ''}"
                       f"{' (' + notes + ')' if notes else ''}", 1000), file=sys.stderr)
        return EXIT_INTERNAL
    return 2


def _innermost_frame(exc) -> str:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno}"


def check_rows(report) -> list:
    """One row per answer: question, answer, derived, independent, agreement (and a note)."""
    from symdl.verify import describe

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
