"""Draws on a decimal grid (symdl.draws) and the [exam] require language (symdl.require)."""

from collections import Counter
from fractions import Fraction

import pytest

from symdl import draws, require
from symdl.errors import SpecError
from symdl.latex_parse import parse_matrix


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


def test_draws_are_near_uniform_over_the_grid_chi_square():
    """11 grid points, 11000 draws: Pearson's chi-square against the uniform law, 10 degrees of
    freedom; 29.59 is its 0.999 quantile (any chi-square table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4)."""
    draw = one({"random": "uniform", "low": -0.5, "high": 0.5, "step": 0.1, "shape": [1000]})
    counts = Counter()
    for seed in range(11):
        _, drawn = draws.apply(spec(W=None), [draw], seed)
        counts.update(str(v) for v in parse_matrix(drawn["Q.W"]))
    assert len(counts) == 11
    expected = 11000 / 11
    chi2 = sum((n - expected) ** 2 / expected for n in counts.values())
    assert chi2 < 29.59


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
    a = one({"random": "uniform", "low": 0, "high": 1, "step": 0.5, "shape": [2]})     # 3 values, 2 entries
    b = one({"choice": ["relu", "sigmoid"]}, key="activation")
    assert draws.distinct_variants([a, b]) == 9 * 2
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

ANSWERS = {"Q2": {"dead": True, "z": -0.04, "grad.W": [0, 0, 0]},
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
])
def test_conditions_naming_unknown_answers_or_mixing_types_are_errors(text, words):
    with pytest.raises(SpecError) as info:
        require.holds(require.parse(text, {"Q2", "Q4"}), ANSWERS)
    assert words in info.value.message
