"""The conv route's rounding bound: an exact 0 agrees with float noise, a wrong value still fails.

Inputs: tests/regressions/round3/conv_exact_zero_grad_false_failure/ (round 3: an exact 0 of the
derivation against the float64 route's 2.8e-17 was a false verification failure, exit 1).
"""

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy

from support import TESTS, independent_of, solution_of
from symdl.check import hp
from symdl.kinds.conv.fields import read
from symdl.input.spec import load_exam
from symdl.check.verify import verify

REG = TESTS / "regressions" / "round3" / "conv_exact_zero_grad_false_failure"


def check(spec):
    return subprocess.run([sys.executable, "-m", "symdl", "check", str(spec)], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("name, agree", [("conv_zero_grad.toml", "4 of 4"), ("avgpool_fuzz95.toml", "34 of 34")])
def test_round3_exact_zero_against_the_float_route_exits_0(name, agree):
    proc = check(REG / name)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{agree} answers agree" in proc.stdout and "Traceback" not in proc.stderr


def test_the_exact_zero_is_the_hand_value_and_the_float_route_is_not_zero():
    q = load_exam(REG / "conv_zero_grad.toml").questions[0]
    sol = solution_of(q)
    # L = sum of the 3 outputs of [1..5] * [0.1 0.2 -0.3]: dL/dX_j = sum of the taps that touch X_j
    by_hand = [Fraction(1, 10), Fraction(3, 10), Fraction(0), Fraction(-1, 10), Fraction(-3, 10)]
    assert [Fraction(str(v)) for v in sol.answers["grad.input"]] == by_hand
    route = independent_of(q)["grad.input"]
    assert isinstance(route, hp.Bounded)
    assert np.ravel(route.value)[2] != 0                       # 0.1 + 0.2 - 0.3 in doubles: 2.8e-17
    assert abs(np.ravel(route.value)[2]) <= np.ravel(route.error)[2] < 1e-14
    assert all(c.ok for c in verify(q, sol))


@pytest.mark.parametrize("wrong", [sympy.Rational(1, 10**12), sympy.Rational(-1, 10**13)])
def test_a_wrong_value_near_the_exact_zero_still_fails(wrong):
    q = load_exam(REG / "conv_zero_grad.toml").questions[0]
    sol = solution_of(q)
    sol.answers["grad.input"] = sol.answers["grad.input"].copy()
    sol.answers["grad.input"][2] = wrong        # 1e-12 where 0 is right: far above the bound (~1e-15)
    failed = [c.name for c in verify(q, sol) if not c.ok]
    assert failed == ["grad.input"]


def _avgpool_backward(p, channel):
    """dL/dX of an average pool, exactly (Fractions), by a direct loop written here."""
    t, b, l, r = p.pad
    (kh, kw), (sh, sw), (dh, dw) = p.window, p.stride, p.dilation
    X = p.x[channel]
    G = [[Fraction(str(v)) for v in row] for row in p.upstream[channel].tolist()]
    grad = [[Fraction(0)] * (X.cols + l + r) for _ in range(X.rows + t + b)]
    for i, row in enumerate(G):
        for j, g in enumerate(row):
            for u in range(kh):
                for v in range(kw):
                    grad[i * sh + u * dh][j * sw + v * dw] += g / (kh * kw)
    return [row[l:l + X.cols] for row in grad[t:t + X.rows]]


def test_the_avgpool_zero_entry_against_an_exact_loop():
    q = next(q for q in load_exam(REG / "avgpool_fuzz95.toml").questions if q.id == "Q5")
    sol = solution_of(q)
    p = read(q)
    for channel in range(2):
        exact = _avgpool_backward(p, channel)
        derived = sol.answers[f"grad.input.{channel + 1}"].tolist()
        assert [[Fraction(str(v)) for v in row] for row in derived] == exact
    assert exact_zero_count(sol) >= 1
    assert all(c.ok for c in verify(q, sol))


def exact_zero_count(sol):
    return sum(1 for v in sol.answers["grad.input.1"] if v == 0)


def test_the_bound_scales_with_the_terms():
    """Both directions at the verifier: float noise of an exact 0 agrees; a tiny wrong value whose
    terms are tiny (1e-141 where 1.9e-174 is right, the README's pitfall) fails."""
    from symdl.check.verify import agree
    noise = hp.Bounded(np.array([2.7755575615628914e-17]), hp.sum_bound([0.6], 3))
    assert agree([0], noise, rtol=1e-9)
    assert not agree([sympy.Rational(1, 10**12)], noise, rtol=1e-9)
    tiny = hp.Bounded(np.array([1.9e-174]), hp.sum_bound([1.9e-174], 3))
    assert agree([sympy.Float("1.9e-174")], tiny, rtol=1e-9)
    assert not agree([sympy.Float("1e-141")], tiny, rtol=1e-9)
    assert not agree([0], tiny, rtol=1e-9)            # 0 where 1.9e-174 is right: the terms are that small
