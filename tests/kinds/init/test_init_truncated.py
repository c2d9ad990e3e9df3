"""Keras's truncated normal (TruncatedNormal, and GlorotNormal/HeNormal/LecunNormal's truncated variance
scaling) against the formula of Keras's VarianceScaling (stddev = sqrt(scale / n) / .87962566103423978,
a cut at two of those standard deviations), the truncated normal's variance by erf written here, and
torch.nn.init.trunc_normal_ draws (whose cut is absolute: a = -2 s, b = 2 s gives Keras's draw)."""

import math

import pytest

from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl import kinds
from support import one_question

KERAS_FACTOR = .87962566103423978       # keras/src/initializers/random_initializers.py, VarianceScaling


def answers(tmp_path, body):
    result = solve_question(one_question(tmp_path, "init", body))
    assert result.verified
    return result.solution.answers, result


def by_erf() -> float:
    """Var of N(0, 1) on [-2, 2] = 1 - 2 * 2 phi(2) / (Phi(2) - Phi(-2)), Phi(2) - Phi(-2) = erf(sqrt 2)."""
    phi = math.exp(-2.0) / math.sqrt(2 * math.pi)
    return math.sqrt(1 - 4 * phi / math.erf(math.sqrt(2)))


def test_the_factor_three_ways(tmp_path):
    got, _ = answers(tmp_path, 'scheme = "truncated_normal"\nstddev = 1\n')
    assert float(got["std"]) == pytest.approx(KERAS_FACTOR, rel=1e-15)
    assert by_erf() == pytest.approx(KERAS_FACTOR, rel=1e-15)
    assert float(got["cutoff"]) == 2


# (Keras class, scheme, shape in Keras's layout [k..., in, out], scale, n)
KERAS = [("GlorotNormal", "glorot_normal", [3, 3, 16, 32], 1, (144 + 288) / 2),
         ("HeNormal", "he_normal", [300, 100], 2, 300),
         ("LecunNormal", "lecun_normal", [5, 8, 4], 1, 40)]


@pytest.mark.parametrize("name, scheme, shape, scale, n", KERAS)
def test_keras_variance_scaling(tmp_path, name, scheme, shape, scale, n):
    body = f'scheme = "{scheme}"\nshape = {shape}\nlayout = "keras"\n'
    if scheme != "lecun_normal":
        body += "truncated = true\n" + ('nonlinearity = "relu"\n' if scheme == "he_normal" else "")
    got, result = answers(tmp_path, body)
    keras_stddev = math.sqrt(scale / n) / KERAS_FACTOR          # what Keras passes to its truncated draw
    assert float(got["std_untruncated"]) == pytest.approx(keras_stddev, rel=1e-14)
    assert float(got["std"]) == pytest.approx(math.sqrt(scale / n), rel=1e-14)
    assert float(got["cutoff"]) == pytest.approx(2 * keras_stddev, rel=1e-14)
    assert any("truncated as Keras" in a for a in result.solution.assumptions)


def test_torch_normal_stays_untruncated(tmp_path):
    got, result = answers(tmp_path, 'scheme = "he_normal"\nshape = [300, 100]\nlayout = "keras"\n'
                                    'nonlinearity = "relu"\n')
    assert "std_untruncated" not in got and "cutoff" not in got
    assert any("not truncated" in a for a in result.solution.assumptions)


def test_draws_of_torch_trunc_normal_with_keras_cut(tmp_path):
    """torch.nn.init.trunc_normal_(std=s, a=-2s, b=2s): 4 million draws have standard deviation 0.8796 s
    (sampling error about 0.04 %) and none beyond 2 s; with torch's default absolute cut (a=-2, b=2) and
    s = 0.05 nothing is cut: the standard deviation stays s."""
    torch = pytest.importorskip("torch")
    got, _ = answers(tmp_path, 'scheme = "truncated_normal"\nstddev = 0.05\n')
    torch.manual_seed(0)
    w = torch.empty(4_000_000, dtype=torch.float64)
    torch.nn.init.trunc_normal_(w, std=0.05, a=-0.1, b=0.1)
    assert w.std().item() == pytest.approx(float(got["std"]), rel=3e-3)
    assert w.abs().max().item() <= float(got["cutoff"])
    torch.nn.init.trunc_normal_(w, std=0.05)
    assert w.std().item() == pytest.approx(0.05, rel=3e-3)


def test_truncation_mistakes(tmp_path):
    got, result = answers(tmp_path, 'scheme = "he_normal"\nshape = [300, 100]\nlayout = "keras"\n'
                                    'truncated = true\nnonlinearity = "relu"\n')
    found = kinds.get("init").mistakes(result.question, result.solution)
    values = {m.name: float(m.value) for m in found["std_untruncated"]}
    std = math.sqrt(2 / 300)
    assert values["truncation-ignored"] == pytest.approx(std)
    assert values["truncation-inverted"] == pytest.approx(std * KERAS_FACTOR)


@pytest.mark.parametrize("body, field", [
    ('scheme = "truncated_normal"\n', "stddev"),
    ('scheme = "truncated_normal"\nstddev = 1\nshape = [3, 4]\n', "shape"),
    ('scheme = "xavier_uniform"\nshape = [3, 4]\ntruncated = true\n', "truncated"),
    ('scheme = "xavier_normal"\nshape = [3, 4]\nstddev = 1\n', "stddev"),
    ('scheme = "lecun_normal"\nshape = [3, 4]\nmode = "fan_out"\n', "mode"),
])
def test_bad_truncation_fields(tmp_path, body, field):
    with pytest.raises(SpecError) as err:
        solve_question(one_question(tmp_path, "init", body))
    assert err.value.field == field


def test_lecun_uniform_is_kerass_limit(tmp_path):
    """Keras's LecunUniform: limit = sqrt(3 / fan_in); a kernel [5, 8, 4] (Keras layout) has fan_in 40."""
    got, _ = answers(tmp_path, 'scheme = "lecun_uniform"\nshape = [5, 8, 4]\nlayout = "keras"\n')
    assert got["fan_in"] == 40 and float(got["bound"]) == pytest.approx(math.sqrt(3 / 40), rel=1e-14)
    assert "cutoff" not in got
