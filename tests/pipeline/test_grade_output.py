"""``grade``'s output folder: everything escaped (HTML and LaTeX), safe file names, the printed
feedback built by TeX, and a folder holding files symdl did not write left untouched."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from support import TESTS

DOC = TESTS.parent / "docs" / "grading.md"
HEADER = "student,Q1.a.scores[0],Q1.a.scores[1],Q1.a.scores[2],Q1.a.probs[0],Q1.a.probs[1],Q1.a.probs[2]\n"


@pytest.fixture
def quiz(tmp_path):
    spec = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    (tmp_path / "quiz3.toml").write_text(spec, encoding="utf-8")
    return tmp_path


def _grade(folder, *extra):
    return subprocess.run([sys.executable, "-m", "symdl", "grade", "quiz3.toml", "--responses", "students.csv",
                           *extra], cwd=folder, capture_output=True, text=True)


def test_everything_is_escaped_and_the_printed_feedback_builds(quiz):
    if shutil.which("latexmk") is None:
        pytest.skip("no TeX")
    rows = ['"<script>alert(1)</script>",-1,2,2.5,<b>1</b>,0.37058,0.61098',
            '"Zoë_{#}%$&\\ ~^",-1,1.5,2.5,0.021599,0.26313,0.71527',
            '../../etc/passwd,-1,2,2.5,0.01845,0.37058,0.61098',
            '../../ETC/passwd ,0,0,0,,,']
    (quiz / "students.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    proc = _grade(quiz)
    assert proc.returncode == 0, proc.stderr
    folder = quiz / "out" / "quiz3-grades"
    pages = sorted(p.name for p in (folder / "feedback").iterdir())
    assert len(pages) == 4 and all(re.fullmatch(r"[A-Za-z0-9_.-]+\.html", p) for p in pages)
    assert len({p.lower() for p in pages}) == 4
    for page in (folder / "feedback").iterdir():
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and "<b>" not in html
        assert "<h2>Question 1: " in html and "Question Q1" not in html    # headings as the exam numbers them
    assert "&lt;script&gt;" in "".join(p.read_text(encoding="utf-8") for p in (folder / "feedback").iterdir())
    assert "<b>1</b>" in (folder / "problems.csv").read_text(encoding="utf-8")
    text = subprocess.run(["pdftotext", str(folder / "feedback.pdf"), "-"], capture_output=True, text=True).stdout
    assert "<script>alert(1)</script>" in text and "Zoë_{#}%$&\\" in text
    assert text.count("error carried forward") >= 3
    assert "Question 1" in text and "Question Q1" not in text


def test_a_folder_with_files_symdl_did_not_write_is_left_alone(quiz):
    (quiz / "students.csv").write_text(HEADER + "ann,-1,2,2.5,0.01845,0.37058,0.61098\n", encoding="utf-8")
    assert _grade(quiz, "--no-pdf").returncode == 0
    folder = quiz / "out" / "quiz3-grades"
    assert _grade(quiz, "--no-pdf").returncode == 0            # its own folder: replaced
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    before = (folder / "grades.csv").read_bytes()
    (quiz / "students.csv").write_text(HEADER + "bob,0,0,0,0,0,0\n", encoding="utf-8")
    proc = _grade(quiz, "--no-pdf")
    assert proc.returncode == 2 and "notes.txt" in proc.stderr
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (folder / "grades.csv").read_bytes() == before


def test_a_spec_that_draws_variants_is_refused(quiz):
    spec = (quiz / "quiz3.toml").read_text(encoding="utf-8")
    spec = re.sub(r"(?m)^W = .*$", 'W = { random = "uniform", low = -1, high = 1, step = 0.5, shape = [3, 2] }', spec)
    (quiz / "quiz3.toml").write_text(spec, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "symdl", "grade", "quiz3.toml", "--template"], cwd=quiz,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "quiz3.toml" in proc.stderr and "variants" in proc.stderr
    assert proc.stdout == ""


def test_an_answer_key_that_does_not_verify_grades_nobody(tmp_path):
    import fakekind

    from symdl import classgrade
    from symdl.errors import VerificationFailed

    fakekind.install()
    spec = tmp_path / "fake.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2", "lie": True, "points": 2}), encoding="utf-8")
    (tmp_path / "students.csv").write_text("student\nann\n", encoding="utf-8")
    with pytest.raises(VerificationFailed, match="did not verify"):
        classgrade.grade_class(spec, tmp_path / "students.csv", tmp_path / "out", pdf=False)
    assert not (tmp_path / "out").exists()
