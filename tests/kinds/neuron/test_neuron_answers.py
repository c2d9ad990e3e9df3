"""The neuron kind's model answers (issue 12): what the student reads, boxed finals, the rubric."""

import sympy

from symdl.notation.printer import tex
from symdl.solution import Section, Step, Text, shown
from symdl.input.spec import default_spec, load_exam
from support import TESTS, solution_of


def di504_q2():
    return next(q for q in load_exam(default_spec()).questions if q.id == "Q2")


def items(sol, audience):
    """(section, item) for every item the document for ``audience`` shows."""
    for sec in sol.sections:
        if not shown(sec, audience) and audience != "instructor":
            continue
        for item in sec.items:
            if shown(item, audience) or (audience == "instructor" and sec.audience == "instructor"):
                yield sec, item


def words(item):
    """The item's text as the reader sees it (math printed)."""
    if isinstance(item, Text):
        return "".join(p if type(p) is str else f"${tex(p)}$" for p in item.parts)
    if isinstance(item, Step):
        return item.text + " " + " ".join(str(tex(v)) for v in (item.lhs, item.result) if v is not None)
    return ""


def model_text(sol, part):
    return " ".join(words(i) for s, i in items(sol, "model") if s.part == part)


def test_q2_part_a_boxes_z_and_every_gradient():
    """z = W^T x + b = -0.04 by hand (numpy: 0.7*-0.1 + 0.9*-0.2 + 0 + 0.2*-0.1 + 0.9*-0.3 + 0.5)."""
    sol = solution_of(di504_q2())
    finals = {a.name for a in sol.finals("a")}
    assert {"z", "y", "dy_dz", "grad.W", "grad.b", "grad.x"} <= finals
    boxed = [i for s, i in items(sol, "model") if s.part == "a" and getattr(i, "boxed", False)]
    lhs = {str(tex(i.lhs)) for i in boxed if isinstance(i, Step)}
    assert {"z", "y"} <= lhs and any("partial L" in v and "mathbf{W}" in v for v in lhs)
    z_step = next(i for i in boxed if isinstance(i, Step) and str(tex(i.lhs)) == "z")
    assert z_step.result == sympy.Rational(-4, 100)
    assert abs(float(z_step.result) - (0.7 * -0.1 + 0.9 * -0.2 + 0.2 * -0.1 + 0.9 * -0.3 + 0.5)) < 1e-15
    verdict = next(i for i in boxed if isinstance(i, Text))
    assert "dead for this input" in words(verdict) and "-0.124" in words(verdict)


def test_q2_part_b_is_one_answer_consistent_with_part_a():
    sol = solution_of(di504_q2())
    b = model_text(sol, "b")
    # W <= 0 and x >= 0 with b = 0.5: smaller inputs give a larger z; at x' = 0, z = b = 0.5 > 0 (by hand),
    # and weight decay pulls W to 0 so z -> b > 0: "yes, possibly" (not "not from this sample")
    assert sol.answers["dead"] is True and sol.answers["learns_again"].startswith("yes, possibly")
    assert sol.answers["domain.z_max"] == sympy.Rational(1, 2)
    assert "smaller inputs give a larger z" in b and "z tends to" in b and "0.5" in b
    for phrase in ("another input", "change upstream",
                   "weight decay", "momentum", "it never will", "leaky ReLU, PReLU or ELU", "He initialization",
                   "smaller learning rate", "small positive bias", "batch normalization"):
        assert phrase.lower() in b.lower(), phrase
    # the reasoning at length moved to the full derivation (--detail full)
    full = " ".join(words(i) for s, i in items(sol, "full") if s.part == "b")
    for phrase in ("every gradient is exactly zero", "another training input", "change upstream"):
        assert phrase in full, phrase
    b = b + " " + full
    # no claim about the student's data: the input-region analysis is the instructor's alone
    for phrase in ("domain", "fraction", "half-space", "unit box", "spec field", "float64", "symdl"):
        assert phrase not in b, phrase
    region = [s for s in sol.sections if "input region" in s.title]
    assert len(region) == 1 and region[0].audience == "instructor"
    assert sol.meta["active_fraction"].part == "b" and not sol.meta["active_fraction"].final


def test_q2_model_answers_speak_as_the_instructor():
    sol = solution_of(di504_q2())
    text = " ".join(words(i) for _, i in items(sol, "model"))
    for phrase in ("spec field", "float64", "symdl"):
        assert phrase not in text


def test_q2_rubric_shares_the_part_points():
    from symdl.solve import solve_question
    from symdl.grading.rubric import items

    q = di504_q2()
    sol = solve_question(q).solution
    found = items(q, sol)
    by = {i.column: i.points for i in found}
    # part a (10): z 2, y 1, dy/dz 2, each gradient 1, the verdict 1 (weights), the criterion why 1;
    # a zero vector of 5 entries worth 1 point is one item (5 entries cannot each get half a point)
    assert by == {"Q2.z": 2, "Q2.y": 1, "Q2.dy_dz": 2, "Q2.grad.W": 1, "Q2.grad.b": 1, "Q2.grad.x": 1,
                  "Q2.dead": 1, "Q2.a.no-update": 1,
                  # part b (10): the four ideas of a full answer, weights 3, 3, 2, 2
                  "Q2.b.dead-now": 3, "Q2.b.revives-if-z-positive": 3, "Q2.b.never-if-all-negative": 2,
                  "Q2.b.remedies": 2}
    assert sum(by.values()) == 20
    assert any(r.alternative for r in sol.rubric if r.part == "b")
    assert sol.meta["learns_again"].points is None          # a text answer: graded by its criteria
    # the model sentence of the revival criterion names an input of [0, 1]^5 that gives z > 0:
    # x = 0 (every weight is <= 0): z = b = 0.5
    revive = next(i for i in found if i.column == "Q2.b.revives-if-z-positive")
    assert "x = [0, 0, 0, 0, 0] (z = 0.5)" in revive.text and "weight decay" in revive.text


def test_a_neuron_that_is_learning_says_so():
    q = next(q for q in load_exam(TESTS / "specs" / "neuron_small.toml").questions if q.id == "N5")
    sol = solution_of(q)
    assert sol.answers["learns_again"].startswith("yes")


def test_no_tool_voice_in_any_model_answer():
    """Every neuron of the test specs: the model answer and the assumptions speak as the instructor."""
    for q in load_exam(TESTS / "specs" / "neuron_small.toml").questions + [di504_q2()]:
        sol = solution_of(q)
        text = " ".join(words(i) for _, i in items(sol, "model"))
        text += " ".join(words(a) if isinstance(a, Text) else str(a) for a in sol.assumptions)
        for phrase in ("spec field", "float64", "symdl"):
            assert phrase not in text, (q.id, phrase)


def test_dead_relu_verdict_follows_the_largest_pre_activation(tmp_path):
    """b <= 0 with W <= 0 on inputs in [0, 1]: z <= b <= 0 for every input (largest at x = 0, by hand),
    so the answer is no; b > 0 (DI504) gives yes, possibly (above)."""
    from support import one_question

    q = one_question(tmp_path, "neuron", "activation = \"relu\"\nW = '[-0.5 \\quad -0.2]^T'\n"
                     "x = '[0.4 \\quad 0.5]^T'\nb = '[-0.1]'\nupstream = '[1.0]'\n")
    sol = solution_of(q)
    assert sol.answers["dead"] is True
    assert sol.answers["domain.z_max"] == sympy.Rational(-1, 10)          # -0.5*0 - 0.2*0 - 0.1
    assert sol.answers["learns_again"].startswith("no:")
    b = " ".join(words(i) for _, i in items(sol, "model"))
    assert "Answer: no." in b and "cannot revive the neuron" in b
