"""The Canvas package as Canvas imports and grades it: canvas_check.py (beside this file: Instructure's
QTIMigrationTool, the converter Canvas runs on a QTI 1.2 import, then Canvas's importer and grading
rules, the quiz page's 4-decimal rounding included) on DI504's export, on variants of a DI504 with
draws, and with --multiple-choice. Every right value, and every value within the answer policy's
tolerance, must be accepted; no derived mistake may be.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("lxml")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import canvas_check  # noqa: E402

DI504 = ROOT / "symdl" / "data" / "di504"
# DI504 with draws: Q1's W and Q3's B drawn (the rest as the exam)
DRAWS = {
    "W = '\\begin{bmatrix} -0.1 & -0.5 \\\\ +0.3 & +0.2 \\end{bmatrix}'":
        'W = { random = "uniform", low = -0.5, high = 0.5, step = 0.1, shape = [2, 2] }',
    "B = '\\begin{bmatrix} -0.3 \\\\ +0.1 \\\\ -0.7 \\\\ +0.9 \\end{bmatrix}'":
        'B = { random = "uniform", low = -1, high = 1, step = 0.1, shape = [4] }',
}


def cli(*args, cwd):
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "symdl", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=900)


def drawn_spec(folder: Path) -> Path:
    text = (DI504 / "di504.toml").read_text()
    for old, new in DRAWS.items():
        assert old in text, old
        text = text.replace(old, new)
    shutil.copy(DI504 / "q5-training-log.txt", folder)
    spec = folder / "drawn.toml"
    spec.write_text(text)
    return spec


def numeric_entries(answers_path) -> int:
    """The numeric entries the rubric grades (points given): the answers the export asks."""
    questions = json.load(open(answers_path))["questions"]
    return sum(len(canvas_check.entries({"answers": {n: a for n, a in q["answers"].items() if a.get("points")}}))
               for q in questions)


@pytest.fixture(scope="module")
def di504_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("canvas")
    done = cli("derive", "--no-pdf", "--out", out, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out / "di504-midterm-2021"


@pytest.mark.parametrize("choice", [False, True], ids=["numerical", "multiple-choice"])
def test_canvas_imports_and_grades_di504(di504_out, choice, tmp_path):
    out = tmp_path / "o"
    shutil.copytree(di504_out, out / "di504-midterm-2021")
    done = cli("export", "canvas", "--out", out, *(["--multiple-choice"] if choice else []), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    folder = out / "di504-midterm-2021"
    results, bad, lines, kinds = canvas_check.check(str(folder / "canvas-qti.zip"), str(folder / "answers.json"))
    assert bad == 0, "\n".join(lines[-20:])
    if choice:
        assert kinds["multiple_choice_question"] >= 10 and len(results) >= 30
    else:
        assert len(results) == numeric_entries(folder / "answers.json") >= 100      # every number checked
        assert any(r["unit"] > 0 for r in results)          # some asked in a scaled unit (Q1's gradients)
    assert kinds["essay_question"] >= 3                     # the parts Canvas cannot mark
    quiz, items, _ = canvas_check.points(str(folder / "canvas-qti.zip"))
    assert quiz == items == 100                             # the exam's points, as Canvas imports them


def test_canvas_imports_and_grades_variants(tmp_path):
    spec = drawn_spec(tmp_path)
    done = cli("variants", spec, "--count", 3, "--seed", 11, "--no-pdf", "--export", "canvas,moodle",
               "--multiple-choice", "--out", tmp_path / "out", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "di504-midterm-2021-variants"
    answers = {p.parent.name.split("-")[1]: str(p) for p in sorted(folder.glob("variant-*/answers.json"))}
    assert len(answers) == 3
    results, bad, lines, kinds = canvas_check.check(str(folder / "canvas-qti.zip"), answers)
    assert bad == 0, "\n".join(lines[-20:])
    assert len(results) >= 3 * 20
    quiz, items, by_question = canvas_check.points(str(folder / "canvas-qti.zip"))
    assert quiz == items == 100 and by_question["Q4"] == 25   # a group counts once: one variant drawn
    # one structure per pool: every variant of a question has the same blanks and dropdowns
    import re
    import xml.etree.ElementTree as ET

    pools = {}
    for q in ET.parse(folder / "moodle.xml").getroot().iter("question"):
        if q.get("type") == "category":
            continue
        name = q.find("name/text").text.rsplit(" variant ", 1)[0]
        shape = (q.get("type"), tuple(re.findall(r"\{\d+:([A-Z_]+):", q.find("questiontext/text").text)))
        pools.setdefault(name, set()).add(shape)
    assert len(pools) >= 5 and all(len(shapes) == 1 for shapes in pools.values()), pools
    assert any("MULTICHOICE_S" in kinds for shapes in pools.values() for _, kinds in shapes)
    with zipfile.ZipFile(folder / "canvas-qti.zip") as archive:
        name = next(n for n in archive.namelist() if n.count("/") == 1 and not n.endswith("assessment_meta.xml"))
        root = ET.fromstring(archive.read(name))
    qti = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
    groups = root.find(f"{qti}assessment/{qti}section").findall(f"{qti}section")
    for group in groups:                 # Canvas draws one item a group: all of one type
        types = {f.find(f"{qti}fieldentry").text for f in group.iter(f"{qti}qtimetadatafield")
                 if f.find(f"{qti}fieldlabel").text == "question_type"}
        assert len(group.findall(f"{qti}item")) == 3 and len(types) == 1
    # the same files from `export --variants`
    done = cli("export", "canvas", spec, "--variants", 3, "--seed", 11, "--multiple-choice", "--out",
               tmp_path / "again", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    again = tmp_path / "again" / "di504-midterm-2021" / "canvas-qti.zip"
    assert again.read_bytes() == (folder / "canvas-qti.zip").read_bytes()


def test_unscaled_typing_of_a_fine_tolerance_is_what_canvas_rejects():
    """The check itself: a tolerance of 5e-6 asked without a unit cannot be met through the
    4-decimal input (the reason for the unit), and is met once asked in units of 10^-2."""
    exact = [{"type": "exact_answer", "exact": canvas_check.Decimal("0.77259"),
              "margin": canvas_check.Decimal("0.000005")}]
    assert not canvas_check.accepted(exact, "0.77259")           # rounded to 0.7726 by the page
    scaled = [{"type": "exact_answer", "exact": canvas_check.Decimal("77.259"),
               "margin": canvas_check.Decimal("0.0005")}]
    assert canvas_check.accepted(scaled, canvas_check.typed(0.7725937159904234, 2))
    assert not canvas_check.accepted(scaled, canvas_check.typed(0.7726, 2))


@pytest.mark.parametrize("figures", [2, 5])
def test_another_answer_policy_plugs_in(tmp_path, figures):
    """The export reads each answer's tolerance from the exam's answer policy, whatever it is: DI504
    asked to 2 (coarser) or 5 (finer than the 4-decimal input can carry) significant figures, Canvas
    accepts every value within the policy and no mistake, and the Moodle questions say the precision."""
    from symdl.solve import solve_exam
    from symdl.export import render
    from symdl.render import answers_json
    from symdl.input.spec import default_spec

    text = default_spec().read_text(encoding="utf-8")
    assert text.count("\n[exam]\n") == 1 and "grading" not in text          # DI504 takes the default policy
    spec = tmp_path / "di504.toml"
    spec.write_text(text.replace("\n[exam]\n", f"\n[exam]\ngrading = {{ figures = {figures} }}\n"), encoding="utf-8")
    shutil.copy(default_spec().parent / "q5-training-log.txt", tmp_path)
    report = solve_exam(spec)
    (tmp_path / "a.json").write_text(answers_json.render(report.exam, report.results))
    (tmp_path / "c.zip").write_bytes(render("canvas", [(None, report.exam, report.results)]))
    results, bad, lines, _ = canvas_check.check(str(tmp_path / "c.zip"), str(tmp_path / "a.json"))
    assert bad == 0 and len(results) == numeric_entries(tmp_path / "a.json"), "\n".join(lines[-20:])
    moodle = render("moodle", [(None, report.exam, report.results)]).decode()
    assert f"to {figures} significant figures" in moodle and "to 3 significant figures" not in moodle
