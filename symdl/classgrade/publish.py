"""``OUT/<exam id>-grades/``: grades.csv, problems.csv, feedback/<student>.html, feedback.tex and
feedback.pdf, written as ``derive`` writes its folder (staged, a manifest, moved into place under
a lock; a folder holding files symdl did not write is never touched)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from symdl import outdir
from symdl.errors import BuildError

from . import feedback
from symdl.render import pdf as pdf_render


def folder_name(exam) -> str:
    return f"{exam.id}-grades"


def check_out(out, exam):
    """Refuse (exit 2) before any grading when ``OUT/<exam id>-grades`` may not be replaced."""
    outdir.check_out(Path(out), Path(out) / folder_name(exam))


def grades_csv(grades) -> str:
    """student, every item's points, every part's, every question's, total (one row a student)."""
    plans = grades.plans
    parts = [(p.question.id, part) for p in plans for part in dict.fromkeys(i.part for i in p.items)]
    header = ["student"] + [i.column for p in plans for i in p.items]
    header += [f"{qid}.{part}" for qid, part in parts if part is not None]
    header += [p.question.id for p in plans] + ["total"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for s in grades.students:
        row = [s.student] + [feedback.points(m.earned) for m in s.marks]
        row += [feedback.points(s.parts.get(key, 0)) for key in parts if key[1] is not None]
        row += [feedback.points(s.questions[p.question.id]) for p in plans] + [feedback.points(s.total)]
        writer.writerow(row)
    return buffer.getvalue()


def problems_csv(grades) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "row", "column", "written", "problem"])
    for p in grades.problems:
        writer.writerow([p.student, p.row, p.column, p.text, p.why])
    return buffer.getvalue()


def file_names(students) -> dict:
    """student -> a safe, unique file stem (letters, digits, '-', '_', '.'; unique ignoring case)."""
    names, taken = {}, set()
    for s in students:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", s.student).strip("-.")[:60] or "student"
        candidate, n = stem, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate.lower())
        names[s.student] = candidate
    return names


def sources(grades) -> dict:
    """Relative file name -> text of every file but the PDF."""
    files = {"grades.csv": grades_csv(grades), "problems.csv": problems_csv(grades)}
    stems = file_names(grades.students)
    for s in grades.students:
        files[f"feedback/{stems[s.student]}.html"] = feedback.html(grades, s)
    files["feedback.tex"] = feedback.tex(grades)
    return files


def write(grades, out, *, pdf=True, progress=None) -> Path:
    """Write the folder; returns it. A TeX failure leaves the other files in place (BuildError, exit 1)."""
    files = sources(grades)

    def fill(staging):
        outdir.write_files(staging, files)
        if pdf and pdf_render.tex_available():
            if progress:
                progress("building feedback.pdf with latexmk")
            return _build(staging)
        return None

    final, error = outdir.publish(Path(out), folder_name(grades.exam), fill, what="the grades")
    if error is not None:
        raise BuildError(f"{error.message}; no feedback.pdf, the other files written to {final}")
    return final


def _build(staging: Path):
    """feedback.pdf from feedback.tex (render/pdf.py's safe build); the BuildError or None."""
    import contextlib


    try:
        pdf_render.build(staging / "feedback.tex", timeout=600)
    except BuildError as exc:
        with contextlib.suppress(OSError):
            (staging / "feedback.pdf").unlink()
        pdf_render.clean(staging, "feedback")
        return exc
    pdf_render.clean(staging, "feedback")
    return None
