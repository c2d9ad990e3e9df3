"""After solving (symdl/grading.py): points per answer, tolerances from the shown rounding, mistakes."""

from __future__ import annotations

import textwrap
from fractions import Fraction

import pytest
import sympy

from symdl import kinds
from symdl.derive import solve_exam
from symdl.grading import display_tolerance, same_value
from symdl.kinds import Kind
from symdl.schema import Field, Schema
from symdl.solution import Mistake, Solution, Step

R = sympy.Rational


# ------------------------------------------------------------------- tolerances ----

@pytest.mark.parametrize("value, digits, abs_tol, rel_tol", [
    (7, None, 0, 0),                                      # an integer is exact
    (R(1, 50), None, Fraction(1, 200), Fraction(1, 4)),   # 0.02 shown exactly: +-0.005
    (R(-1, 25), None, Fraction(1, 200), Fraction(1, 8)),  # -0.04
    # pi shown with 5 significant digits, 3.1416: half a unit of 10^-4, relative to 3.1416
    (sympy.pi, None, Fraction(1, 20000), Fraction(1, 20000) / Fraction(31416, 10000)),
    (sympy.pi, 3, Fraction(1, 200), Fraction(1, 200) / Fraction(314, 100)),
    # 9.9999963... (not a terminating decimal) rounds up to 10.000: the last digit is then 10^-3
    (R(29999989, 3000000), None, Fraction(1, 2000), Fraction(1, 2000) / 10),
    # a vector: entry by entry, each to its own last shown digit (0.33333 and 2718.3)
    (sympy.Matrix([R(1, 50), R(107, 100)]), None, [Fraction(1, 200), Fraction(1, 200)],
     [Fraction(1, 4), Fraction(1, 200) / Fraction(107, 100)]),
    (sympy.Matrix([R(1, 3), 1000 * sympy.E]), None, [Fraction(1, 200000), Fraction(1, 20)],
     [Fraction(1, 200000) / Fraction(33333, 100000), Fraction(1, 20) / Fraction(27183, 10)]),
    ([3001, 33, 1], None, [0, 0, 0], [0, 0, 0]),                              # a shape: exact
    (sympy.Matrix([[R(1, 2), 2], [3, R(1, 3)]]), None, [[Fraction(1, 20), 0], [0, Fraction(1, 200000)]],
     [[Fraction(1, 10), 0], [0, Fraction(1, 200000) / Fraction(33333, 100000)]]),
])
def test_tolerance_is_half_a_unit_of_the_last_shown_digit(value, digits, abs_tol, rel_tol):
    assert display_tolerance(value, digits) == {"abs": abs_tol, "rel": rel_tol}


@pytest.mark.parametrize("value", [True, "raise the learning rate", None, []])
def test_no_tolerance_for_what_is_not_a_number(value):
    assert display_tolerance(value) is None


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
    sol.describe("square", points=1)
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


def test_points_split_evenly_over_a_parts_final_answers(toy, tmp_path):
    meta = solve_exam(_spec(tmp_path)).results[0].solution.meta
    # part a: 10 points over three final answers, exactly 10/3 each
    assert [meta[n].points for n in ("ratio", "sum", "difference")] == [Fraction(10, 3)] * 3
    # part b: 3 points; the kind gave "square" 1 point, the other final answer gets the rest
    assert meta["square"].points == 1 and meta["product"].points == 2
    assert meta["aside"].points is None
    assert sum(a.points for a in meta.values() if a.points is not None) == 13


def test_a_question_without_parts_is_one_part(toy, tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('[exam]\nid = "t"\ntitle = "T"\n[[question]]\nid = "T1"\nkind = "toy_grading"\n'
                    'points = 12\na = "2"\nb = "3"\n')
    meta = solve_exam(path).results[0].solution.meta
    # no parts: every final answer shares the question's 12 points, whatever part it names
    assert [meta[n].points for n in ("ratio", "sum", "difference", "product")] == [Fraction(11, 4)] * 4
    assert meta["square"].points == 1


def test_tolerances_are_filled_in(toy, tmp_path):
    meta = solve_exam(_spec(tmp_path)).results[0].solution.meta
    assert meta["sum"].tolerance == {"abs": 0, "rel": 0}            # 5: an integer
    # 2/3 shown as 0.66667: +-0.000005, relative to 0.66667
    assert meta["ratio"].tolerance == {"abs": Fraction(1, 200000),
                                       "rel": Fraction(1, 200000) / Fraction(66667, 100000)}


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
