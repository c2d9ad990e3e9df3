"""The verifier: agree() against hand-made cases, and verify() on a solution that lies."""

import dataclasses
import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

import fakekind
from symdl.solve import solve_question
from symdl.input.spec import load_exam
from symdl.check.verify import Check, agree, describe, to_float_array, verify

R = sympy.Rational


@pytest.mark.parametrize("derived, independent", [
    (R(1, 3), 1 / 3),
    (R(-1, 25), -0.04),
    (sympy.exp(R(1, 50)), math.exp(0.02)),
    (sympy.Matrix([[R(1, 10), 2], [3, 4]]), np.array([[0.1, 2.0], [3.0, 4.0]])),
    (sympy.Matrix([1, 2, 3]), [1.0, 2.0, 3.0]),                  # column vs flat list
    (sympy.Matrix([[1, 2, 3]]), np.array([[1.0], [2.0], [3.0]])),  # row vs column: same entries
    (True, np.True_),                                             # numpy bools are bools
    (False, False),
    (sympy.oo, float("inf")),
    (sympy.nan, float("nan")),
    (0, 0.0),                                                     # exact zero against zero
    (10**20, 1e20),
    ([sympy.Integer(4), R(1, 2)], (4, 0.5)),
    ("learning rate", "learning rate"),
])
def test_agree(derived, independent):
    assert agree(derived, independent)


@pytest.mark.parametrize("derived, independent", [
    (R(1, 3), 0.3334),
    (sympy.oo, 5.0),                 # an infinity is not within any tolerance of a number
    (5, float("inf")),
    (-sympy.oo, float("inf")),
    (1, float("nan")),
    (True, 1),                       # a bool never agrees with a number
    (1, True),
    (sympy.Matrix([1, 2]), [1.0, 2.0, 3.0]),
    (sympy.Symbol("x"), 1.0),        # no numeric reading
    (sympy.I, 0.0),                  # complex
    ([sympy.Matrix([1, 2]), sympy.Matrix([1])], [1, 2]),  # ragged
    (None, 1.0),
    (1.0, None),
    ("a", "b"),
])
def test_disagree(derived, independent):
    assert not agree(derived, independent)


def test_no_absolute_tolerance_unless_a_kind_declares_one():
    # was (0, 1e-12) agreeing under a blanket ATOL of 1e-9; now only a declared floor allows it
    assert not agree(0, 1e-12)
    assert agree(0, 1e-12, atol=1e-9)


def test_relative_tolerance_is_relative():
    assert agree(1e6, 1e6 * (1 + 1e-7))
    assert not agree(1e6, 1e6 * (1 + 1e-5))
    assert agree(1e6, 1e6 * (1 + 1e-5), rtol=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**6))
def test_exact_rationals_agree_with_their_floats(x):
    value = R(x.numerator, x.denominator)
    assert agree(value, float(x))
    assert not agree(value, float(x) + 1e-3 * (abs(float(x)) + 1))


def test_to_float_array_shapes_and_describe():
    assert to_float_array(sympy.Matrix([[1, 2], [3, 4]])).shape == (2, 2)
    assert to_float_array(sympy.zeros(0, 3)).shape == (0, 3)
    assert describe(R(1, 3)) == "0.3333333333"
    assert describe(sympy.Matrix(range(8))) == "[0, 1, 2, 3, 4, 5, ...]"
    assert describe(sympy.Symbol("x") + 1) == "x + 1"
    assert describe(np.False_) == "False"


def _question(tmp_path, monkeypatch, **fields):
    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "0.1", "b": "0.2", **fields}))
    return load_exam(spec).questions[0]


def test_verify_checks_every_non_text_answer(tmp_path, monkeypatch):
    q = _question(tmp_path, monkeypatch)
    checks = verify(q, fakekind.solve(q))
    assert [c.name for c in checks] == ["sum", "positive"]       # the str answer is exempt
    assert all(c.ok for c in checks)
    assert checks[0].derived == R(3, 10)                           # exact, not 0.30000000000000004
    assert checks[0].independent == pytest.approx(0.3)


def test_verify_fails_a_lie(tmp_path, monkeypatch):
    q = _question(tmp_path, monkeypatch, lie=True)
    result = solve_question(q)
    assert not result.verified
    assert [c.name for c in result.failures] == ["sum"]


def test_verify_fails_an_answer_without_independent_value(tmp_path, monkeypatch):
    q = _question(tmp_path, monkeypatch)
    kind = dataclasses.replace(fakekind.kind(), independent=lambda question: {"sum": 0.3})
    checks = verify(q, fakekind.solve(q), kind)
    missing = [c for c in checks if c.name == "positive"][0]
    assert not missing.ok and missing.note == "no independent check"


def test_verify_refuses_a_non_dict_independent(tmp_path, monkeypatch):
    q = _question(tmp_path, monkeypatch)
    kind = dataclasses.replace(fakekind.kind(), independent=lambda question: [0.3, True])
    with pytest.raises(TypeError):
        verify(q, fakekind.solve(q), kind)


def test_check_dataclass_note_default():
    assert Check("x", 1, 1.0, True).note == ""


def test_python_numbers_from_kinds_compare_and_serialise():
    from decimal import Decimal
    from fractions import Fraction

    from symdl.render.answers_json import jsonable

    assert agree(Fraction(1, 3), 1 / 3) and agree(R(1, 3), Fraction(1, 3)) and agree(Decimal("0.5"), 0.5)
    assert jsonable([Fraction(1, 3), Fraction(4, 1), Decimal("0.5"), np.float64(2.5), np.int64(7), np.True_,
                     sympy.true, sympy.oo, -sympy.oo, sympy.nan, float("nan"), 10**30,
                     sympy.Matrix([[1, R(1, 2)], [3, 4]]), sympy.Matrix([1, 2])]) == \
        [1 / 3, 4, 0.5, 2.5, 7, True, True, "inf", "-inf", "nan", "nan", 10**30, [[1, 0.5], [3, 4]], [1, 2]]


def test_answers_json_is_strict_json(tmp_path, monkeypatch):
    import json

    from symdl.solve import solve_exam
    from symdl.render import answers_json

    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": r"\frac{1}{3}", "b": "0"}))
    text = answers_json.render(*(lambda r: (r.exam, r.results))(solve_exam(spec)))
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert data["questions"][0]["answers"]["sum"]["value"] == pytest.approx(1 / 3)
    assert text.endswith("}\n")


def _perturb(value):
    """A wrong answer close to ``value``: numbers moved by 0.1 % (+0.001), bools flipped."""
    if isinstance(value, (bool, np.bool_)):
        return not bool(value)
    if isinstance(value, sympy.MatrixBase):
        return value.applyfunc(_perturb)
    if isinstance(value, (list, tuple)):
        return [_perturb(v) for v in value]
    if isinstance(value, sympy.Basic) and value in (sympy.oo, -sympy.oo, sympy.nan, sympy.zoo):
        return sympy.Integer(0)
    return value * R(1001, 1000) + R(1, 1000)


@pytest.mark.parametrize("qid", ["Q1", "Q2", "Q3", "Q4", "Q5"])
def test_every_di504_answer_is_really_checked(qid):
    """Each DI504 answer agrees with its independent value, and a 0.1 % error in it is caught."""
    import copy

    from symdl import kinds
    from symdl.input.spec import default_spec

    q = [q for q in load_exam(default_spec()).questions if q.id == qid][0]
    sol = kinds.get(q.kind).solve(q)
    checks = verify(q, sol)
    numeric = [n for n, v in sol.answers.items() if not isinstance(v, str)]
    assert [c.name for c in checks] == numeric and all(c.ok for c in checks)
    wrong = copy.copy(sol)
    wrong.answers = {n: (v if isinstance(v, str) else _perturb(v)) for n, v in sol.answers.items()}
    empty = {n for n, v in sol.answers.items() if isinstance(v, (list, tuple)) and not v}   # nothing to move
    missed = [c.name for c in verify(q, wrong) if c.ok and c.name not in empty]
    assert missed == [], f"{qid}: a wrong value passed for {missed}"


# ------------------------------------------------- high precision, relative (issue 10) ----

def test_tiny_answers_are_checked_relatively():
    import mpmath

    exact = sympy.exp(-400) / (1 + sympy.exp(-400)) ** 2       # sigmoid'(400), about 1.9e-174
    with mpmath.workdps(40):
        reference = mpmath.exp(-400) / (1 + mpmath.exp(-400)) ** 2
    assert mpmath.nstr(reference, 4) == "1.915e-174"
    assert agree(exact, reference)
    assert not agree(exact, 1e-141)                             # passed under the old ATOL of 1e-9
    assert not agree(sympy.Float("1.0853e-165"), reference)
    assert not agree(exact, 0.0)


def test_values_past_float64_range_compare_exactly():
    import mpmath

    with mpmath.workdps(40):
        e1000 = mpmath.exp(1000)                                # 1.97e434: inf as a float
        small = -mpmath.mpf(496) / 100 * mpmath.mpf(10) ** -435
    assert agree(sympy.exp(1000), e1000)
    assert not agree(sympy.exp(1000), e1000 * (1 + mpmath.mpf("1e-5")))
    assert not agree(sympy.exp(1000), float("inf"))
    assert agree(-R(496, 100) * R(1, 10**435), small)
    assert not agree(-R(496, 100) * R(1, 10**435), -small)     # the sign counts
    assert not agree(-R(496, 100) * R(1, 10**435), 0.0)
    assert agree(R(101, 100) ** 4000, mpmath.power(mpmath.mpf("1.01"), 4000))


def test_every_kind_of_independent_value_compares():
    import mpmath
    from fractions import Fraction

    obj = np.empty((2, 1), dtype=object)
    obj[0, 0], obj[1, 0] = mpmath.mpf(1) / 3, mpmath.mpf(2)
    derived = sympy.Matrix([R(1, 3), 2])
    for other in (obj, mpmath.matrix([[mpmath.mpf(1) / 3], [2]]), [Fraction(1, 3), 2], np.array([1 / 3, 2.0]),
                  [sympy.Rational(1, 3), sympy.Integer(2)], (1 / 3, 2)):
        assert agree(derived, other), type(other)
    assert agree(0, 0) and agree(sympy.Integer(0), 0.0) and agree(0, mpmath.mpf(0))
    assert not agree(R(1, 3), mpmath.mpc(1 / 3, 1))             # complex is no real reading
    assert describe(sympy.exp(1000)) == "1.970071114e+434"


def test_a_kind_may_declare_an_absolute_floor(tmp_path, monkeypatch):
    q = _question(tmp_path, monkeypatch, a="0", b="0")
    kind = dataclasses.replace(fakekind.kind(), independent=lambda question: {"sum": 1e-20, "positive": False})
    sol = fakekind.solve(q)
    assert not [c for c in verify(q, sol, kind) if c.name == "sum"][0].ok
    kind = dataclasses.replace(kind, abs_tolerance=1e-12)
    assert [c for c in verify(q, sol, kind) if c.name == "sum"][0].ok
    kind = dataclasses.replace(kind, abs_tolerance={"*": 0, "other": 1e-12})
    assert not [c for c in verify(q, sol, kind) if c.name == "sum"][0].ok


def test_answers_json_writes_every_finite_number_as_a_number():
    import json
    from decimal import Decimal

    import mpmath

    from symdl.render.answers_json import _dumps, jsonable

    values = [sympy.exp(1000), -R(496, 100) * R(1, 10**435), sympy.Integer(10) ** 4800, R(1, 3),
              R(5, 10**324), sympy.Matrix([[1, R(1, 2)]])]
    text = _dumps({"a": jsonable(values)})
    assert "inf" not in text and "nan" not in text and "e434" in text and "e-435" in text
    read = json.loads(text, parse_float=Decimal)["a"]
    with mpmath.workdps(40):
        expected = [mpmath.exp(1000), -mpmath.mpf(496) / 100 / mpmath.mpf(10) ** 435, mpmath.mpf(10) ** 4800,
                    mpmath.mpf(1) / 3, 5 / mpmath.mpf(10) ** 324]
        for got, want in zip(read, expected):
            assert abs(mpmath.mpf(str(got)) - want) <= 1e-15 * abs(want), (got, want)
    assert read[5] == [1, Decimal("0.5")]
    assert json.loads(text)["a"][3] == 1 / 3              # in range: still the nearest double


# ------------------------------------------------------------ rounding bounds of float routes ---

def test_a_bounded_value_agrees_within_max_of_relative_and_bound():
    from symdl.check import hp
    noise = hp.Bounded(2.7755575615628914e-17, hp.sum_bound(0.6, 3))     # 0.1 + 0.2 - 0.3 in doubles
    assert agree(0, noise) and agree(sympy.Integer(0), noise)
    assert not agree(sympy.Rational(1, 10**12), noise)                  # far above ~1e-15
    tiny = hp.Bounded(1.9e-174, hp.sum_bound(1.9e-174, 3))               # README pitfall: 1e-141 is wrong
    assert agree(sympy.Float("1.9e-174", 30), tiny)
    assert not agree(sympy.Float("1e-141"), tiny) and not agree(0, tiny)
    # the rule is max(rtol * |value|, bound), not their sum: 1 + 1.5e-6 is outside both
    assert not agree(sympy.Rational(1) + sympy.Rational(15, 10**7), hp.Bounded(1.0, 1e-6), rtol=1e-6)
    assert agree(sympy.Rational(1) + sympy.Rational(9, 10**7), hp.Bounded(1.0, 1e-6), rtol=1e-6)


def test_bounds_per_entry_and_past_float_range():
    import mpmath
    from symdl.check import hp
    value = np.array([0.0, 1.0, 3e-17])
    bound = np.array([1e-16, 0.0, 1e-16])
    assert agree([0, 1, 0], hp.Bounded(value, bound))
    assert not agree([0, 1 + 1e-5, 0], hp.Bounded(value, bound))           # entry 2: relative only
    assert not agree([1e-15, 1, 0], hp.Bounded(value, bound))              # entry 1: past its bound
    big = np.empty(1, dtype=object)
    big[0] = mpmath.mpf("1e400")                                           # a bound past float64 is kept
    exact = sympy.Float("1e700", 30)
    assert agree(exact, hp.Bounded(np.array([exact + sympy.Float("1e399", 30)], dtype=object), big))


def test_nan_inf_or_unbounded_route_entries_are_named_not_checked():
    from symdl.check import hp
    from symdl.check.verify import _compare
    ok, note = _compare([1, 2, 3], np.array([1.0, np.nan, 3.0]), 1e-6, 0)
    assert not ok and note == "the independent route gave no number (NaN) at entry 2 of 3: not checked"
    ok, note = _compare([1, 2, 3, 4, 5], np.full(5, np.nan), 1e-6, 0)
    assert not ok and "entries 1, 2, 3 and 2 more of 5" in note
    ok, note = _compare([1, 2], np.array([np.inf, 2.0]), 1e-6, 0)
    assert not ok and "infinite" in note
    ok, note = _compare([0], hp.Bounded(np.array([0.0]), np.array([np.inf])), 1e-6, 0)
    assert not ok and "bound is not finite" in note
    ok, note = _compare([0, 0], hp.Bounded(np.array([0.0, 0.0]), np.array([1e-16, 1e-16, 1e-16])), 1e-6, 0)
    assert not ok and "rounding bounds for 2 entries" in note
    assert agree(math.nan, np.nan)                                         # NaN against NaN, as documented
    assert describe(hp.Bounded(np.array([0.5, 0.25]), 1e-17)) == "[0.5, 0.25]"
