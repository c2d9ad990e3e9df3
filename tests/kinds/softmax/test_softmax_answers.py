"""The softmax kind's model answers (issue 12): boxed scores and probabilities, what the extra term does."""

from fractions import Fraction

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.notation.printer import tex
from symdl.solution import Step, Text, shown
from symdl.input.spec import default_spec, load_exam
from support import one_question, solution_of

W = np.array([[-0.8, -0.5, 0.5, 0.2, -0.2], [0.8, -0.3, 0, -0.1, -0.3], [0, 0.6, 0.6, 0.2, -0.6],
              [-0.2, -0.4, 0.1, -0.1, 0.5]])
B = np.array([-0.3, 0.1, -0.7, 0.9])
X_C = np.array([-2.1, 3.4, 4.5, -2.8, 7.1])


def np_softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def di504_q3():
    return next(q for q in load_exam(default_spec()).questions if q.id == "Q3")


def model_words(sol):
    out = []
    for sec in sol.sections:
        for item in sec.items:
            if shown(sec, "model") and shown(item, "model") and isinstance(item, Text):
                out.append("".join(p if type(p) is str else f"${tex(p)}$" for p in item.parts))
    return " ".join(out)


def test_q3_scores_and_probabilities_are_boxed_finals():
    sol = solution_of(di504_q3())
    finals = {a.name for a in sol.finals()}
    for case in "abcd":
        assert {f"{case}.scores", f"{case}.probs"} <= finals
    boxed = [i for s in sol.sections for i in s.items if isinstance(i, Step) and i.boxed]
    assert len(boxed) == 8


def test_q3_says_what_the_row_term_does_in_numbers():
    """c and d by numpy: scores W x + B (+ the row L1 norms for c); p4 0.955 against 0.980."""
    r = np.abs(W).sum(axis=1)
    p_c, p_d = np_softmax(W @ X_C + B + r), np_softmax(W @ X_C + B)
    assert round(p_c[3], 3) == 0.955 and round(p_d[3], 3) == 0.980
    sol = solution_of(di504_q3())
    text = model_words(sol)
    assert "does not depend on x" in text and "regularizes nothing" in text
    assert "larger weights" in text and "(here class 1)" in text and r.argmax() == 0
    assert "0.955" in text and "0.980" in text
    # case a with and without the term: without it the scores are B alone
    assert np.allclose([float(v) for v in sol.answers["a.without_term.probs"]], np_softmax(B), rtol=1e-14)
    assert np.allclose([float(v) for v in sol.answers["a.probs"]], np_softmax(B + r), rtol=1e-14)
    for reading in ("one norm over all of W", "row $N = 4$ alone", "added to the loss", "case c would equal case d"):
        assert reading in text, reading


def test_q3_states_the_misprint_from_the_spec_to_the_instructor():
    """The note is about the original paper: the sheet symdl writes already names part c's vector x_c,
    so the note is the instructor's (verification report), not the students' key."""
    sol = solution_of(di504_q3())
    note = "Note on the question: Part c gives its input vector the name of part b"
    assert note not in model_words(sol)
    instructor = [" ".join(p for p in i.parts if type(p) is str) for s in sol.sections for i in s.items
                  if shown(s, "instructor") and shown(i, "instructor") and isinstance(i, Text)]
    assert any(note in t for t in instructor)


def test_q3_rubric_adds_up_to_the_question_points():
    from symdl.solve import solve_question
    from symdl.grading.rubric import items

    q = di504_q3()
    sol = solve_question(q).solution
    found = items(q, sol)
    assert sum(i.points for i in found) == 20
    # per case: scores 2 and probabilities 2 (half a point per entry of 4), the drawing 1: 4 x 5 = 20
    assert all(sol.meta[f"{c}.{k}"].points == 2 for c in "abcd" for k in ("scores", "probs"))
    assert {i.column: i.points for i in found if i.answer is None} == {f"Q3.{c}.drawn": 1 for c in "abcd"}
    assert all(i.points == Fraction(1, 2) for i in found if i.answer is not None)
    # what the extra term does is not asked: no item says so
    assert not any("extra term" in i.text for i in found)
    assert any(r.alternative for r in sol.rubric)


def test_notes_must_be_sentences(tmp_path):
    body = ("W = '[1 \\quad 2]^T'\nB = '[0 \\quad 0]^T'\nnotes = [3]\n[[question.case]]\nid = 'a'\nx = '[1]'\n")
    with pytest.raises(SpecError) as info:
        solution_of(one_question(tmp_path, "softmax", body))
    assert info.value.field == "notes"


def test_no_tool_voice_in_any_model_answer():
    from support import TESTS

    for q in load_exam(TESTS / "specs" / "softmax_small.toml").questions + [di504_q3()]:
        sol = solution_of(q)
        text = model_words(sol) + " ".join(
            "".join(p if type(p) is str else tex(p) for p in a.parts) if isinstance(a, Text) else str(a)
            for a in sol.assumptions)
        for phrase in ("spec field", "float64", "symdl"):
            assert phrase not in text, (q.id, phrase)
