"""Grading a class: ``python -m symdl grade SPEC --responses students.csv`` (docs/grading.md).

The exam is derived and verified as ``derive`` does it; ``symdl.grading.rubric.items`` gives every
graded item (one CSV column each), ``symdl.grading.rubric.judge`` judges a student's number or yes/no;
a criterion earns the points the TA wrote. A wrong value is matched against the answer's
derived mistakes, and error carried forward credits an answer computed correctly from the
student's own earlier wrong answer (``Kind.carry``), unless ``[exam] grading.carry_forward``
is false. Results go to ``OUT/<exam id>-grades/`` (``publish``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction

from . import publish, responses, score
from symdl.solve import solve_loaded
from symdl.errors import UsageError, VerificationFailed
from symdl.input.spec import default_spec, load_exam


@dataclass
class StudentGrade:
    """One student's marks, in the order of the items, and the sums per part, question and exam."""

    student: str
    row: int
    marks: list
    parts: dict = field(default_factory=dict)          # (question id, part) -> Fraction
    questions: dict = field(default_factory=dict)      # question id -> Fraction
    total: Fraction = Fraction(0)


@dataclass
class ClassGrades:
    exam: object
    plans: list
    students: list
    problems: list                  # responses.Problem
    carry_forward: bool = True


def carry_forward(exam) -> bool:
    """``[exam] grading.carry_forward`` (default on), read defensively from whatever holds it."""
    grading = getattr(exam, "grading", None)
    if grading is None:
        return True
    if isinstance(grading, dict):
        return bool(grading.get("carry_forward", True))
    return bool(getattr(grading, "carry_forward", True))


def plans(report, carry=None) -> list:
    """A score.Plan per question of a solved exam (derive.Report)."""
    on = carry_forward(report.exam) if carry is None else carry
    return [score.plan(r.question, r.solution, r.kind, carry_forward=on) for r in report.results]


def columns(plans_) -> list:
    """The CSV's header: ``student`` and every item's column, in the exam's order."""
    return ["student"] + [item.column for p in plans_ for item in p.items]


def grade_rows(exam, plans_, rows, carry=True) -> ClassGrades:
    """Every student's grade (no file read or written): the library function behind ``grade``."""
    students, problems = [], []
    for row in rows:
        marks, parts, questions = [], {}, {}
        for p in plans_:
            found, trouble = score.grade(p, row)
            marks += found
            problems += [responses.Problem(row.student, row.row, c, t, w) for c, t, w in trouble]
            qid = p.question.id
            questions[qid] = sum((m.earned for m in found), Fraction(0))
            for m in found:
                parts[(qid, m.item.part)] = parts.get((qid, m.item.part), Fraction(0)) + m.earned
        students.append(StudentGrade(row.student, row.row, marks, parts, questions,
                                     sum(questions.values(), Fraction(0))))
    return ClassGrades(exam, plans_, students, problems, carry)


def solve(spec=None, *, data_dirs=(), time_limit_s=120.0):
    """The exam derived and verified (derive.Report); a spec that draws values per student is refused."""
    exam = load_exam(spec or default_spec(), data_dirs=data_dirs)
    if exam.draws:
        raise UsageError("the spec draws values for each student's variant; grading a class of variants is "
                         "not supported (grade each variant's spec with its own students)", file=exam.file)
    report = solve_loaded(exam, time_limit_s=time_limit_s, data_dirs=data_dirs)    # the spec read once
    if not report.verified:
        names = [f"{r.question.id}:{c.name}" for r in report.results for c in r.failures] or ["no checked answer"]
        raise VerificationFailed(f"the answer key did not verify ({', '.join(names[:6])}); nothing graded "
                                 "(python -m symdl check shows the comparison)", file=exam.file)
    return report


def template(spec=None, *, data_dirs=(), time_limit_s=120.0) -> str:
    """The CSV header line for the exam at ``spec``."""
    report = solve(spec, time_limit_s=time_limit_s, data_dirs=data_dirs)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns(plans(report, carry=False)))
    return buffer.getvalue()


def grade_class(spec, responses_csv, out="out", *, pdf=True, data_dirs=(), time_limit_s=120.0, progress=None):
    """Grade every student of ``responses_csv`` and write ``OUT/<exam id>-grades/``; returns
    (ClassGrades, folder). Bad input (UsageError, exit 2) before anything is written."""
    report = solve(spec, time_limit_s=time_limit_s, data_dirs=data_dirs)
    publish.check_out(out, report.exam)
    plans_ = plans(report)
    by_column = {item.column: item for p in plans_ for item in p.items}
    rows = responses.read(responses_csv, by_column)
    grades = grade_rows(report.exam, plans_, rows, carry=carry_forward(report.exam))
    if progress:
        for problem in grades.problems:
            progress(f"{responses_csv}: row {problem.row}, column '{problem.column}': {problem.why}; graded wrong")
    folder = publish.write(grades, out, pdf=pdf, progress=progress)
    return grades, folder
