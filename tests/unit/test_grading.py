"""After solving (symdl/grading.py): points per answer, tolerances from the shown rounding, mistakes."""

from __future__ import annotations

import textwrap
from fractions import Fraction

import pytest
import sympy

from symdl import kinds
from symdl.solve import solve_exam
from symdl.grading.values import same_value
from symdl.kinds import Kind
from symdl.input.schema import Field, Schema
from symdl.solution import Mistake, Solution, Step

R = sympy.Rational


# ------------------------------------------------------------------- tolerances ----

@pytest.mark.parametrize("value, abs_tol, rel_tol", [
    (7, 0, 0),                                                    # an integer is exact
    (R(1, 50), 0, 0),                                             # 0.02: a short exact decimal
    # 1/3 and e^1 x 1000 = 2718.28...: half a unit of the 3rd figure, relative to the exact value
    (sympy.Matrix([R(1, 3), 1000 * sympy.E]), [Fraction(1, 2000), 5], [Fraction(3, 2000), None]),
    ([3001, 33, 1], [0, 0, 0], [0, 0, 0]),                        # a shape: exact
    (sympy.Matrix([[R(1, 2), 2], [3, R(1, 3)]]), [[0, 0], [0, Fraction(1, 2000)]], [[0, 0], [0, Fraction(3, 2000)]]),
])
def test_tolerance_is_the_policys_interval_entry_by_entry(value, abs_tol, rel_tol):
    from symdl.grading.values import policy_tolerance

    tol = policy_tolerance(value, 3)
    assert tol["abs"] == abs_tol
    def flat(v):
        return [x for row in (v if isinstance(v, list) else [v]) for x in (row if isinstance(row, list) else [row])]

    for got, want, width in zip(flat(tol["rel"]), flat(rel_tol), flat(tol["abs"])):
        if want is None:                                          # 5 / 2718.28...: by hand with math.e
            import math
            want = Fraction(5) / Fraction(1000 * math.e)
            assert abs(got - want) < Fraction(1, 10**12)
        else:
            assert abs(got - want) < Fraction(1, 10**29)


@pytest.mark.parametrize("value", [True, "raise the learning rate", None, []])
def test_no_tolerance_for_what_is_not_a_number(value):
    from symdl.grading.values import policy_tolerance

    assert policy_tolerance(value) is None


def test_same_value_is_relative_at_high_precision():
    assert same_value(sympy.Matrix([R(1, 3), 2]), [1 / 3, 2.0])
    assert not same_value(R(1, 3), R(1, 3) + R(1, 10**9))          # a relative 3e-9 apart
    assert same_value(R(1, 3), R(1, 3) + R(1, 10**9), rtol=1e-6)
    assert not same_value(sympy.Matrix([1, 2]), sympy.Matrix([1, 2, 3]))
    assert not same_value(R(1, 10**200), R(2, 10**200))              # tiny, yet twice as large
    assert same_value(True, True) and not same_value("a", "b")


# ----------------------------------------------- a toy kind with parts and mistakes ----

def _solve(question):
    a, b = question.number("a"), question.number("b")
    sol = Solution(question.id, question.kind)
    sol.section("Ratio", part="a").add(Step("Divide.", result=a / b, boxed=True))
    sol.answer("ratio", a / b, part="a", label="a/b", final=True)
    sol.answer("sum", a + b, part="a", label="a+b", final=True)
    sol.answer("difference", a - b, part="a", final=True)
    sol.answer("product", a * b, part="b", label="ab", final=True)
    sol.answer("square", a * a, part="b", final=True)
    sol.describe("square", weight=2)
    sol.answer("aside", a ** 3, part="b")           # not final: no points
    return sol


def _independent(question):
    a, b = float(question.number("a")), float(question.number("b"))
    return {"ratio": a / b, "sum": a + b, "difference": a - b, "product": a * b, "square": a * a,
            "aside": a ** 3}


def _mistakes(question, sol):
    a, b = question.number("a"), question.number("b")
    if question.values.get("broken"):
        raise ZeroDivisionError("a careless mistake hook")
    return {"ratio": [Mistake("inverted", b / a), Mistake("rounded first", R(2, 3) + R(1, 10**15))],
            "product": [Mistake("added instead", a + b), Mistake("squared a", a * a)]}


@pytest.fixture
def toy():
    kind = kinds.register(Kind(
        name="toy_grading", schema=Schema(Field("a", "value"), Field("b", "value"),
                                          Field("broken", "any", default=False)),
        solve=_solve, independent=_independent, mistakes=_mistakes))
    yield kind
    kinds.unregister("toy_grading")


def _spec(tmp_path, extra=""):
    path = tmp_path / "toy.toml"
    path.write_text(textwrap.dedent('''\
        [exam]
        id = "toy"
        title = "Toy"
        [[question]]
        id = "T1"
        kind = "toy_grading"
        points = 13
        a = "2"
        b = "3"
        ''') + extra + textwrap.dedent('''\
        [question.parts]
        a = { text = "Ratio, sum and difference.", points = 10 }
        b = { text = "Product.", points = 3 }
        '''))
    return path


def test_points_split_by_weight_at_the_step(toy, tmp_path):
    meta = solve_exam(_spec(tmp_path)).results[0].solution.meta
    # part a: 10 points over three final answers of weight 1: 10/3 each is no multiple of 0.5, so by
    # largest remainder at the step: 3, 3, 3 and the last half points to the earlier ones: 3.5, 3.5, 3
    assert [meta[n].points for n in ("ratio", "sum", "difference")] == [Fraction(7, 2), Fraction(7, 2), 3]
    # part b: 3 points; "square" has weight 2 (the kind's), "product" 1: 2 and 1
    assert meta["square"].points == 2 and meta["product"].points == 1
    assert meta["aside"].points is None
    assert sum(a.points for a in meta.values() if a.points is not None) == 13


def test_a_question_without_parts_is_one_part(toy, tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('[exam]\nid = "t"\ntitle = "T"\n[[question]]\nid = "T1"\nkind = "toy_grading"\n'
                    'points = 12\na = "2"\nb = "3"\n')
    meta = solve_exam(path).results[0].solution.meta
    # no parts: the final answers share the question's 12 points by weight (1, 1, 1, 1, 2): 12/6 = 2 a unit
    assert [meta[n].points for n in ("ratio", "sum", "difference", "product")] == [2] * 4
    assert meta["square"].points == 4


def test_tolerances_are_the_policys_interval(toy, tmp_path):
    meta = solve_exam(_spec(tmp_path)).results[0].solution.meta
    assert meta["sum"].tolerance == {"abs": 0, "rel": 0}            # 5: an integer
    # 2/3 = 0.666...: half a unit of its 3rd significant figure, 0.0005, relative to 2/3 (to 30 figures)
    tol = meta["ratio"].tolerance
    assert tol["abs"] == Fraction(1, 2000)
    assert abs(tol["rel"] - Fraction(1, 2000) / Fraction(2, 3)) < Fraction(1, 10**30)


def test_mistakes_equal_to_the_answer_are_dropped(toy, tmp_path):
    meta = solve_exam(_spec(tmp_path)).results[0].solution.meta
    assert [(m.name, m.value) for m in meta["ratio"].mistakes] == [("inverted", R(3, 2))]
    # a = 2, b = 3: a + b = 5 differs from ab = 6; a*a = 4 differs too
    assert [(m.name, m.value) for m in meta["product"].mistakes] == [("added instead", 5), ("squared a", 4)]
    assert meta["sum"].mistakes == []


def test_mistake_equal_when_values_make_it_so(toy, tmp_path):
    path = _spec(tmp_path).read_text().replace('a = "2"\nb = "3"', 'a = "2"\nb = "2"')
    (tmp_path / "same.toml").write_text(path)
    meta = solve_exam(tmp_path / "same.toml").results[0].solution.meta
    # a = b = 2: a + b = ab = a*a = 4, so neither mistake shows in the product's answer
    assert meta["product"].mistakes == []
    # b/a = a/b = 1: "inverted" is no mistake here; 2/3 + 10^-15 still differs from 1
    assert [m.name for m in meta["ratio"].mistakes] == ["rounded first"]


def test_a_mistake_hook_that_raises_is_a_bug(toy, tmp_path):
    with pytest.raises(ZeroDivisionError) as info:
        solve_exam(_spec(tmp_path, "broken = true\n"))
    assert any("T1" in note for note in info.value.__notes__)


# ------------------------------------------------------------- the answer policy ----

@pytest.mark.parametrize("value, figures, abs_tol", [
    (R(1, 3), 3, Fraction(1, 2000)),           # 0.333|33: the 3rd figure is in 10^-3
    (R(-1, 25), 3, 0),                         # -0.04: a short exact decimal, only as written
    (R(215, 100), 3, 0),                       # 2.15: 3 significant figures, exact
    (R(2745, 10000), 3, Fraction(1, 2000)),    # 0.2745: 4 figures, not short: 0.274|5 +- 0.0005
    (155, 3, 0), (5427338, 3, 0), (0, 3, 0),   # integers, however long, only as written
    (sympy.pi, 3, Fraction(1, 200)),           # 3.14|159...
    (sympy.pi, 5, Fraction(1, 20000)),
    (R(99996, 100000), 3, Fraction(1, 2000)),  # 0.99996 < 1: its 3rd figure is in 10^-3, not 10^-2
    (sympy.exp(R(1, 50)), 3, Fraction(1, 200)),  # e^0.02 = 1.0202...: 1.02 +- 0.005
])
def test_policy_interval(value, figures, abs_tol):
    from symdl.grading.values import policy_tolerance

    assert policy_tolerance(value, figures)["abs"] == abs_tol


def _di504():
    from symdl.grading import rubric
    from symdl.solve import solve_exam as solve

    report = solve()
    return {r.question.id: (r.question, r.solution, {i.column: i for i in rubric.items(r.question, r.solution)})
            for r in report.results}


@pytest.fixture(scope="module")
def di504():
    return _di504()


def _round(x, figures):
    """``x`` (a float from an independent computation) rounded to ``figures`` significant figures, as a
    student writes it: Python's decimal rounding, half up."""
    from decimal import ROUND_HALF_UP, Decimal

    d = Decimal(repr(float(x)))
    exponent = d.adjusted() - figures + 1
    return Fraction(d.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP))


def _di504_values():
    """DI504's answers computed here with numpy, from the exam sheet's numbers (not from symdl)."""
    import numpy as np

    W1, x1 = np.array([[-0.1, -0.5], [0.3, 0.2]]), np.array([0.3, -0.1])
    z3 = np.exp(W1 @ x1 + np.array([0, 1]))                    # e^{Wx + [0, 1]}
    up = np.ones(2) * (z3 > np.array([1, 0]))                 # max's gradient to the winner (e^... > 1, 0)
    gz = up * z3                                              # exp's local gradient
    W3 = np.array([[-0.8, -0.5, 0.5, 0.2, -0.2], [0.8, -0.3, 0, -0.1, -0.3], [0, 0.6, 0.6, 0.2, -0.6],
                   [-0.2, -0.4, 0.1, -0.1, 0.5]])
    B3 = np.array([-0.3, 0.1, -0.7, 0.9])
    r = np.abs(W3).sum(axis=1)                                # the L1 term, row by row
    out = {"Q1": {"Q1.output[0]": z3[0], "Q1.output[1]": z3[1], "Q1.grad.x[0]": (W1.T @ gz)[0],
                  "Q1.grad.x[1]": (W1.T @ gz)[1], "Q1.grad.W[0][0]": np.outer(gz, x1)[0, 0],
                  "Q1.grad.W[1][1]": np.outer(gz, x1)[1, 1]}, "Q3": {}}
    for case, x in (("a", np.zeros(5)), ("b", np.array([1.2, 4.3, 5.6, 3.4, 7.8])),
                    ("c", np.array([-2.1, 3.4, 4.5, -2.8, 7.1]))):
        s = W3 @ x + B3 + r
        p = np.exp(s) / np.exp(s).sum()
        for k in range(4):
            out["Q3"][f"Q3.{case}.probs[{k}]"] = p[k]
    return out


def test_answers_as_students_write_them(di504):
    """Rounded to 3 figures from the exact values (computed here with numpy): right; to 2: wrong."""
    from symdl.grading.rubric import judge

    checked = 0
    for qid, values in _di504_values().items():
        q, sol, items = di504[qid]
        for column, x in values.items():
            item = items[column]
            assert judge(q, sol, item, _round(x, 3)) == (1, "right"), (column, x)
            assert judge(q, sol, item, _round(x, 4)) == (1, "right"), (column, x)
            two = _round(x, 2)
            # a 2-figure rounding off by more than half a unit of the 3rd figure (the policy's width,
            # by hand: 10^(floor(log10|x|) - 2) / 2) must fail; one that happens to be that close passes
            if abs(two - Fraction(float(x))) > Fraction(10) ** (_exp10(x) - 2) / 2:
                assert judge(q, sol, item, two) == (0, "wrong"), (column, x, two)
                checked += 1
    assert checked >= 10
    # the examples, as written
    q, sol, items = di504["Q1"]
    for column, written in (("Q1.output[0]", "1.02"), ("Q1.grad.x[0]", "0.7726"), ("Q1.grad.x[0]", "0.773")):
        assert judge(q, sol, items[column], Fraction(written)) == (1, "right")
    assert judge(q, sol, items["Q1.grad.x[0]"], Fraction("0.77")) == (0, "wrong")
    q, sol, items = di504["Q3"]
    assert judge(q, sol, items["Q3.a.probs[0]"], Fraction("0.275")) == (1, "right")
    assert judge(q, sol, items["Q3.c.probs[3]"], Fraction("0.955")) == (1, "right")
    assert judge(q, sol, items["Q3.c.probs[3]"], Fraction("0.96")) == (0, "wrong")


def _exp10(x):
    import math

    return math.floor(math.log10(abs(x)))


def test_exact_answers_only_as_written(di504):
    from symdl.grading.rubric import judge

    q, sol, items = di504["Q2"]
    assert judge(q, sol, items["Q2.z"], Fraction("-0.04")) == (1, "right")
    assert judge(q, sol, items["Q2.z"], Fraction("-0.0401")) == (0, "wrong")
    assert judge(q, sol, items["Q2.dead"], True) == (1, "right")
    assert judge(q, sol, items["Q2.dead"], False) == (0, "wrong")
    assert judge(q, sol, items["Q2.grad.W"], [0, 0, 0, 0, 0]) == (1, "right")
    assert judge(q, sol, items["Q2.grad.W"], [0, 0, 0, 0, Fraction(1, 10)]) == (0, "wrong")
    assert judge(q, sol, items["Q2.y"], None) == (0, "blank")
    q, sol, items = di504["Q4"]
    # conv1_1: floor((3001 + 3 + 3 - 200)/1) + 1 = 2808 rows, 33 columns, 64 filters
    assert judge(q, sol, items["Q4.conv1_1.output"], [2808, 33, 64]) == (1, "right")
    assert judge(q, sol, items["Q4.conv1_1.output"], [2807, 33, 64]) == (0, "wrong")
    q, sol, items = di504["Q5"]
    assert judge(q, sol, items["Q5.iterations_per_epoch"], Fraction(155)) == (1, "right")
    assert judge(q, sol, items["Q5.iterations_per_epoch"], Fraction(154)) == (0, "wrong")


def test_points_are_exact_halves_summing_to_the_exam(di504):
    """Every item a multiple of 0.5; items add up to each part, parts to the question, questions to 100."""
    total = Fraction(0)
    for qid, (q, sol, items) in di504.items():
        for part, _, part_points in q.part_list():
            got = sum((i.points for i in items.values() if i.part == part), Fraction(0))
            assert got == (part_points if part is not None else q.points), (qid, part)
        assert all(isinstance(i.points, Fraction) and (i.points * 2).denominator == 1 and i.points > 0
                   for i in items.values())
        # answer.points is the sum of its items
        for name, answer in sol.meta.items():
            own = [i.points for i in items.values() if i.answer == name]
            assert answer.points == (sum(own, Fraction(0)) if own else None), name
        total += sum(i.points for i in items.values())
    assert total == 20 + 20 + 20 + 25 + 15


def test_partial_band_and_overrides(toy, tmp_path):
    from symdl.grading import rubric

    path = _spec(tmp_path)
    text = path.read_text().replace('title = "Toy"\n', 'title = "Toy"\ngrading = { figures = 4, step = 1, '
                                    'partial = { figures = 2, credit = 0.5 } }\n')
    text = text.replace('b = { text = "Product.", points = 3 }',
                        'b = { text = "Product.", points = 3, rubric = { product = 2 } }')
    path.write_text(text)
    result = solve_exam(path).results[0]
    q, sol = result.question, result.solution
    items = {i.column: i for i in rubric.items(q, sol)}
    # step 1: part a's 10 points over 3 answers: 4, 3, 3; part b: the spec gives product 2, square the rest
    assert [items[f"T1.{n}"].points for n in ("ratio", "sum", "difference", "product", "square")] == [4, 3, 3, 2, 1]
    ratio = items["T1.ratio"]
    # 2/3 to 4 figures: 0.6667 right; 0.667 (3 figures) is 0.00033 off, more than 0.00005: but within the
    # 2-figure band (0.005): half the points; 0.68 is 0.013 off: wrong
    assert rubric.judge(q, sol, ratio, Fraction("0.6667")) == (1, "right")
    assert rubric.judge(q, sol, ratio, Fraction("0.667")) == (Fraction(1, 2), "partial")
    assert rubric.judge(q, sol, ratio, Fraction("0.68")) == (0, "wrong")


@pytest.mark.parametrize("extra, field", [
    ('grading = { figures = 0 }\n', "exam.grading.figures"),
    ('grading = { step = "half" }\n', "exam.grading.step"),
    ('grading = { partial = { figures = 3, credit = 0.5 } }\n', "exam.grading.partial.figures"),
    ('grading = { partial = { figures = 2, credit = 1.5 } }\n', "exam.grading.partial.credit"),
    ('grading = { sigfigs = 3 }\n', "exam.grading.sigfigs"),
])
def test_bad_policy_names_its_field(toy, tmp_path, extra, field):
    from symdl.errors import SpecError

    path = _spec(tmp_path)
    path.write_text(path.read_text().replace('title = "Toy"\n', 'title = "Toy"\n' + extra))
    with pytest.raises(SpecError) as info:
        solve_exam(path)
    assert info.value.field == field


@pytest.mark.parametrize("rubric_table, field", [
    ("{ nothing = 1 }", "parts.b.rubric.nothing"),         # no such answer or criterion
    ("{ product = 0.25 }", "parts.b.rubric.product"),      # not a multiple of the step
    ("{ product = 4 }", "parts.b.rubric"),                 # more than the part's 3 points
])
def test_bad_rubric_split_names_its_field(toy, tmp_path, rubric_table, field):
    from symdl.errors import SpecError

    path = _spec(tmp_path)
    path.write_text(path.read_text().replace('b = { text = "Product.", points = 3 }',
                                             f'b = {{ text = "Product.", points = 3, rubric = {rubric_table} }}'))
    with pytest.raises(SpecError) as info:
        solve_exam(path)
    assert info.value.field == field


def test_a_question_and_an_answer_may_ask_for_other_figures(toy, tmp_path):
    path = _spec(tmp_path)
    path.write_text(path.read_text().replace('b = "3"\n', 'b = "3"\ngrading = { figures = 4, answers = { sum = 2 } }\n'))
    meta = solve_exam(path).results[0].solution.meta
    # 2/3 to the question's 4 figures: half a unit of 10^-4; 2 x 3 = 6 stays exact; the answers say so
    assert meta["ratio"].tolerance["abs"] == Fraction(1, 20000) and meta["ratio"].figures == 4
    assert meta["product"].tolerance["abs"] == 0
    assert meta["sum"].figures == 2


def test_points_that_the_step_cannot_split_name_their_field(toy, tmp_path):
    from symdl.errors import SpecError

    path = _spec(tmp_path)
    path.write_text(path.read_text().replace('title = "Toy"\n', 'title = "Toy"\ngrading = { step = 2 }\n'))
    with pytest.raises(SpecError) as info:                 # part b's 3 points in steps of 2
        solve_exam(path)
    assert info.value.field == "parts.b.points"
