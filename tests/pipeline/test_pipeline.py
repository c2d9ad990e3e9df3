"""End to end: the embedded DI504 exam through the CLI to .tex, .pdf (read back) and answers.json."""

import json
import shutil
import subprocess
import sys

import pytest
from support import answer_values, validate_answers

needs_tex = pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                               reason="latexmk/pdftotext not installed")


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def di504(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = run("derive", "--out", str(out))
    return proc, out / "di504-midterm-2021"


@needs_tex
def test_derive_di504_writes_verified_key(di504):
    proc, folder = di504
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", "answer-key.pdf", "answer-key.tex",
                                                       "answers.json", "exam-sheet.pdf", "exam-sheet.tex", "grading.pdf", "grading.tex",
                                                       "verification.pdf", "verification.tex"]
    # progress: one line per question on stderr
    for qid in ("Q1", "Q2", "Q3", "Q4", "Q5"):
        assert any(line.startswith(qid) for line in proc.stderr.splitlines()), proc.stderr


@needs_tex
def test_pdf_reads_back_with_the_answers(di504):
    _, folder = di504
    text = subprocess.run(["pdftotext", "-layout", str(folder / "answer-key.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for needle in ("Question 1 (20 points)", "Question 5 (15 points)", "Forward pass", "Backward pass", "1.0202", "0.30606"):
        assert needle in text, needle


@needs_tex
def test_answers_json_shape(di504):
    _, folder = di504
    doc = json.loads((folder / "answers.json").read_text())
    validate_answers(doc)
    assert doc["schema"] == 2 and doc["exam"]["id"] == "di504-midterm-2021"
    assert doc["grading"] == {"figures": 3, "step": 0.5, "carry_forward": True, "partial": None}
    # the seed's points (DI504 midterm sheet): Q1 a5 b5 c10, Q2 a10 b10, Q3 20, Q4 25, Q5 a5 b10
    assert {q["id"]: (q["points"], {k: p["points"] for k, p in q["parts"].items()}) for q in doc["questions"]} == {
        "Q1": (20, {"a": 5, "b": 5, "c": 10}), "Q2": (20, {"a": 10, "b": 10}), "Q3": (20, {}), "Q4": (25, {}),
        "Q5": (15, {"a": 5, "b": 10})}
    questions = {q["id"]: q for q in doc["questions"]}
    assert [q["kind"] for q in doc["questions"]] == ["graph", "neuron", "softmax", "architecture", "training_log"]
    assert all(q["verified"] is True for q in doc["questions"])
    q1 = answer_values(questions["Q1"])
    assert q1["forward.z1"] == pytest.approx([0.02, 0.07])
    assert q1["grad.W"] == [pytest.approx([0.306060, -0.102020], rel=1e-5), pytest.approx([0.874614, -0.291538], rel=1e-5)]
    assert q1["grad.x"] == pytest.approx([0.772594, 0.0729752], rel=1e-5)
    # the policy's interval, by hand: half a unit of the 3rd significant figure of 0.772594 and 0.0729752
    assert questions["Q1"]["answers"]["grad.x"]["tolerance"]["abs"] == [0.0005, 0.00005]
    # one points scheme: the rubric's items add up to every part, question and the exam's 100 points
    for q in doc["questions"]:
        for part, p in (q["parts"].items() or [(None, {"points": q["points"]})]):
            assert sum(i["points"] for i in q["rubric"] if i["part"] == part) == p["points"], (q["id"], part)
        for name, a in q["answers"].items():
            own = [i["points"] for i in q["rubric"] if i["answer"] == name]
            assert a["points"] == (sum(own) if own else None), (q["id"], name)
    assert sum(i["points"] for q in doc["questions"] for i in q["rubric"]) == 100


def test_init_writes_a_spec_that_derives(tmp_path):
    proc = run("init", str(tmp_path / "exam"))
    assert proc.returncode == 0, proc.stderr
    spec = tmp_path / "exam" / "di504.toml"
    assert spec.is_file()
    again = run("init", str(tmp_path / "exam"))
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr
    proc = run("check", str(spec))
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_help_is_fast_and_lists_commands():
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("derive", "check", "init"):
        assert command in proc.stdout
