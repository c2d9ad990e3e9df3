"""Three documents from one derivation: the model answers (summary first, finals boxed), the
grader's rubric and the instructor's verification report; read back from the PDFs."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import fakekind
from symdl.derive import derive
from symdl.render import pdf as pdf_render
from symdl.render.documents import FOOTER_VERIFIED, final_tex, value_parts
from symdl.input.spec import default_spec

needs_tex = pytest.mark.skipif(not pdf_render.tex_available(), reason="latexmk/pdflatex not installed")
MODEL_WORDS = ("spec field", "float64", "symdl")       # never in the model answers (issue 12)


def pdf_text(path, first=None, last=None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(first), "-l", str(last)] if first else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


FAKE = """[exam]
id = "fake-exam"
title = "Sums"

[[question]]
id = "Q1"
kind = "fake"
points = 4
a = "1"
b = "2"
[question.parts]
a = { text = "Add a and b.", points = 4 }

[[question]]
id = "Q2"
kind = "fake"
points = 6
a = "0.25"
b = "0.5"
"""


@pytest.fixture
def fake_documents(tmp_path):
    fakekind.install()
    spec = tmp_path / "sums.toml"
    spec.write_text(FAKE)

    def run(detail="model", pdf=True):
        report = derive(spec, tmp_path / f"out-{detail}", pdf=pdf, detail=detail)
        return report, report.folder
    return run


@needs_tex
def test_model_answers_summary_rubric_and_verification(fake_documents):
    report, folder = fake_documents()
    assert {"answer-key.pdf", "grading.pdf", "verification.pdf"} <= set(report.files)
    summary = pdf_text(folder / "answer-key.pdf", 1, 1)
    # page 1: every part's final answer with its points; the rounding rule and the one footer line
    assert "Final answers" in summary and "4 pts" in summary
    assert re.search(r"s\s*=\s*3\b", summary) and re.search(r"s\s*=\s*0\.75\b", summary)
    flat = " ".join(summary.split())                # the footnote's lines joined
    assert "rounded to 5 significant digits" in flat and FOOTER_VERIFIED in flat
    key = pdf_text(folder / "answer-key.pdf")
    assert " ".join(key.split()).count(FOOTER_VERIFIED) == 1 and "(4 points)" in key
    assert not any(w in key.lower() for w in MODEL_WORDS)
    assert "commutative" not in key and "instructor's note" not in key      # "full" and "instructor" items
    assert "Check." not in key and "agree with an independent" not in key
    tex = (folder / "answer-key.tex").read_text()
    assert r"\boxed{3}" in tex and r"\boxed{0.75}" in tex                    # the boxed Step and summary

    rubric = pdf_text(folder / "grading.pdf")
    assert "Part a" in rubric and "(4 points)" in rubric and "(6 points)" in rubric
    assert "The two numbers added" in rubric and "Also accepted" in rubric
    assert "subtracted" in rubric and "-0.25" in rubric.replace("−", "-")   # a - b for 0.25, 0.5
    assert "exact" in rubric                                                 # 3: an integer
    doc = json.loads((folder / "answers.json").read_text())
    mistakes = {q["id"]: q["answers"]["sum"]["mistakes"] for q in doc["questions"]}
    # Q1: 1 + 2 = 3 rounds to itself, so "rounded" is no mistake there; Q2: 0.75 rounds to 1
    assert [[{k: m[k] for k in ("name", "value")} for m in ms] for ms in mistakes.values()] == [
        [{"name": "subtracted", "value": -1}], [{"name": "subtracted", "value": -0.25}, {"name": "rounded", "value": 1}]]
    assert [q["answers"]["sum"]["points"] for q in doc["questions"]] == [4, 6]

    check = pdf_text(folder / "verification.pdf")
    assert "Verification report" in check and "The sum was recomputed in floats." in check
    assert "instructor's note" in check and "commutative" not in check
    assert re.search(r"sum\s+3\s+3(\.0)?\s+yes", check)


@needs_tex
def test_detail_full_writes_the_complete_derivation(fake_documents):
    _, folder = fake_documents("full")
    key = pdf_text(folder / "answer-key.pdf")
    assert "commutative" in key and "instructor's note" not in key
    assert "complete derivation" in key


def test_detail_must_be_known(fake_documents, tmp_path):
    from symdl.errors import UsageError

    with pytest.raises(UsageError, match="unknown detail"):
        fake_documents("everything", pdf=False)


# ------------------------------------------------------------------------- DI504 ----

@pytest.fixture(scope="module")
def di504(tmp_path_factory):
    from symdl.solve import solve_exam

    from support import overfull

    from support import shared_derive

    report = shared_derive(tmp_path_factory, default_spec())    # made once for the run (test_sheet.py's too)
    report.grading_overfull = overfull({k: v for k, v in report.logs.items() if k == "grading"})
    return report, solve_exam()


MANY = 8          # a part with more final answers than this (Q4's table blanks) points to its table


def _in_a_table_part(solved, answer):
    r = next(r for r in solved.results if answer in r.solution.finals())
    same = [a for a in r.solution.finals() if a.part == answer.part]
    return len(same) > MANY and isinstance(answer.value, (list, tuple))


def test_di504_summary_lists_every_final_answer(di504):
    report, solved = di504
    tex = (report.folder / "answer-key.tex").read_text()
    summary = tex[tex.index("Final answers"):tex.index(r"\clearpage")]
    body = tex[tex.index(r"\clearpage"):]
    finals = [a for r in solved.results for a in r.solution.finals()]
    listed = [a for a in finals if not _in_a_table_part(solved, a)]
    tabled = [a for a in finals if _in_a_table_part(solved, a)]
    assert len(tabled) == 29 and "total.learnables" in [a.name for a in listed]   # Q4: 29 blanks, 1 total
    for answer in listed:
        assert final_tex(answer, compact=True) in summary, answer.name
    # the table's blanks: the summary points to the completed table, which shows every one of them
    assert r"and 29 more values: see the completed table on page~\pageref{answer-Q4}" in summary
    assert r"\label{answer-Q4}" in body
    for answer in tabled:
        _, value = value_parts(answer.value, answer.digits)
        assert f"${value}$" in body, answer.name
    if pdf_render.tex_available():
        page1 = "".join(pdf_text(report.folder / "answer-key.pdf", 1, 1).split())
        for answer in listed:                       # final answers at the policy's figures
            relation, shown = value_parts(answer.value, answer.figures)
            if relation is not None and re.fullmatch(r"-?[\d.]+", shown):
                assert shown.lstrip("-") in page1, answer.name
        assert "".join(FOOTER_VERIFIED.split()) in page1             # the summary is one page
        # the vectors are rows: Q3 case c's probabilities to 3 significant figures on one line of page 1
        # (softmax of s = W x + B + r by hand: 0.032189, 0.00019625, 0.012700, 0.95491)
        assert "0.03220.0001960.01270.955" in page1
    # a part with no final answer says so instead of staying blank
    for r in solved.results:
        for part, _, _ in r.question.part_list():
            if not [a for a in r.solution.finals() if a.part == part or part is None]:
                assert "see below" in summary or r"\fbox" in summary


def test_final_tex_compact_writes_a_column_as_a_transposed_row():
    import sympy

    from symdl.solution import Answer, Text

    column = Answer(name="p", value=sympy.Matrix([sympy.Rational(1, 4), sympy.Rational(3, 4)]), label="p")
    assert r"\begin{matrix}0.25 & 0.75\end{matrix}\right]^{\mathsf{T}}" in final_tex(column, compact=True)
    assert r"0.25\\0.75" in final_tex(column)                     # the rubric keeps the column
    shape = Answer(name="s", value=[2808, 33, 64], label="output size")
    assert final_tex(shape, compact=True) == final_tex(shape) and "2808 \\times 33" in final_tex(shape)
    # a label of words and math is words: no repr of the Text object
    worded = Answer(name="i", value=sympy.Integer(155), label=Text("iterations per epoch ", sympy.Symbol("I")))
    assert "Text(" not in final_tex(worded) and "iterations per epoch $I$" in final_tex(worded)


@needs_tex
def test_di504_model_answers_speak_as_the_instructor(di504):
    report, _ = di504
    key = pdf_text(report.folder / "answer-key.pdf")
    for word in MODEL_WORDS:
        assert word not in key.lower(), word
    assert " ".join(key.split()).count(FOOTER_VERIFIED) == 1 and "Check." not in key
    html = report.folder / "answer-key.html"
    if html.exists():
        assert not any(w in html.read_text().lower() for w in ("spec field", "float64"))


@needs_tex
def test_di504_model_answers_fit_ten_pages(di504):
    report, _ = di504
    assert pages(report.folder / "answer-key.pdf") <= 10          # issue 12: at most 10 pages, summary first
    summary = pdf_text(report.folder / "answer-key.pdf").split("\f")[0]
    assert summary.lstrip().startswith("DI504") and "Final answers" in summary


def test_as_worded_appears_nowhere():
    """Free text is graded by criteria with model sentences, never "as worded in the key"."""
    from support import TESTS

    root = TESTS.parent
    for path in list((root / "symdl").rglob("*.py")) + list((root / "symdl" / "kinds").rglob("*.j2")) + \
            list((root / "templates").rglob("*.j2")):
        assert "as worded" not in path.read_text().lower(), path


@needs_tex
def test_di504_rubric_at_a_glance(di504):
    """The TA's rubric: at most 7 pages, no line past the margin, every item's points and accepted value
    in words, the criteria with their model sentences, every mistake of answers.json."""
    report, solved = di504
    path = report.folder / "grading.pdf"
    assert pages(path) <= 7
    assert report.grading_overfull == []
    text = pdf_text(path)
    flat = " ".join(text.split())
    # the policy once, and the accepted values in words: x-bar_1 = 0.7725937... to 3 figures, z = -0.04 exactly
    assert "within half a unit of its 3rd significant figure" in flat
    assert "0.773, 0.0730], 3 s.f. each" in flat and "0.04, exactly" in flat
    # Q2(b)'s criteria: x = 0 in [0, 1]^5 gives z = b = 0.5 > 0 (every weight is <= 0)
    assert "x = [0, 0, 0, 0, 0] (z = 0.5)" in flat and "Remedies" in flat
    doc = json.loads((report.folder / "answers.json").read_text())
    squeezed = re.sub(r"[^a-z0-9]", "", flat.lower())
    names = {m["name"] for q in doc["questions"] for a in q["answers"].values() for m in a["mistakes"]}
    assert names
    for name in names:
        assert re.sub(r"[^a-z0-9]", "", name.lower().replace("^t", "")) in squeezed, name
    # each mistake named once in its question's page(s), however many answers it affects
    ids = [q["id"] for q in doc["questions"]]
    for k, q in enumerate(doc["questions"]):
        start = flat.index(f"Question {q['id'].removeprefix('Q')} (")            # the exam's numbering
        end = flat.index(f"Question {ids[k + 1].removeprefix('Q')} (") if k + 1 < len(ids) else len(flat)
        section = re.sub(r"[^a-z0-9]", "", flat[start:end].lower())
        for name in {m["name"] for a in q["answers"].values() for m in a["mistakes"]}:
            key = re.sub(r"[^a-z0-9]", "", name.lower().replace("^t", ""))
            assert section.count(key) == 1, (q["id"], name)


@needs_tex
def test_di504_rubric_and_verification(di504):
    report, solved = di504
    rubric = pdf_text(report.folder / "grading.pdf")
    # the seed's points (DI504 midterm sheet): Q1 a5 b5 c10, Q2 a10 b10, Q3 20, Q4 25, Q5 a5 b10
    for line in ("Question 1 (20 points)", "Question 4 (25 points)", "Question 5 (15 points)"):
        assert line in rubric, line
    assert rubric.count("(10 points)") == 4 and rubric.count("(5 points)") == 3
    check = pdf_text(report.folder / "verification.pdf")
    total = sum(len(r.checks) for r in solved.results)
    assert f"Every one of the {total} checked answers" in " ".join(check.split())
    for r in solved.results:
        assert r.kind.checks_note.split()[0] in check
        for c in r.checks:         # a long name may be broken after a _ or . to stay in its column
            assert c.name in check or all(piece in check for piece in re.split(r"(?<=[_.])", c.name)), c.name
