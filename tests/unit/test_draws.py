"""Draws on a decimal grid (symdl.input.draws) and the [exam] require language (symdl.input.require)."""

from collections import Counter
from fractions import Fraction

import pytest

from symdl.input import draws, require
from symdl.errors import SpecError
from symdl.input.latex import parse_matrix


def spec(**fields):
    return {"exam": {"id": "t", "title": "t"}, "question": [{"id": "Q", "kind": "neuron", **fields}]}


def one(table, key="W"):
    found = draws.find(spec(**{key: table}))
    assert len(found) == 1
    return found[0]


def test_uniform_values_sit_on_the_exact_decimal_grid_and_parse_back_exactly():
    draw = one({"random": "uniform", "low": -0.5, "high": 0.5, "step": 0.1, "shape": [2, 3]})
    grid = {Fraction(k - 5, 10) for k in range(11)}
    for seed in range(50):
        _, drawn = draws.apply(spec(W=None), [draw], seed)
        matrix = parse_matrix(drawn["Q.W"])
        assert matrix.shape == (2, 3)
        for entry in matrix:
            assert Fraction(int(entry.p), int(entry.q)) in grid       # exact rationals, never floats


def test_decimal_text_is_exact_and_short():
    assert draws.decimal_text(Fraction(-3, 10)) == "-0.3"
    assert draws.decimal_text(Fraction(1, 4)) == "0.25"
    assert draws.decimal_text(Fraction(7)) == "7"
    assert draws.decimal_text(Fraction(1, 1000)) == "0.001"
    # 0.1 + 0.2 is 0.30000000000000004 in floats; on the grid it is 0.3
    assert draws.decimal_text(Fraction("0.1") + 2 * Fraction("0.1")) == "0.3"


@pytest.mark.parametrize("zero, points, quantile", [(True, 11, 29.59), (False, 10, 27.88)])
def test_draws_are_near_uniform_over_the_grid_chi_square(zero, points, quantile):
    """11 grid points (10 when 0 is left out, the default), 11000 draws: Pearson's chi-square against
    the uniform law, 10 (9) degrees of freedom; 29.59 (27.88) is its 0.999 quantile (any chi-square
    table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4)."""
    draw = one({"random": "uniform", "low": -0.5, "high": 0.5, "step": 0.1, "shape": [1000], "zero": zero})
    counts = Counter()
    for seed in range(11):
        _, drawn = draws.apply(spec(W=None), [draw], seed)
        counts.update(str(v) for v in parse_matrix(drawn["Q.W"]))
    assert len(counts) == points and (("0" in counts) == zero)
    expected = 11000 / points
    chi2 = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi2 < quantile


def test_integer_draw_inside_a_layer_list_is_named_and_written_as_an_integer():
    data = {"exam": {"id": "t", "title": "t"}, "question": [{"id": "Q4", "kind": "architecture", "layer": [
        {"name": "data", "type": "input", "size": [32, 32, 3]},
        {"name": "c", "type": "conv", "filters": {"random": "integer", "low": 8, "high": 64, "step": 8},
         "size": [{"random": "integer", "low": 1, "high": 7, "step": 2}, 3, 3]}]}]}
    found = draws.find(data)
    assert [d.field for d in found] == ["layer[1].filters", "layer[1].size[0]"]
    new, drawn = draws.apply(data, found, 5)
    layer = new["question"][0]["layer"][1]
    assert isinstance(layer["filters"], int) and layer["filters"] in range(8, 65, 8)
    assert layer["size"][0] in (1, 3, 5, 7) and layer["size"][1:] == [3, 3]
    assert data["question"][0]["layer"][1]["filters"]["random"] == "integer"     # the spec is not changed
    assert draws.apply(data, found, 5)[1] == drawn                                # same seed, same values


def test_choice_picks_one_item_and_every_item_comes_up():
    draw = one({"choice": [16, 32, 64]}, key="minibatch")
    seen = {draws.apply(spec(minibatch=None), [draw], s)[1]["Q.minibatch"] for s in range(60)}
    assert seen == {16, 32, 64}


def test_distinct_variants_counts_the_grid():
    a = one({"random": "uniform", "low": 0, "high": 1, "step": 0.5, "shape": [2]})     # 0 left out: 2 values
    b = one({"choice": ["relu", "sigmoid"]}, key="activation")
    assert draws.distinct_variants([a, b]) == 4 * 2
    z = one({"random": "uniform", "low": 0, "high": 1, "step": 0.5, "shape": [2], "zero": True})
    assert draws.distinct_variants([z, b]) == (9 - 1) * 2                 # 3 values, never the zero vector
    m = one({"random": "integer", "low": 0, "high": 1, "shape": [2, 3], "zero": True})
    assert m.distinct() == 25          # 2 x 3 over {0, 1} with no zero row or column: 25 of 64, counted by hand
    c = one({"random": "integer", "low": 0, "high": 4, "exclude": [0, 1]})
    assert c.distinct() == 3


@pytest.mark.parametrize("table, words", [
    ({"random": "uniform", "low": 1, "high": 0, "step": 0.1}, "empty range"),
    ({"random": "uniform", "low": 0, "high": 1, "step": 0.3}, "does not divide"),
    ({"random": "uniform", "low": 0, "high": 1}, "needs step"),
    ({"random": "uniform", "low": 0, "high": 1, "step": 0}, "positive"),
    ({"random": "gauss", "low": 0, "high": 1, "step": 0.1}, "uniform"),
    ({"random": "uniform", "low": 0, "high": 1, "step": 0.1, "spread": 2}, "unknown key 'spread'"),
    ({"random": "uniform", "low": "a", "high": 1, "step": 0.1}, "low must be a number"),
    ({"random": "uniform", "low": 0, "high": 1, "step": 0.1, "shape": [0]}, "shape"),
    ({"random": "integer", "low": 0, "high": 1.5}, "integer"),
    ({"random": "integer", "low": 0, "high": 1, "exclude": [0, 1]}, "every value"),
    ({"choice": []}, "non-empty"),
    ({"choice": [1], "random": "uniform"}, "not both"),
    ({"random": "uniform", "high": 1, "step": 0.1}, "needs low"),
])
def test_bad_draws_name_the_question_and_field(table, words):
    with pytest.raises(SpecError) as info:
        draws.find(spec(values={"W": table}))
    assert words in info.value.message
    assert info.value.question == "Q" and info.value.field == "values.W"


def test_attempt_seeds_differ_per_variant_and_attempt_and_are_stable():
    seeds = {draws.attempt_seed(s, n, a) for s in range(3) for n in range(1, 20) for a in range(5)}
    assert len(seeds) == 3 * 19 * 5
    assert draws.attempt_seed(0, 1, 0) == draws.attempt_seed(0, 1, 0)


# -- [exam] require ---------------------------------------------------------------------------

ANSWERS = {"Q2": {"dead": True, "z": -0.04, "grad.W": [0, 0, 0], "inf": float("inf"), "nan": float("nan")},
           "Q4": {"conv1_1.output": [2808, 33, 64], "w": [[1, 2], [3, 4]]}}


@pytest.mark.parametrize("text, expected", [
    ("Q2.dead", True),
    ("not Q2.dead", False),
    ("Q4.conv1_1.output[0] >= 100", True),
    ("Q4.conv1_1.output[2] == 64 and Q2.z < 0", True),
    ("Q2.z > 0 or Q4.conv1_1.output[1] != 33", False),
    ("Q4.conv1_1.output[0] * 2 - 16 == 5600", True),
    ("-Q2.z == 0.04", True),
    ("(Q2.z < 0) == true", True),
    ("Q4.w[1][0] / 3 == 1", True),
])
def test_conditions_evaluate_on_the_answers(text, expected):
    condition = require.parse(text, {"Q2", "Q4"})
    assert require.holds(condition, ANSWERS) is expected


@pytest.mark.parametrize("text, words", [
    ("__import__('os').system('true')", "cannot read"),
    ("Q9.z > 0", "no question 'Q9'"),
    ("Q2 > 0", "names a question"),
    ("0 < Q2.z < 1", "chained"),
    ("Q2.z >", "unexpected end"),
    ("", "empty"),
    ("Q2.z[0.5] > 0", "whole number"),
])
def test_unreadable_conditions_are_refused_when_the_spec_is_read(text, words):
    with pytest.raises(SpecError) as info:
        require.parse(text, {"Q2", "Q4"})
    assert words in info.value.message and info.value.field == "exam.require"


@pytest.mark.parametrize("text, words", [
    ("Q2.deadd", "has no answer 'deadd'"),
    ("Q4.conv1_1.output[3] > 0", "past the end"),
    ("Q4.conv1_1.output > 0", "is a vector"),
    ("Q2.z", "not a condition"),
    ("Q2.dead + 1 > 0", "not a number"),
    ("Q2.inf > 0", "not a finite number"),
    ("Q2.nan == 0", "not a finite number"),
])
def test_conditions_naming_unknown_answers_or_mixing_types_are_errors(text, words):
    with pytest.raises(SpecError) as info:
        require.holds(require.parse(text, {"Q2", "Q4"}), ANSWERS)
    assert words in info.value.message


# -- numbers of a spec, bounded where they are read (round 3) -------------------------------

HUGE = ["1e999999999", "-1e999999999", "1e-999999999", "1E+401", "1" * 5000, "9" * 401 + "/7"]


@pytest.mark.parametrize("key", ["low", "high", "step", "exclude"])
@pytest.mark.parametrize("text", HUGE)
def test_a_huge_number_in_a_draw_is_refused_at_once_naming_the_field(key, text):
    import time

    table = {"random": "uniform", "low": "0", "high": "1", "step": "0.5"}
    table[key] = [text] if key == "exclude" else text
    start = time.process_time()
    with pytest.raises(SpecError) as info:
        draws.find(spec(values={"x": table}))
    assert time.process_time() - start < 0.1
    assert info.value.field == "values.x" and key in info.value.message


@pytest.mark.parametrize("key, text", [("step", "1/3"), ("low", "1/3"), ("high", "2/3"), ("exclude", ["1/3"]),
                                       ("step", "1e-31"), ("high", "1e31")])
def test_a_draw_number_that_cannot_be_written_back_as_a_decimal_is_refused(key, text):
    table = {"random": "uniform", "low": "0", "high": "1", "step": "0.5"}
    table[key] = text
    with pytest.raises(SpecError) as info:
        draws.find(spec(values={"x": table}))
    assert info.value.field == "values.x" and key in info.value.message


def test_an_exclude_off_the_grid_is_refused_not_ignored():
    table = {"random": "uniform", "low": "0", "high": "1", "step": "0.5", "exclude": ["0.25"]}
    with pytest.raises(SpecError) as info:
        draws.find(spec(values={"x": table}))
    assert "0.25 is not a value of the grid" in info.value.message


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.integers(-10**6, 10**6), st.integers(1, 10**6), st.integers(1, 9), st.integers(0, 40),
       st.integers(0, 40), st.integers(0, 40))
def test_every_accepted_draw_writes_back_every_value(low_num, step_num, denominator, low_places, step_places, count):
    """The class of draws.decimal_text's ValueError: a number as p/q or with many places is either refused at
    reading (SpecError) or every value drawn is written back as a decimal that reads back exactly."""
    low = Fraction(low_num, denominator * 10**low_places)
    step = Fraction(step_num, denominator * 10**step_places)
    table = {"random": "uniform", "low": f"{low.numerator}/{low.denominator}",
             "step": f"{step.numerator}/{step.denominator}",
             "high": f"{(low + count * step).numerator}/{(low + count * step).denominator}"}
    try:
        draw = one(table)
    except SpecError as exc:
        assert exc.field == "W"
        return
    for seed in range(3):
        _, drawn = draws.apply(spec(W=None), [draw], seed)
        value = Fraction(drawn["Q.W"])                       # a plain decimal string
        assert low <= value <= low + count * step and (value - low) / step % 1 == 0


def test_a_1000_term_sum_is_evaluated_exactly():
    total = " + ".join(["1"] * 1000)
    assert require.holds(require.parse(f"{total} == 1000", {"Q2"}), ANSWERS) is True
    assert require.holds(require.parse(f"{total} == 999", {"Q2"}), ANSWERS) is False
    chain = " and ".join(["Q2.dead"] * 3000)
    assert require.holds(require.parse(chain, {"Q2"}), ANSWERS) is True
    assert require.holds(require.parse("not Q2.dead or " + chain, {"Q2"}), ANSWERS) is True


@pytest.mark.parametrize("text", ["(" * 5000 + "1 > 0" + ")" * 5000, "not " * 5000 + "Q2.dead",
                                  "-" * 5000 + "1 > 0", "(" * 41 + "1 > 0" + ")" * 41,
                                  "1e999999999 > 0", "1" * 5000 + " > 0", "Q2.z[" + "9" * 5000 + "] > 0"])
def test_deep_or_huge_conditions_are_refused_naming_exam_require(text):
    import time

    start = time.process_time()
    with pytest.raises(SpecError) as info:
        require.holds(require.parse(text, {"Q2"}), ANSWERS)
    assert time.process_time() - start < 0.5
    assert info.value.field == "exam.require" and len(info.value.message) < 300


def test_forty_nested_levels_are_evaluated():
    text = "(" * 15 + "not " * 10 + "-" * 10 + "Q2.z == -0.04" + ")" * 15      # 35 levels
    assert require.holds(require.parse(text, {"Q2"}), ANSWERS) is True
    text = "(" * 15 + "not " * 11 + "-" * 10 + "Q2.z == -0.04" + ")" * 15
    assert require.holds(require.parse(text, {"Q2"}), ANSWERS) is False
    text = "(" * 15 + "-" * 11 + "Q2.z" + ")" * 15 + " == 0.04"
    assert require.holds(require.parse(text, {"Q2"}), ANSWERS) is True


_OPS = st.sampled_from(["+", "-", "*", "/"])


@st.composite
def arithmetic(draw, depth=0):
    """A random arithmetic text over small integers (parenthesised, with unary minus)."""
    if depth > 4 or draw(st.booleans()):
        return str(draw(st.integers(1, 9)))
    left, right = draw(arithmetic(depth=depth + 1)), draw(arithmetic(depth=depth + 1))
    text = f"{left} {draw(_OPS)} {right}"
    return f"-({text})" if draw(st.booleans()) else f"({text})"


@settings(max_examples=150, deadline=None)
@given(arithmetic())
def test_the_iterative_evaluator_agrees_with_python_on_fractions(text):
    """Python's own parser and Fraction arithmetic are the independent route (left-to-right, * before +)."""
    import re

    try:
        expected = eval(re.sub(r"(\d+)", r"Fraction(\1)", text), {"Fraction": Fraction})
    except ZeroDivisionError:
        with pytest.raises(SpecError, match="division by zero"):
            require.holds(require.parse(f"{text} == 0", {"Q2"}), ANSWERS)
        return
    condition = require.parse(f"{text} == {expected.numerator} / {expected.denominator}", {"Q2"})
    assert require.holds(condition, ANSWERS) is True


def test_a_grid_nearly_all_excluded_costs_what_it_draws():
    """1001 grid points, 1000 excluded, a 100 x 100 draw: every entry is the one value left, at once."""
    import time

    table = {"random": "integer", "low": 0, "high": 1000, "exclude": list(range(1000)), "shape": [100, 100]}
    draw = one(table)
    assert draw.distinct() == 1
    start = time.process_time()
    _, drawn = draws.apply(spec(W=None), [draw], 3)
    assert time.process_time() - start < 0.5
    assert {v for row in drawn["Q.W"] for v in row} == {1000}


def test_a_field_nested_hundreds_deep_is_refused_not_a_recursion_error():
    """A draw's data are copied and walked per variant (recursively, by copy.deepcopy): 480 nested lists
    (tomllib reads them) were a RecursionError in the worker, exit 3."""
    deep = {"choice": [1]}
    for _ in range(480):
        deep = [deep]
    with pytest.raises(SpecError) as info:
        draws.find(spec(values={"x": {"choice": ["1", "2"]}}, w=deep))
    assert info.value.field == "w" and "nested more than 32 deep" in info.value.message
    shallow = {"choice": [1]}
    for _ in range(30):
        shallow = [shallow]
    assert len(draws.find(spec(w=shallow))) == 1
