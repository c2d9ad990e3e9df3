"""The commands' work: each reads the spec once, calls the library and says what it wrote, one line each.

symdl.cli parses the arguments, imports this module once they parse, and maps symdl's errors to
exit statuses. The modules only ``variants``, ``export`` and ``grade`` use (multiprocessing, the
LMS writers, class grading: 0.07 s of CPU time) are imported by those commands alone, so that
``derive`` does not pay for them; each is imported before ``--time-limit``'s clock starts.
"""

from __future__ import annotations

import contextlib
import shlex
import sys

from symdl import solve
from symdl.deadline import reading
from symdl.derive import derive, write_template
from symdl.errors import UsageError
from symdl.render import sheet
from symdl.check.verify import describe


def run(args, progress) -> int:
    """Run ``args.command``; ``progress`` prints a line on stderr."""
    return COMMANDS[args.command](args, progress)


def _reading(args):
    """``--time-limit`` over reading the spec too (symdl.deadline.reading), for the commands that have one;
    entered once the command's modules are imported: the limit is on reading the spec, not on importing."""
    if getattr(args, "time_limit", None) is None:
        return contextlib.nullcontext()
    return reading(args.time_limit, getattr(args, "spec", None) or "the DI504 spec")


def _derive(args, progress) -> int:
    with _reading(args):
        report = derive(args.spec, args.out, pdf="pdf" in args.format and not args.no_pdf,
                        html="html" in args.format, time_limit_s=args.time_limit,
                        progress=progress, data_dirs=args.data_dir, detail=args.detail)
    if report.pdf_note:
        progress(report.pdf_note)
    progress(f"wrote {report.folder}: {', '.join(report.files)}")
    return 0


def _check(args, progress) -> int:
    with _reading(args):
        report = solve.solve_exam(args.spec, time_limit_s=args.time_limit, progress=progress,
                                  data_dirs=args.data_dir)
    sys.stdout.write(check_table(report))
    sys.stdout.flush()
    return 0 if report.verified else 1


def _sheet(args, progress) -> int:
    folder = sheet.write(args.spec, args.out, pdf=not args.no_pdf, data_dirs=args.data_dir, progress=progress)
    progress(f"wrote {folder}: {', '.join(sorted(p.name for p in folder.iterdir() if not p.name.startswith('.')))}")
    return 0


def _init(args, progress) -> int:
    paths = write_template(args.dir)
    for path in paths:
        print(path)
    spec = next((p for p in paths if p.suffix == ".toml"), paths[0])
    print(f"next: python -m symdl derive {shlex.quote(str(spec))}")
    return 0


def _variants(args, progress) -> int:
    """The variants command: derive, verify and write them; one line per variant on stderr."""
    import symdl.export, symdl.variants.out  # noqa: E401  (here: derive does not import them, see above)

    export = symdl.export.targets(args.export) if args.export else ()
    if not export and (args.multiple_choice or args.math):
        raise UsageError("--multiple-choice and --math are only used with --export")
    with _reading(args):
        written = symdl.variants.out.write(args.spec, args.count, args.seed, args.out, pdf=not args.no_pdf,
                                           data_dirs=args.data_dir, time_limit_s=args.time_limit,
                                           progress=progress, export=export,
                                           multiple_choice=args.multiple_choice, math=args.math)
    if written.pdf_note:
        progress(written.pdf_note)
    exports = "".join(f", {name}" for name in written.exports)
    seconds = written.seconds
    progress(f"wrote {written.folder}: {len(written.variants)} variants, manifest.csv{exports} "
             f"({seconds['total']:.1f} s: derive and export {seconds['derive']:.1f} s, TeX {seconds['tex']:.1f} s)")
    return 0


def _export(args, progress) -> int:
    from symdl.variants import lms  # here: derive does not import it, see above

    if args.seed is not None and args.variants is None:
        raise UsageError("--seed is only used with --variants")
    with _reading(args):
        path = lms.export_spec(args.target, args.spec, args.out, variants=args.variants, seed=args.seed,
                               multiple_choice=args.multiple_choice, math=args.math,
                               time_limit_s=args.time_limit, data_dirs=args.data_dir, progress=progress)
    progress(f"wrote {path}")
    return 0


def _grade(args, progress) -> int:
    from symdl import classgrade  # here: derive does not import it, see above

    with _reading(args):
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


COMMANDS = {"derive": _derive, "check": _check, "sheet": _sheet, "init": _init, "variants": _variants,
            "export": _export, "grade": _grade}


def check_rows(report) -> list:
    """One row per answer: question, answer, derived, independent, agreement (and a note)."""
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
