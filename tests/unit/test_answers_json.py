"""answers.json schema 1: the layout, the schema file in the package, and what the schema refuses."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import sympy

from support import validate_answers
from symdl.derive import QuestionResult
from symdl.render.answers_json import document, render, schema_path
from symdl.solution import Mistake, Solution
from symdl.spec import Exam, Question


def _doc():
    q = Question(id="Q1", kind="toy", text="Find it.", fields={}, file=Path("e.toml"), points=10,
                 parts={"a": "First.", "b": "Second."}, part_points={"a": 4, "b": 6})
    sol = Solution("Q1", "toy")
    sol.answer("grad.x", sympy.Matrix([sympy.Rational(1, 3), 2]), part="a", final=True, unit=None)
    sol.answer("epochs", 12, part="b", unit="epochs", final=True)
    sol.answer("learning", True)
    sol.meta["grad.x"].points, sol.meta["grad.x"].tolerance = Fraction(4), {"abs": Fraction(1, 200000), "rel": Fraction(1, 400000)}
    sol.meta["grad.x"].mistakes = [Mistake("W instead of W^T", sympy.Matrix([1, 1]))]
    exam = Exam(id="e", title="E", file=Path("e.toml"), questions=[q], course="C", date="D")
    return document(exam, [QuestionResult(q, sol, [], 0.0)])


def test_layout_of_schema_1():
    doc = _doc()
    assert doc["schema"] == 1 and doc["exam"] == {"id": "e", "title": "E", "course": "C", "date": "D"}
    q = doc["questions"][0]
    assert q["points"] == 10 and q["parts"] == {"a": {"text": "First.", "points": 4},
                                                 "b": {"text": "Second.", "points": 6}}
    assert q["answers"]["grad.x"] == {"value": [1 / 3, 2], "part": "a", "final": True, "points": 4, "unit": None,
                                      "tolerance": {"abs": 5e-06, "rel": 2.5e-06},
                                      "mistakes": [{"name": "W instead of W^T", "value": [1, 1]}]}
    assert q["answers"]["epochs"]["unit"] == "epochs" and q["answers"]["learning"]["value"] is True
    validate_answers(doc)


def test_the_schema_is_in_the_package_and_refuses_the_old_layout():
    assert schema_path().is_file()
    doc = _doc()
    old = copy.deepcopy(doc)
    del old["schema"]
    old["questions"][0]["answers"] = {"grad.x": [1 / 3, 2]}            # schema 0: bare values
    with pytest.raises(jsonschema.ValidationError):
        validate_answers(old)
    for broken in ({"tolerance": {"abs": -1, "rel": 0}}, {"points": "four"}, {"mistakes": [{"name": ""}]},
                   {"part": 3}, {"extra": 1}):
        bad = copy.deepcopy(doc)
        bad["questions"][0]["answers"]["grad.x"].update(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate_answers(bad)


def test_render_writes_exact_numbers_the_schema_accepts():
    text = render(*_args_huge())
    doc = json.loads(text)
    validate_answers(doc)
    assert "1.9700000000000001e434" not in text and "e434" in text      # the literal, not a float


def _args_huge():
    q = Question(id="Q1", kind="toy", text="", fields={}, file=Path("e.toml"))
    sol = Solution("Q1", "toy")
    sol.answer("big", sympy.Rational(197, 100) * sympy.Integer(10) ** 434)
    exam = Exam(id="e", title="E", file=Path("e.toml"), questions=[q])
    return exam, [QuestionResult(q, sol, [], 0.0)]
