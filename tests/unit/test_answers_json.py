"""answers.json schema 2: the layout (the answer policy, each question's rubric), the schema file in the
package, and what the schema refuses."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import sympy

from support import validate_answers
from symdl.solve import QuestionResult
from symdl.render.answers_json import document, render, schema_path
from symdl.solution import Mistake, Solution
from symdl.input.spec import Exam, Question


def _doc():
    q = Question(id="Q1", kind="toy", text="Find it.", fields={}, file=Path("e.toml"), points=10,
                 parts={"a": "First.", "b": "Second."}, part_points={"a": 4, "b": 6})
    sol = Solution("Q1", "toy")
    sol.answer("grad.x", sympy.Matrix([sympy.Rational(1, 3), 2]), part="a", final=True, unit=None)
    sol.answer("epochs", 12, part="b", unit="epochs", final=True)
    sol.answer("learning", True)
    sol.meta["grad.x"].points, sol.meta["grad.x"].tolerance = Fraction(4), {"abs": Fraction(1, 200000), "rel": Fraction(1, 400000)}
    sol.meta["grad.x"].mistakes = [Mistake("w-not-transposed", sympy.Matrix([1, 1]), "you used W instead of W^T")]
    sol.criterion("b", "why", "Why 12 epochs.", "Twelve epochs, because the loss stops falling there.", weight=1)
    exam = Exam(id="e", title="E", file=Path("e.toml"), questions=[q], course="C", date="D")
    return document(exam, [QuestionResult(q, sol, [], 0.0)])


def test_layout_of_schema_2():
    doc = _doc()
    assert doc["schema"] == 2 and doc["exam"] == {"id": "e", "title": "E", "course": "C", "date": "D"}
    assert doc["grading"] == {"figures": 3, "step": 0.5, "carry_forward": True, "partial": None}
    q = doc["questions"][0]
    assert q["points"] == 10 and q["parts"] == {"a": {"text": "First.", "points": 4},
                                                 "b": {"text": "Second.", "points": 6}}
    assert q["answers"]["grad.x"] == {"value": [1 / 3, 2], "part": "a", "final": True, "points": 4, "unit": None,
                                      "tolerance": {"abs": 5e-06, "rel": 2.5e-06},
                                      "mistakes": [{"name": "w-not-transposed", "value": [1, 1],
                                                    "why": "you used W instead of W^T"}]}
    # the rubric: part a's 4 points over grad.x's two entries (2 each); part b's 6 over the number of
    # epochs and the criterion (weight 1 each): 3 and 3; the yes/no "learning" is not final: no item
    assert q["rubric"] == [
        {"column": "Q1.grad.x[0]", "points": 2, "part": "a", "answer": "grad.x", "entry": [0],
         "text": "grad.x[0]: 0.333 (3 s.f.)"},
        {"column": "Q1.grad.x[1]", "points": 2, "part": "a", "answer": "grad.x", "entry": [1],
         "text": "grad.x[1]: 2 (exact)"},
        {"column": "Q1.epochs", "points": 3, "part": "b", "answer": "epochs", "entry": [], "text": "epochs: 12 (exact)"},
        {"column": "Q1.b.why", "points": 3, "part": "b", "answer": None, "entry": [],
         "text": "Twelve epochs, because the loss stops falling there."}]
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
    for broken in ({"points": -1}, {"entry": [0, 1, 2]}, {"column": ""}, {"answer": 3}):
        bad = copy.deepcopy(doc)
        bad["questions"][0]["rubric"][0].update(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate_answers(bad)
    for broken in ({"figures": 0}, {"step": 0}, {"partial": {"figures": 2, "credit": 1}}):
        bad = copy.deepcopy(doc)
        bad["grading"].update(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate_answers(bad)
    bad = copy.deepcopy(doc)
    del bad["questions"][0]["rubric"]                                   # schema 1's layout
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
