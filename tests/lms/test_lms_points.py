"""A quiz built from the export totals the exam's points.

Moodle gives a cloze question the sum of its blanks' integer weights as its mark (it ignores
<defaultgrade>), a numerical or essay question its <defaultgrade>. Read back from moodle.xml: every
question's mark is k times its exam points, one integer k for the whole file and the least that
makes every weight whole; every blank's weight is k times the rubric's points of its entry. Canvas:
the points Canvas imports (through canvas_check.py, Canvas's converter) add up to the exam's.
Points compared as Fractions.
"""

from __future__ import annotations

import json
import math
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import pytest

from symdl.solve import solve_exam
from symdl.export import render
from symdl.render import answers_json

HERE = Path(__file__).resolve().parent
WEIGHT = re.compile(r"\{(\d+):(NUMERICAL|MULTICHOICE_S):(=?[^:}]*)")


@pytest.fixture(scope="module")
def di504():
    return solve_exam()


@pytest.fixture(scope="module")
def document(di504):
    return json.loads(answers_json.render(di504.exam, di504.results))


def numbers(value):
    if isinstance(value, list):
        return [x for v in value for x in numbers(v)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def marks(data: bytes) -> dict:
    """question id -> [(type, mark, [(blank weight, its value as written)])] of every Moodle question."""
    out = defaultdict(list)
    for q in ET.fromstring(data).findall("question"):
        if q.get("type") == "category":
            continue
        qid = q.find("name/text").text.split(" ")[0]
        blanks = [(int(w), v.lstrip("=")) for w, _, v in WEIGHT.findall(q.find("questiontext/text").text)]
        if q.get("type") == "cloze":
            mark = sum(w for w, _ in blanks)          # what Moodle's multianswer import sets
            assert Fraction(q.find("defaultgrade").text) == mark
        else:
            mark = Fraction(q.find("defaultgrade").text)
        out[qid].append((q.get("type"), mark, blanks))
    return out


def expected_entry_points(entry) -> list:
    """The rubric's points of each number the export asks, from answers.json alone: every numeric
    answer with points, an answer's points split evenly over its numbers."""
    out = []
    for name, answer in entry["answers"].items():
        values = numbers(answer["value"])
        if values and answer["points"]:
            out += [Fraction(answer["points"]) / len(values)] * len(values)
    return out


@pytest.mark.parametrize("choice", [False, True], ids=["numerical", "multiple-choice"])
def test_moodle_marks_are_one_k_times_the_exam_points(di504, document, choice):
    data = render("moodle", [(None, di504.exam, di504.results)], multiple_choice=choice)
    found = marks(data)
    exam_total = sum((Fraction(q["points"]) for q in document["questions"]), Fraction(0))
    assert exam_total == 100
    total = sum(m for questions in found.values() for _, m, _ in questions)
    k = total / exam_total
    assert k.denominator == 1 and k > 1                 # DI504 has half points, fifths, sixths
    k = int(k)
    every = [w for qs in found.values() for _, m, blanks in qs for w in ([m] + [b for b, _ in blanks])]
    assert math.gcd(k, *map(int, every)) == 1           # the least k making every weight whole
    for entry in document["questions"]:
        questions = found[entry["id"]]
        assert Fraction(sum(m for _, m, _ in questions), k) == Fraction(entry["points"]), entry["id"]
        if not choice:
            weights = [Fraction(w, k) for t, _, blanks in questions if t == "cloze" for w, _ in blanks]
            assert weights == expected_entry_points(entry), entry["id"]
    if not choice:
        # Q1's node values (part b) are asked with the rubric's points: z1 = W x = [0.02, 0.07] and
        # z2 = z1 + [0, 1] by hand from the paper's W = [-0.1 -0.5; 0.3 0.2], x = [0.3, -0.1]
        (q1,) = [b for t, _, b in found["Q1"] if t == "cloze"]
        assert [(Fraction(w, k), Fraction(v)) for w, v in q1[:4]] == [
            (1, Fraction("0.02")), (1, Fraction("0.07")), (Fraction(1, 2), Fraction("0.02")),
            (Fraction(1, 2), Fraction("1.07"))]
        # what no blank marks (Q1: the graph's nodes 3 and edges 2) is the essay's
        (essay,) = [m for t, m, _ in found["Q1"] if t == "essay"]
        assert Fraction(essay, k) == 5
    assert f"set its Maximum grade to {exam_total}" in data.decode()


def test_variants_pool_every_question_at_the_same_k(di504):
    items = [("001", di504.exam, di504.results), ("002", di504.exam, di504.results)]
    found = marks(render("moodle", items))
    for entry in di504.results:
        pool = [m for t, m, _ in found[entry.question.id] if t != "essay"]
        assert len(pool) == 2 and pool[0] == pool[1]


def test_whole_points_keep_k_one(di504):
    """Q5 alone: its blanks' points are whole (2, 1, 1), so its marks are its points as they are."""
    q5 = [r for r in di504.results if r.question.id == "Q5"]
    data = render("moodle", [(None, di504.exam, q5)])
    found = marks(data)
    assert [(t, m) for t, m, _ in found["Q5"]] == [("cloze", 4), ("essay", 11)]
    assert "Maximum grade" not in data.decode()


def test_canvas_imports_the_exam_points(di504, tmp_path):
    sys.path.insert(0, str(HERE))
    import canvas_check

    (tmp_path / "c.zip").write_bytes(render("canvas", [(None, di504.exam, di504.results)]))
    quiz, items, by_question = canvas_check.points(str(tmp_path / "c.zip"))
    assert quiz == items == 100
    assert {q: Fraction(str(v)) for q, v in by_question.items()} == \
        {r.question.id: Fraction(r.question.points) for r in di504.results}
