"""Graph-kind regressions (tests/regressions/): derived with the CLI, answers checked against mpmath by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal

import mpmath
import pytest
import sympy

from support import TESTS, solution_of
from symdl.render import pdf as pdf_render
from support import TESTS, answer_values
from symdl.render import pdf as pdf_render

HERE = TESTS
REG = HERE / "regressions"
PDF = pdf_render.tex_available()


@pytest.fixture(autouse=True)
def _digits():
    """Every expected value below is computed with 50 digits."""
    with mpmath.workdps(50):
        yield


def derive(tmp_path, spec, *extra):
    """``python -m symdl derive SPEC --out OUT`` (with the PDF where TeX is present)."""
    args = [sys.executable, "-m", "symdl", "derive", str(spec), "--out", str(tmp_path / "out"), *extra]
    if not PDF:
        args.append("--no-pdf")
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)


def answers(tmp_path, exam_id, proc):
    """The question's answers from answers.json, numbers read exactly (Decimal), and its verified flag."""
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    folder = tmp_path / "out" / exam_id
    text = (folder / "answers.json").read_text()
    assert "inf" not in text.lower() and "nan" not in text.lower()
    data = json.loads(text, parse_float=Decimal, parse_int=Decimal,
                      parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    if PDF:
        assert (folder / "answer-key.pdf").stat().st_size > 0
    question = data["questions"][0]
    assert question["verified"] is True
    return answer_values(question)


def scalar(value):
    while isinstance(value, list):
        assert len(value) == 1
        value = value[0]
    return mpmath.mpf(str(value))


def close(value, expected, rtol=1e-15):
    """The JSON number (16-17 digits written) against the exact value, relatively."""
    got = scalar(value)
    expected = mpmath.mpf(expected)
    assert abs(got - expected) <= rtol * abs(expected), (got, expected)


def refused(proc, spec, field):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and lines, proc.stderr
    error = lines[-1]
    assert error.startswith("symdl: error: ") and spec.name in error, error
    assert "question G:" in error and f"field '{field}'" in error, error
    assert not (spec.parent / "out").exists()


def test_log_at_1e_minus_6(tmp_path):
    a = answers(tmp_path, "num", derive(tmp_path, REG / "graph_log_1e-6_false_failure.toml"))
    close(a["output"], mpmath.log(mpmath.mpf(1) / 10**6))
    close(a["grad.x"], 10**6)


def test_relu_next_to_its_kink(tmp_path):
    a = answers(tmp_path, "num", derive(tmp_path, REG / "graph_relu_near_kink_false_failure.toml"))
    close(a["output"], mpmath.mpf(1) / 10**7)
    close(a["grad.x"], 1)


def test_sum_of_399_terms(tmp_path):
    a = answers(tmp_path, "big", derive(tmp_path, REG / "graph_longsum_fd_false_failure.toml"))
    total = sum(range(1, 400))                        # d/dx of sum_i i x = 79800
    close(a["output"], mpmath.mpf(total) / 2)
    close(a["grad.x"], total)
    inner = [k for k in a if k.startswith("grad.z")]
    assert len(inner) == 2 * 398                      # 398 products (1 x is x) and 398 sums
    for name in inner:                                # every node reaches f with weight 1
        close(a[name], 1)


def test_nested_max_tie_follows_the_stated_convention(tmp_path):
    a = answers(tmp_path, "num", derive(tmp_path, REG / "graph_nested_max_tie_false_failure.toml"))
    # symmetric subgradient: half to each side of each tie, so b and c get half of a half
    close(a["output"], 1)
    close(a["grad.a"], mpmath.mpf(1) / 2)
    close(a["grad.b"], mpmath.mpf(1) / 4)
    close(a["grad.c"], mpmath.mpf(1) / 4)


def test_exp_1000_is_written_as_a_number(tmp_path):
    proc = derive(tmp_path, REG / "graph_exp1000_inf_written.toml")
    a = answers(tmp_path, "big", proc)
    e1000 = mpmath.exp(1000)                          # 1.9700711140170469938888793522433e434
    close(a["output"], e1000)
    close(a["grad.x"], e1000)
    assert "e434" in (tmp_path / "out" / "big" / "answers.json").read_text()


@pytest.mark.parametrize("power, value, grad", [
    ("x^{0.5}", 2, mpmath.mpf(1) / 4),
    (r"\sqrt{x}", 2, mpmath.mpf(1) / 4),
    ("x^{1.5}", 8, 3),                                 # 4^1.5, 1.5 * 4^0.5
])
def test_fractional_powers_derive(tmp_path, power, value, grad):
    spec = tmp_path / "power.toml"
    text = (REG / "graph_fractional_power_exit3.toml").read_text()
    spec.write_text(text.replace("x^{0.5}", power))
    a = answers(tmp_path, "num", derive(tmp_path, spec))
    close(a["output"], value)
    close(a["grad.x"], grad)


def test_big_power_right_answer(tmp_path):
    a = answers(tmp_path, "big", derive(tmp_path, REG / "graph_big_power_exit3.toml"))
    close(a["output"], mpmath.mpf(10) ** 4800)
    close(a["grad.x"], 400 * mpmath.mpf(10) ** (12 * 399))


def test_toml_max_float_is_refused_naming_the_field(tmp_path):
    spec = tmp_path / "graph_toml_maxfloat_exit3.toml"
    spec.write_text((REG / spec.name).read_text())
    refused(derive(tmp_path, spec), spec, "function")


def test_toml_subnormal_right_answer(tmp_path):
    a = answers(tmp_path, "t", derive(tmp_path, REG / "graph_toml_subnormal_exit3.toml"))
    w = mpmath.mpf(5) / mpmath.mpf(10) ** 324          # the decimal written, read exactly
    z = 2 * w + mpmath.mpf(1) / 10
    s = 1 / (1 + mpmath.exp(-z))
    ds = s * (1 - s)
    close(a["output"], s)
    close(a["grad.b"], ds)
    close(a["grad.w"], 2 * ds)
    close(a["grad.x"], w * ds)                         # about 1.25e-324: below a double's range


def test_toml_integer_of_5000_digits_is_refused_naming_the_field(tmp_path):
    spec = tmp_path / "toml_int_5000_digits_exit3.toml"
    spec.write_text((REG / spec.name).read_text())
    refused(derive(tmp_path, spec), spec, "values.w")


def test_huge_exact_value_prints_fast():
    """(x^400)^400 at 1.01: the value 1.01^160000 (a 320000-digit fraction) is rounded in mpmath."""
    from symdl.notation.printer import value_tex
    from symdl.render.answers_json import jsonable

    value = sympy.Rational(101, 100) ** 160000
    start = time.process_time()                  # CPU time: the machine's load does not count
    relation, text = value_tex(value)
    written = jsonable(value)
    assert time.process_time() - start < 1.0
    exact = mpmath.power(mpmath.mpf(101) / 100, 160000)          # 2.62908860473447...e691
    assert relation == r"\approx" and str(text) == r"2.6291 \times 10^{691}"
    assert abs(mpmath.mpf(str(written)) - exact) <= 1e-15 * exact


def test_power_of_a_power_derives_and_prints(tmp_path):
    """(x^400)^400 at 1.01: exact 1.01^160000 (about 2.63e691), printed and written without decimal strings."""
    proc = derive(tmp_path, REG / "graph_render_206s_past_20s_limit_exit3.toml", "--time-limit", "600")
    a = answers(tmp_path, "big", proc)
    x = mpmath.mpf(101) / 100
    close(a["output"], x ** 160000)
    close(a["grad.x"], 160000 * x ** 159999)
    # the function as it was read, printed back for the instructor
    assert r"\left(x^{400}\right)^{400}" in (tmp_path / "out" / "big" / "verification.tex").read_text()


def test_tiny_gradients_are_resolved_and_a_wrong_one_is_caught(tmp_path):
    """tanh'(200) ~ 7.7e-174 and sigma'(400) ~ 1.9e-174: the independent route resolves them itself."""
    import copy

    from support import one_question
    from symdl.check.verify import verify

    q = one_question(tmp_path, "graph", "function = 'f = \\sigma(x) \\cdot \\tanh(y)'\n"
                                        "[question.values]\nx = '400'\ny = '200'\n")
    sol = solution_of(q)
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks), [c.name for c in checks if not c.ok]
    independent = {c.name: c.independent for c in checks}
    sx, ty = 1 / (1 + mpmath.exp(-400)), mpmath.tanh(200)
    dsx = mpmath.exp(-400) / (1 + mpmath.exp(-400)) ** 2          # no 1 - sigma cancellation
    expected = {"grad.x": dsx * ty, "grad.y": sx * mpmath.sech(200) ** 2}
    for name, value in expected.items():
        assert abs(mpmath.mpf(independent[name].value[0, 0]) - value) <= 1e-20 * value
        assert independent[name].error[0, 0] <= 1e-20 * value            # the route's bound: no free pass
        derived = sympy.N(sol.answers[name][0, 0], 40, maxn=1000)     # past the 1 - sigma cancellation
        assert abs(mpmath.mpf(derived._mpf_) - value) <= 1e-30 * value
    wrong = copy.copy(sol)
    wrong.answers = dict(sol.answers, **{"grad.y": sol.answers["grad.y"] * sympy.Rational(1001, 1000)})
    assert not [c for c in verify(q, wrong) if c.name == "grad.y"][0].ok
    wrong.answers = dict(sol.answers, **{"grad.y": sympy.Matrix([[sympy.Float("1e-141")]])})
    assert not [c for c in verify(q, wrong) if c.name == "grad.y"][0].ok
