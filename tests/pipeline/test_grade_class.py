"""``symdl grade`` on a synthetic DI504 class of 60 (bench/grade_class.py: roundings to 2-5 figures,
every derived mistake, blanks, unreadable cells, errors carried forward computed with numpy), every
item and total checked against the independent grader of grade_reference.py."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from fractions import Fraction
from types import SimpleNamespace

import pytest

import grade_reference as ref
from symdl import classgrade
from symdl.classgrade import responses
from symdl.solve import solve_exam
from symdl.render import answers_json
from support import TESTS

ROOT = TESTS.parent


@pytest.fixture(scope="module")
def di504():
    report = solve_exam()
    text = answers_json.render(report.exam, report.results)
    exact = ref.exact_json(text)
    items = ref.items_of(exact, report)
    plans = classgrade.plans(report)
    columns = classgrade.columns(plans)
    criteria = {c: p for c, p, _, name, _ in items if name is None}
    students = ref.gc.synthetic(json.loads(text), columns, criteria, count=60, seed=0)
    return SimpleNamespace(report=report, exact=exact, items=items, plans=plans, columns=columns,
                           students=students, table=ref.gc.layers())


@pytest.fixture(scope="module")
def class_csv(di504, tmp_path_factory):
    path = tmp_path_factory.mktemp("class") / "students.csv"
    path.write_text(ref.gc.csv_text(di504.students, di504.columns), encoding="utf-8")
    return path


def _library(di504, class_csv, carry=True):
    by_column = {i.column: i for p in di504.plans for i in p.items}
    rows = responses.read(class_csv, by_column)
    plans = di504.plans if carry else classgrade.plans(di504.report, carry=False)
    return classgrade.grade_rows(di504.report.exam, plans, rows, carry=carry)


def test_the_class_has_every_kind_of_student(di504):
    stories = [s for _, _, s in di504.students]
    assert len(di504.students) == 60
    assert sum("figures" in s for s in stories) >= 16
    answers = {q["id"]: q["answers"] for q in di504.exact["questions"]}
    names = {(q, m["name"]) for q, a in answers.items() for v in a.values() for m in v["mistakes"]}
    shaped = {(s.split(":")[0], re.search(r"mistake '(.*)'", s).group(1)) for s in stories if "mistake '" in s}
    assert len(shaped) >= len(names) - 2          # a mistake whose value changes shape is left out
    assert sum("blank" in s for s in stories) == 5
    assert any(s.startswith("Q4: padding counted once") for s in stories)


def test_every_item_and_total_matches_the_independent_grader(di504, class_csv):
    grades = _library(di504, class_csv)
    assert [s.student for s in grades.students] == [name for name, _, _ in di504.students]
    for (name, cells, story), student in zip(di504.students, grades.students):
        earned, total = ref.grade(cells, di504.exact, di504.items, table=di504.table)
        got = {m.item.column: m.earned for m in student.marks}
        wrong = {c: (float(got[c]), float(earned[c])) for c in earned if got[c] != earned[c]}
        assert not wrong, f"{name} ({story}): {wrong}"
        assert student.total == total, f"{name} ({story})"


def test_without_carry_forward_the_independent_grader_agrees_too(di504, class_csv):
    grades = _library(di504, class_csv, carry=False)
    for (name, cells, story), student in zip(di504.students, grades.students):
        _, total = ref.grade(cells, di504.exact, di504.items, carry=False)
        assert student.total == total, f"{name} ({story})"
        assert not any(m.status == "carried" for m in student.marks)


def test_carried_errors_earn_their_points_and_degenerate_ones_do_not(di504, class_csv):
    grades = _library(di504, class_csv)
    by_story = {s: g for (_, _, s), g in zip(di504.students, grades.students)}
    expect = {"Q2: z with the bias": ("Q2", "z"), "Q3: case b": ("Q3", "b.scores"),
              "Q4: padding counted once": ("Q4", "conv1_1.output"), "Q4: pool2": ("Q4", "pool2.output"),
              "Q5: 150 iterations": ("Q5", "iterations_per_epoch")}
    for start, (qid, source) in expect.items():
        student = next(g for s, g in by_story.items() if s.startswith(start))
        carried = [m for m in student.marks if m.status == "carried"]
        assert carried and any(m.carried_from == (source,) for m in carried), start
        assert all(m.item.column.startswith(qid + ".") for m in carried)
    q4 = next(g for s, g in by_story.items() if s.startswith("Q4: padding counted once"))
    credited = {m.item.column for m in q4.marks if m.status == "carried"}
    # a shape is one item; fc7's weights take their input size from the student's own pool3
    assert "Q4.pool1.output" in credited and "Q4.fc7.weights" in credited
    for start in ("Q3: case c's scores all 0", "Q2: z = 46", "Q5: 1 iteration", "Q4: conv1_1 of 2808000"):
        student = next(g for s, g in by_story.items() if s.startswith(start))
        assert not any(m.status == "carried" for m in student.marks), start
        assert any("nothing carried forward" in m.note for m in student.marks), start


def test_mistakes_are_named_with_their_sentence(di504, class_csv):
    grades = _library(di504, class_csv)
    whys = {(r.question.id, m.name): m.why for r in di504.report.results for a in r.solution.meta.values()
            for m in a.mistakes}
    named = 0
    for (_, _, story), student in zip(di504.students, grades.students):
        if "mistake '" not in story or "figures" in story:
            continue
        qid, name = story.split(":")[0], re.search(r"mistake '(.*)'", story).group(1)
        said = {m.mistake for m in student.marks if m.item.column.startswith(qid + ".") and m.status == "wrong"}
        if said:
            named += 1
            assert whys[(qid, name)] in said, story
    assert named >= 8


def test_unreadable_cells_are_problems_and_the_class_is_graded(di504, class_csv):
    grades = _library(di504, class_csv)
    assert sorted(p.text for p in grades.problems) == ["0,773", "1.2.3", "abc"]
    assert {p.student for p in grades.problems} == {di504.students[-1][0]}
    assert len(grades.students) == 60


def test_the_command_writes_grades_csv_and_feedback(di504, class_csv, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "symdl", "grade", "--responses", str(class_csv), "--out",
                           str(tmp_path), "--no-pdf"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "row 61, column" in proc.stderr and "graded wrong" in proc.stderr
    folder = tmp_path / "di504-midterm-2021-grades"
    table = list(csv.DictReader(io.StringIO((folder / "grades.csv").read_text(encoding="utf-8"))))
    assert len(table) == 60
    for (name, cells, story), row in zip(di504.students, table):
        _, total = ref.grade(cells, di504.exact, di504.items, table=di504.table)
        assert row["student"] == name
        assert abs(Fraction(row["total"]) - total) <= Fraction(1, 10**4), f"{name} ({story})"
    problems = list(csv.DictReader(io.StringIO((folder / "problems.csv").read_text(encoding="utf-8"))))
    assert len(problems) == 3
    pages = sorted((folder / "feedback").iterdir())
    assert len(pages) == 60 and all(p.suffix == ".html" for p in pages)
    assert (folder / "feedback.tex").exists() and (folder / ".symdl-manifest.json").exists()


def test_a_graph_node_carried_from_the_students_z1(di504, tmp_path):
    """Q1's node values are graded (as part b asks): a wrong z1 carries into every later node."""
    plans = classgrade.plans(di504.report)
    columns = classgrade.columns(plans)
    assert "Q1.forward.z1[0]" in columns
    items = ref.items_of(di504.exact, di504.report)
    criteria = {c: p for c, p, _, name, _ in items if name is None}
    text = answers_json.render(di504.report.exam, di504.report.results)
    students = ref.gc.synthetic(json.loads(text), columns, criteria, count=60, seed=0)
    path = tmp_path / "class.csv"
    path.write_text(ref.gc.csv_text(students, columns), encoding="utf-8")
    rows = responses.read(path, {i.column: i for p in plans for i in p.items})
    grades = classgrade.grade_rows(di504.report.exam, plans, rows)
    for (name, cells, story), student in zip(students, grades.students):
        earned, total = ref.grade(cells, di504.exact, items, table=di504.table)
        got = {m.item.column: m.earned for m in student.marks}
        assert got == earned and student.total == total, f"{name} ({story})"
    z1 = next(g for (_, _, s), g in zip(students, grades.students) if s.startswith("Q1: z1"))
    carried = {m.item.column: m.carried_from for m in z1.marks if m.status == "carried"}
    assert carried["Q1.forward.z2[0]"] == ("forward.z1",)
    assert {"Q1.output[0]", "Q1.forward.z3[0]", "Q1.grad.z2[0]", "Q1.grad.W[0][0]"} <= set(carried)
    # grad.x was computed from the unrounded gradient at z1, the carried value from the student's written
    # 1.2214 and 2.9154: 0.75247 against 0.75248, apart by more than the 5th figure; the grader above agrees
    wrong = {m.item.column for m in z1.marks if m.item.column.startswith("Q1.") and m.status == "wrong"}
    assert "Q1.forward.z1[0]" in wrong and wrong <= {"Q1.forward.z1[0]", "Q1.grad.x[0]", "Q1.grad.x[1]"}


def test_the_printed_feedback_fits_the_page(di504, class_csv, tmp_path, monkeypatch):
    """TeX's log of feedback.pdf for students with the longest cells (every digit of a double) and
    carried, mistaken and unreadable items: no overfull box."""
    import shutil

    from symdl.classgrade import publish
    from symdl.render import pdf as pdf_render

    if shutil.which("latexmk") is None:
        pytest.skip("no TeX")
    logs = []
    monkeypatch.setattr(pdf_render, "read_log", lambda tex, log: logs.append(log))
    grades = _library(di504, class_csv)
    stories = [s for _, _, s in di504.students]
    keep = [0, stories.index(next(s for s in stories if s.startswith("Q4: padding counted once"))),
            stories.index(next(s for s in stories if "mistake" in s)), len(stories) - 1]
    grades.students = [grades.students[i] for i in keep]
    folder = publish.write(grades, tmp_path, pdf=True)
    assert (folder / "feedback.pdf").exists() and len(logs) == 1
    assert "Overfull" not in logs[0]
