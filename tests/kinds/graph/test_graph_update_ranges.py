"""Update settings out of range are refused where they are read (exit 2 naming update.<field>), and a
late Adam step costs what an early one does. Expected values by a direct float loop written here."""

import math
import time

import numpy as np
import pytest

from symdl.errors import SpecError
from symdl.check.verify import to_float_array, verify
from support import one_question, solution_of

SIGMOID = "function = '\\sigma(w x + b)'\n"
VALUES = "[question.values]\nw = '0.5'\nx = '2'\nb = '-1'\n"


def question(tmp_path, update, values=VALUES):
    return one_question(tmp_path, "graph", SIGMOID + f"update = {update}\n" + values)


@pytest.mark.parametrize("update, field", [
    ('{ rule = "sgd", lr = "0" }', "update.lr"),
    ('{ rule = "sgd", lr = "-0.1" }', "update.lr"),
    ('{ rule = "sgd", lr = "0.1", params = ["x", "x"] }', "update.params"),
    ('{ rule = "sgd", lr = "0.1", params = ["u"] }', "update.params"),
    ('{ rule = "sgd", lr = "0.1", params = [] }', "update.params"),
    ('{ rule = "momentum", lr = "0.1", momentum = "1" }', "update.momentum"),
    ('{ rule = "momentum", lr = "0.1", momentum = "-0.5" }', "update.momentum"),
    ('{ rule = "momentum", lr = "0", momentum = "0.5" }', "update.lr"),
    ('{ rule = "adam", lr = "0.01", beta1 = "1" }', "update.beta1"),
    ('{ rule = "adam", lr = "0.01", beta1 = "1.5" }', "update.beta1"),
    ('{ rule = "adam", lr = "0.01", beta2 = "-3" }', "update.beta2"),
    ('{ rule = "adam", lr = "0.01", beta2 = "1" }', "update.beta2"),
    ('{ rule = "adam", lr = "0.01", eps = "-10^{-8}" }', "update.eps"),
    ('{ rule = "adam", lr = "0.01", step = "0.5" }', "update.step"),
    ('{ rule = "adam", lr = "0.01", step = "\\\\frac{1}{3}" }', "update.step"),
    ('{ rule = "adam", lr = "0.01", step = "-1" }', "update.step"),
    ('{ rule = "adam", lr = "0.01", step = 1000000 }', "update.step"),
    ('{ rule = "adam", lr = "0.01", v = { w = "-1" } }', "update.v.w"),
    ('{ rule = "adam", lr = "-0.01" }', "update.lr"),
])
def test_out_of_range_settings_name_their_field(tmp_path, update, field):
    with pytest.raises(SpecError) as info:
        solution_of(question(tmp_path, update))
    assert info.value.field == field


def test_eps_zero_with_a_zero_second_moment(tmp_path):
    # x = 0 makes dL/dw = 0: v_w = 0 and the step would be 0 / 0
    q = question(tmp_path, '{ rule = "adam", lr = "0.01", eps = "0" }', VALUES.replace("'2'", "'0'"))
    with pytest.raises(SpecError, match="eps > 0") as info:
        solution_of(q)
    assert info.value.field == "update.eps"


def test_eps_zero_with_nonzero_gradients_is_a_step(tmp_path):
    q = question(tmp_path, '{ rule = "adam", lr = "0.01", eps = "0", params = ["w"] }')
    sol = solution_of(q)
    assert [c for c in verify(q, sol) if not c.ok] == []
    # first step without eps: m_hat / sqrt(v_hat) = g / |g| = 1, so w' = 0.5 - 0.01
    assert float(np.squeeze(to_float_array(sol.answers["update.w"]))) == pytest.approx(0.49, rel=1e-14)


def _adam_by_hand(t):
    """w, x, b after one Adam step from zero moments at step t (sigma(w x + b) at 0.5, 2, -1), floats."""
    theta = {"w": 0.5, "x": 2.0, "b": -1.0}
    s = 1 / (1 + math.exp(-(theta["w"] * theta["x"] + theta["b"])))
    local = s * (1 - s)
    grads = {"w": local * theta["x"], "x": local * theta["w"], "b": local}
    new = {}
    for p, g in grads.items():
        m, v = 0.1 * g, 0.001 * g * g
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        new[p] = theta[p] - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8)
    return new, 1 / (1 + math.exp(-(new["w"] * new["x"] + new["b"])))


def test_adam_at_step_10000_in_well_under_a_second(tmp_path):
    q = question(tmp_path, '{ rule = "adam", lr = "0.01", step = "10000" }')
    solution_of(q)                                   # parse once, as the CLI reads a field once
    start = time.process_time()
    sol = solution_of(q)
    bad = [c for c in verify(q, sol) if not c.ok]
    cpu = time.process_time() - start
    assert bad == []
    assert cpu < 1.0, f"{cpu:.2f} s of CPU"
    new, out = _adam_by_hand(10001)
    for p in ("w", "x", "b"):
        assert float(np.squeeze(to_float_array(sol.answers[f"update.{p}"]))) == pytest.approx(new[p], rel=1e-12)
    assert float(np.squeeze(to_float_array(sol.answers["update.output"]))) == pytest.approx(out, rel=1e-12)
    # 0.9^10001 is nil: m_hat / sqrt(v_hat) = 0.1 / sqrt(0.001) * sqrt(1 - 0.999^10001) (eps 1e-6 of it)
    assert new["w"] == pytest.approx(0.5 - 0.01 * 0.1 / math.sqrt(0.001) * math.sqrt(1 - 0.999**10001), rel=1e-7)


def test_adam_early_steps_stay_exact_and_agree_with_the_loop(tmp_path):
    for step in (0, 3, 80):
        q = question(tmp_path, f'{{ rule = "adam", lr = "0.01", step = {step} }}')
        sol = solution_of(q)
        assert [c for c in verify(q, sol) if not c.ok] == []
        new, out = _adam_by_hand(step + 1)
        assert float(np.squeeze(to_float_array(sol.answers["update.b"]))) == pytest.approx(new["b"], rel=1e-12)


def test_a_step_out_of_the_functions_domain_names_the_update(tmp_path):
    # ln(x) at x = 1: gradient 1, and lr = 10 moves x to -9, where ln is undefined
    q = one_question(tmp_path, "graph", "function = '\\ln(x)'\nupdate = { rule = \"sgd\", lr = \"10\" }\n"
                                        "[question.values]\nx = '1'\n")
    with pytest.raises(SpecError, match="after the step") as info:
        solution_of(q)
    assert info.value.field == "update"
