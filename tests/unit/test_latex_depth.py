"""A function nested deeply (sigma of sigma of ... 200 and 1,000 times) parses on a larger stack and derives; past the
stated limit the CLI refuses it in one line naming the field and the limit (exit 2, nothing written)."""

from __future__ import annotations

import json
import math
import sys
import time

import pytest

from symdl.errors import LatexError
from symdl.input.latex import depth, parse_expression


def nested(n: int) -> str:
    s = "x"
    for _ in range(n):
        s = r"\sigma(" + s + ")"
    return s


def spec(tmp_path, n):
    path = tmp_path / "deep.toml"
    path.write_text(f"""[exam]
id = "deep"
title = "A deep sigmoid chain"
[[question]]
id = "Q1"
kind = "graph"
function = '{nested(n)}'
[question.values]
x = "0.5"
""")
    return path


def test_nesting_counts_brackets():
    assert depth.nesting(nested(7)) == 7
    assert depth.nesting(r"\frac{a}{(b + [c])}") == 3


def test_parse_of_200_levels_costs_linear_time_and_restores_the_limit():
    limit = sys.getrecursionlimit()
    times = {}
    for n in (100, 200):
        text = nested(n) + " + 0"          # a text not cached by another test
        start = time.process_time()
        expr = parse_expression(text).expr
        times[n] = time.process_time() - start
        levels, e = 0, expr
        while e.args:                      # count the sigmoids by walking down (no recursion)
            e = e.args[0] if len(e.args) == 1 else next(a for a in e.args if a.free_symbols)
            levels += 1
        assert levels >= n
    assert sys.getrecursionlimit() == limit
    assert times[200] < 4 * times[100] + 0.5       # linear, not exponential, in the nesting


def test_past_the_limit_is_a_latex_error_naming_the_limit():
    with pytest.raises(LatexError, match=f"{depth.MAX_DEPTH + 1} levels deep, past the limit of {depth.MAX_DEPTH}"):
        parse_expression(nested(depth.MAX_DEPTH + 1))


def test_sigma_nested_200_deep_derives_against_a_direct_loop(tmp_path):
    """The output and d/dx against a loop in floats: y <- 1/(1 + e^-y), grad *= y(1 - y)."""
    from symdl.cli import main

    out = tmp_path / "out"
    assert main(["derive", str(spec(tmp_path, 200)), "--out", str(out), "--no-pdf"]) == 0
    answers = json.loads((out / "deep" / "answers.json").read_text())["questions"][0]["answers"]
    y, grad = 0.5, 1.0
    for _ in range(200):
        y = 1 / (1 + math.exp(-y))
        grad *= y * (1 - y)
    assert answers["output"]["value"][0] == pytest.approx(y, rel=1e-12)
    assert answers["grad.x"]["value"][0] == pytest.approx(grad, rel=1e-9)
    assert 1e-131 < grad < 1e-129


def test_sigma_nested_1000_deep_derives_against_an_mpmath_loop(tmp_path):
    """1,000 levels (the limit) derive and verify: the gradient, about 1e-660, underflows float64 (and
    answers.json's floats), so the exact answers are compared with a loop in mpmath (y <- 1/(1 + e^-y),
    grad *= y(1 - y)), relatively."""
    import mpmath
    import sympy
    from support import solution_of
    from symdl.check.verify import verify
    from symdl.input.spec import load_exam

    assert depth.MAX_DEPTH >= 1000
    question = load_exam(spec(tmp_path, 1000)).questions[0]
    sol = solution_of(question)
    assert all(c.ok for c in verify(question, sol))
    with mpmath.workdps(50):
        y, grad = mpmath.mpf("0.5"), mpmath.mpf(1)
        for _ in range(1000):
            y = 1 / (1 + mpmath.exp(-y))
            grad *= y * (1 - y)
        assert mpmath.mpf(str(sympy.N(sol.answers["output"][0], 30))) == pytest.approx(float(y), rel=1e-12)
        got = mpmath.mpf(str(sympy.N(sol.answers["grad.x"][0], 30)))
        assert abs(got / grad - 1) < mpmath.mpf("1e-12")
        assert mpmath.mpf("1e-700") < grad < mpmath.mpf("1e-600")


def test_past_the_limit_the_cli_names_the_field_and_writes_nothing(tmp_path, capsys):
    from symdl.cli import main

    out = tmp_path / "out"
    assert main(["derive", str(spec(tmp_path, depth.MAX_DEPTH + 50)), "--out", str(out), "--no-pdf"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deep.toml" in err[0] and "Q1" in err[0] and "'function'" in err[0]
    assert f"limit of {depth.MAX_DEPTH}" in err[0]
    assert not out.exists()
