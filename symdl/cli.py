"""Command line: parse arguments, call the library, map symdl's errors to exit statuses."""

from __future__ import annotations

import argparse
import sys


def _parser():
    parser = argparse.ArgumentParser(prog="python -m symdl",
                                     description="Derive verified answer keys for deep-learning exams.")
    sub = parser.add_subparsers(dest="command", required=True)
    derive = sub.add_parser("derive", help="write the answer key (.tex, .pdf, answers.json)")
    derive.add_argument("spec", nargs="?", help="exam spec (TOML); default: the DI504 midterm")
    derive.add_argument("--out", default="out", help="output folder (default: out)")
    derive.add_argument("--no-pdf", action="store_true", help="skip the PDF build")
    derive.add_argument("--time-limit", type=float, default=120.0, help="seconds per question (default 120)")
    check = sub.add_parser("check", help="derive and verify without rendering; print the checks")
    check.add_argument("spec", nargs="?", help="exam spec (TOML); default: the DI504 midterm")
    check.add_argument("--time-limit", type=float, default=120.0, help="seconds per question (default 120)")
    init = sub.add_parser("init", help="write a copy of the DI504 exam spec as a starting point")
    init.add_argument("dir", help="folder to write the spec into")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from symdl.errors import SymdlError

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
            _print_checks(report)
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
    return 2


def _print_checks(report):
    from symdl.verify import describe

    rows = [("question", "answer", "derived", "independent", "agree")]
    for result in report.results:
        for check in result.checks:
            rows.append((result.question.id, check.name, describe(check.derived),
                         describe(check.independent), "yes" if check.ok else "NO"))
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(5)]
    for row in rows:
        print("  ".join(cell[:48].ljust(w) for cell, w in zip(row, widths)).rstrip())
    total = sum(len(r.checks) for r in report.results)
    bad = sum(len(r.failures) for r in report.results)
    print(f"{total - bad} of {total} answers agree with their independent recomputation")
