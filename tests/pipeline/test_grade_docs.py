"""docs/grading.md's worked example runs as written: its spec and students.csv through
``python -m symdl grade``, the grades.csv and the terminal lines the page shows."""

from __future__ import annotations

import re
import subprocess
import sys

from support import TESTS

DOC = TESTS.parent / "docs" / "grading.md"


def _blocks(kind):
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_worked_example_gives_the_documented_grades(tmp_path):
    (spec,), (students, grades) = _blocks("toml"), _blocks("csv")
    (tmp_path / "quiz3.toml").write_text(spec, encoding="utf-8")
    (tmp_path / "students.csv").write_text(students, encoding="utf-8")
    template = subprocess.run([sys.executable, "-m", "symdl", "grade", "quiz3.toml", "--template"], cwd=tmp_path,
                              capture_output=True, text=True)
    assert template.returncode == 0 and template.stdout == students.splitlines(keepends=True)[0]
    proc = subprocess.run([sys.executable, "-m", "symdl", "grade", "quiz3.toml", "--responses", "students.csv",
                           "--no-pdf"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "quiz3-grades"
    assert (folder / "grades.csv").read_text(encoding="utf-8") == grades
    shown = re.search(r"--no-pdf` prints\n\n((?:    .*\n)+)", DOC.read_text(encoding="utf-8")).group(1)
    assert [line.strip() for line in shown.splitlines()] == proc.stderr.strip().splitlines()
    ben = (folder / "feedback" / "Ben.html").read_text(encoding="utf-8")
    assert ben.count("error carried forward") >= 3
    dee = (folder / "feedback" / "Dee.html").read_text(encoding="utf-8")
    assert "it is zero" in dee and "right from your earlier answer" not in dee
    assert "0,01845" in (folder / "problems.csv").read_text(encoding="utf-8")
