"""The init kind against torch.nn.init: its fans (_calculate_fan_in_and_fan_out), its gains
(calculate_gain), its bounds and standard deviations as torch's own code computes them, and draws."""

import math

import pytest
import sympy

from symdl.solve import solve_question
from symdl.errors import SpecError
from support import one_question

torch = pytest.importorskip("torch")
init = torch.nn.init

SHAPES = [[64, 32, 3, 3], [100, 300], [10, 3, 5], [16, 8, 3, 3, 3]]
SCHEMES = ["xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"]
GAINS = [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("selu", None), ("leaky_relu", 0.2),
         ("leaky_relu", None)]


def answers(tmp_path, body):
    result = solve_question(one_question(tmp_path, "init", body))
    assert result.verified
    return result.solution.answers


def torch_scale(scheme, shape, nonlinearity, slope, mode="fan_in"):
    """(std, bound) as torch.nn.init's functions compute them, from torch's own fans and gain."""
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(torch.empty(shape))
    if scheme.startswith("xavier"):
        gain = init.calculate_gain(nonlinearity, slope)
        std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    else:
        a = 0 if slope is None else slope        # kaiming_*'s default a = 0
        gain = init.calculate_gain(nonlinearity, a)
        std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    return fan_in, fan_out, std, math.sqrt(3.0) * std


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("nonlinearity,slope", GAINS)
def test_scales_match_torch(tmp_path, shape, scheme, nonlinearity, slope):
    body = f'scheme = "{scheme}"\nshape = {shape}\nnonlinearity = "{nonlinearity}"\n'
    if slope is not None:
        body += f"negative_slope = {slope}\n"
    got = answers(tmp_path, body)
    fan_in, fan_out, std, bound = torch_scale(scheme, shape, nonlinearity, slope)
    assert (got["fan_in"], got["fan_out"]) == (fan_in, fan_out)
    assert float(got["std"]) == pytest.approx(std, rel=1e-14)
    if scheme.endswith("uniform"):
        assert float(got["bound"]) == pytest.approx(bound, rel=1e-14)
    else:
        assert "bound" not in got


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_mode_and_a_real_draw(tmp_path, mode):
    """torch's kaiming_uniform_ on a large tensor reaches the bound and never passes it; the normal's
    sample standard deviation is the derived one within 1 %."""
    shape = [256, 128, 3, 3]
    got = answers(tmp_path, f'scheme = "kaiming_uniform"\nshape = {shape}\nmode = "{mode}"\nnonlinearity = "relu"\n')
    torch.manual_seed(0)
    w = init.kaiming_uniform_(torch.empty(shape, dtype=torch.float64), mode=mode, nonlinearity="relu")
    bound = float(got["bound"])
    assert w.abs().max().item() <= bound and w.abs().max().item() > 0.999 * bound
    normal = answers(tmp_path, f'scheme = "he_normal"\nshape = {shape}\nmode = "{mode}"\nnonlinearity = "relu"\n')
    w = init.kaiming_normal_(torch.empty(shape, dtype=torch.float64), mode=mode, nonlinearity="relu")
    assert w.std().item() == pytest.approx(float(normal["std"]), rel=0.01)


def test_exact_closed_forms(tmp_path):
    """By hand: He normal of a 3 x 3 conv over 32 channels, std = sqrt(2/288) = 1/12 exactly; Glorot uniform
    of 300 -> 100 with tanh, b = 5/3 sqrt(6/400) = sqrt(6)/12."""
    he = answers(tmp_path, 'scheme = "kaiming_normal"\nshape = [64, 32, 3, 3]\nnonlinearity = "relu"\n')
    assert he["std"] == sympy.Rational(1, 12) and he["variance"] == sympy.Rational(1, 144)
    glorot = answers(tmp_path, 'scheme = "glorot_uniform"\nshape = [100, 300]\nnonlinearity = "tanh"\n')
    assert sympy.simplify(glorot["bound"] - sympy.sqrt(6) / 12) == 0


def test_keras_layout_and_fan_avg(tmp_path):
    """Keras's kernel [3, 3, 32, 64] has torch's fans of [64, 32, 3, 3]; fan_avg with gain 1 is Glorot
    (Keras's VarianceScaling(scale=1, mode='fan_avg'): std = sqrt(1/((n_in + n_out)/2)))."""
    keras = answers(tmp_path, 'scheme = "he_normal"\nshape = [3, 3, 32, 64]\nlayout = "keras"\n')
    assert (keras["fan_in"], keras["fan_out"]) == (288, 576)
    avg = answers(tmp_path, 'scheme = "kaiming_normal"\nfan_in = 300\nfan_out = 100\nmode = "fan_avg"\ngain = 1\n')
    glorot = answers(tmp_path, 'scheme = "xavier_normal"\nfan_in = 300\nfan_out = 100\n')
    assert avg["std"] == glorot["std"] == sympy.sqrt(sympy.Rational(2, 400))


@pytest.mark.parametrize("body,field", [
    ('scheme = "lecun"\nshape = [3, 3]\n', "scheme"),
    ('scheme = "xavier_uniform"\n', "fan_in"),
    ('scheme = "xavier_uniform"\nshape = [3]\n', "shape"),
    ('scheme = "xavier_uniform"\nshape = [3, 3]\nmode = "fan_in"\n', "mode"),
    ('scheme = "he_normal"\nshape = [3, 3]\nnonlinearity = "relu"\nnegative_slope = 0.1\n', "negative_slope"),
    ('scheme = "he_normal"\nshape = [3, 3]\ngain = 2\nnonlinearity = "relu"\n', "gain"),
])
def test_bad_input_names_the_field(tmp_path, body, field):
    with pytest.raises(SpecError) as err:
        solve_question(one_question(tmp_path, "init", body))
    assert err.value.field == field


def test_common_mistakes_by_hand(tmp_path):
    """He normal of [64, 32, 3, 3]: channels only -> sqrt(2/32) = 1/4; fan_out -> sqrt(2/576) = sqrt(2)/24.
    Glorot uniform 300 -> 100, tanh: the bound without sqrt(3) is the std 5/3 sqrt(2/400)."""
    from symdl.solve import solve_question as sq

    he = sq(one_question(tmp_path, "init", 'scheme = "kaiming_normal"\nshape = [64, 32, 3, 3]\nnonlinearity = "relu"\n'))
    wrong = {m.name: m.value for m in he.solution.meta["std"].mistakes}
    assert wrong["kernel-left-out-of-fans"] == sympy.Rational(1, 4)
    assert sympy.simplify(wrong["other-fan"] - sympy.sqrt(2) / 24) == 0
    gl = sq(one_question(tmp_path, "init", 'scheme = "xavier_uniform"\nshape = [100, 300]\nnonlinearity = "tanh"\n'))
    wrong = {m.name: m.value for m in gl.solution.meta["bound"].mistakes}
    assert sympy.simplify(wrong["sqrt3-forgotten"] - sympy.Rational(5, 3) * sympy.sqrt(sympy.Rational(2, 400))) == 0
