"""The numformat kind against numpy.float16, torch (float16, bfloat16, MinMaxObserver, quantize_per_tensor)
and hand computations: limits, round-to-nearest-even, overflow, loss scaling, int8 quantization."""

from fractions import Fraction

import numpy as np
import pytest
import sympy

from symdl.errors import SpecError
from symdl.input.latex import parse_number
from symdl.kinds import numformat
from symdl.kinds.numformat.formats import FORMATS, qparams, quantize, round_to
from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import solution_of


def question(tmp_path, body, name="q"):
    path = tmp_path / f"{name}.toml"
    path.write_text('[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "numformat"\n' + body + "\n")
    return load_exam(path).questions[0]


def solved(q):
    sol = solution_of(q)
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    return sol.answers


def test_fp16_limits_against_numpy(tmp_path):
    a = solved(question(tmp_path, "limits = true"))
    info = np.finfo(np.float16)
    assert a["limits.max"] == 65504 == float(info.max)
    assert a["limits.normal"] == sympy.Rational(1, 2**14) and float(a["limits.normal"]) == float(info.smallest_normal)
    assert a["limits.subnormal"] == sympy.Rational(1, 2**24) and float(a["limits.subnormal"]) == float(info.smallest_subnormal)
    assert a["limits.eps"] == sympy.Rational(1, 1024) and float(a["limits.eps"]) == float(info.eps)


def test_bf16_limits_against_torch(tmp_path):
    torch = pytest.importorskip("torch")
    a = solved(question(tmp_path, 'format = "bfloat16"\nlimits = true'))
    info = torch.finfo(torch.bfloat16)
    assert float(a["limits.max"]) == info.max and a["limits.max"] == (2 - sympy.Rational(1, 128)) * sympy.Integer(2) ** 127
    assert float(a["limits.normal"]) == info.smallest_normal and float(a["limits.eps"]) == info.eps == 2**-7
    assert a["limits.subnormal"] == sympy.Integer(2) ** -133


# hand: 2049 lies between 2048 and 2050 (spacing 2 above 2^11): a tie, to the even 2048;
# 2051 -> 2052 (even); 65519 -> 65504 (below the halfway 65520); 65520 -> inf; 2^-25 (half the
# smallest subnormal) -> 0, a tie to the even 0; 3 * 2^-25 -> 2^-23; 0.1 -> 1638 / 2^14
@pytest.mark.parametrize("x, expected", [("2049", 2048), ("2051", 2052), ("65519", 65504), ("65520", None),
                                         ("-65520", None), ("2^{-25}", 0), ("3 \\cdot 2^{-25}", Fraction(1, 2**23)),
                                         ("0.1", Fraction(1638, 2**14)), ("-2.5", Fraction(-5, 2))])
def test_fp16_rounding_by_hand_and_numpy(tmp_path, x, expected):
    a = solved(question(tmp_path, f"round = ['{x}']"))
    if expected is None:
        assert a["round.1.overflow"] is True and "round.1" not in a
        value = np.inf
    else:
        assert a["round.1.overflow"] is False
        assert a["round.1"] == sympy.Rational(Fraction(expected).numerator, Fraction(expected).denominator)
        value = float(expected)
    exact = parse_number(x)
    with np.errstate(over="ignore"):       # each value is exact as a double or far from a tie
        assert abs(float(np.float16(float(exact)))) == abs(value)


def test_fp16_rounding_matches_numpy_on_many_values():
    rng = np.random.default_rng(7)
    fmt = FORMATS["fp16"]
    for _ in range(400):
        # dyadic values (exact as doubles, so numpy rounds them once, as the exact route does)
        x = Fraction(int(rng.integers(-2**20, 2**20)), 2 ** int(rng.integers(0, 40)))
        with np.errstate(over="ignore"):
            expected = float(np.float16(float(x)))
        got = round_to(fmt, sympy.Rational(x.numerator, x.denominator)).value
        assert (float(got) if not got.is_infinite else (np.inf if got > 0 else -np.inf)) == expected, x


def test_bf16_rounding_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    fmt = FORMATS["bf16"]
    for _ in range(300):
        x = Fraction(int(rng.integers(-2**23, 2**23)), 2 ** int(rng.integers(0, 60)))   # exact in float32
        expected = torch.tensor(float(x), dtype=torch.float32).to(torch.bfloat16).item()
        assert float(round_to(fmt, sympy.Rational(x.numerator, x.denominator)).value) == expected, x


def test_loss_scaling_by_hand_and_torch(tmp_path):
    # g1 = 2^-26 underflows to 0 in fp16 (below half the smallest subnormal 2^-24); scaled by 1024 it is
    # 2^-16, exact, and unscales to 2^-26 again. g3 = 70: 70 * 1024 = 71680 > 65504 overflows: the step
    # is skipped and the scale halves (GradScaler's backoff 0.5).
    a = solved(question(tmp_path, 'loss_scaling = { scale = "1024", gradients = ["2^{-26}", "0.001", "70"] }'))
    assert a["scaling.plain.1"] == 0 and a["scaling.scaled.1"] == sympy.Rational(1, 2**16)
    assert a["scaling.unscaled.1"] == sympy.Rational(1, 2**26)
    assert a["scaling.scaled.3.overflow"] is True and a["scaling.overflow"] is True and a["scaling.next"] == 512
    b = solved(question(tmp_path, 'loss_scaling = { scale = "64", gradients = ["0.001", "70"] }', name="b"))
    assert b["scaling.overflow"] is False and b["scaling.next"] == 64
    torch = pytest.importorskip("torch")
    for k, g in enumerate([0.001, 70.0], 1):
        half = torch.tensor(g, dtype=torch.float16) * 64          # exact: 64 is a power of two
        assert float(b[f"scaling.scaled.{k}"]) == half.item()
        assert float(b[f"scaling.unscaled.{k}"]) == (half.float() * torch.tensor(1 / 64, dtype=torch.float32)).item()


@pytest.mark.parametrize("scheme, dtype, low, high", [("asymmetric", "quint8", -1.0, 3.0), ("symmetric", "qint8", -1.0, 3.0),
                                                      ("asymmetric", "qint8", -0.75, 2.25), ("symmetric", "quint8", 0.5, 2.0),
                                                      ("asymmetric", "quint8", 0.5, 2.0)])
def test_quantization_against_torch(tmp_path, scheme, dtype, low, high):
    torch = pytest.importorskip("torch")
    values = [0.5, -1.2, 2.9, 0.0, 1.37]
    body = (f'quantize = {{ min = "{low}", max = "{high}", scheme = "{scheme}", dtype = "{dtype}", '
            f'values = [{", ".join(repr(str(v)) for v in values)}] }}')
    a = solved(question(tmp_path, body))
    tdtype = getattr(torch, dtype)
    qscheme = torch.per_tensor_affine if scheme == "asymmetric" else torch.per_tensor_symmetric
    observer = torch.ao.quantization.MinMaxObserver(dtype=tdtype, qscheme=qscheme)
    observer(torch.tensor([low, high]))
    scale, zero = observer.calculate_qparams()
    assert float(a["quant.scale"]) == pytest.approx(scale.item(), rel=1e-6)      # torch's scale is a float32
    assert a["quant.zero"] == zero.item()
    q = torch.quantize_per_tensor(torch.tensor(values, dtype=torch.float32), float(a["quant.scale"]), int(a["quant.zero"]), tdtype)
    assert [int(a[f"quant.q.{k}"]) for k in range(1, 6)] == q.int_repr().tolist()
    np.testing.assert_allclose([float(a[f"quant.deq.{k}"]) for k in range(1, 6)], q.dequantize().tolist(), rtol=1e-6)


def test_quantization_by_hand():
    # range [-1, 3], quint8: s = 4/255, z = 0 - round(-1 / s) = round(63.75) = 64; x = -1.2: round(-76.5) = -76
    # (a tie, to even) + 64 = -12, clamped to 0, dequantized -64 s = -256/255
    p = qparams(-1, 3, "asymmetric", "quint8")
    assert (p.scale, p.zero) == (sympy.Rational(4, 255), 64)
    ratio, k, q, back, error = quantize(p, sympy.Rational(-6, 5))
    assert (ratio, k, q, back) == (sympy.Rational(-153, 2), -76, 0, sympy.Rational(-256, 255))
    s = qparams(-1, 3, "symmetric", "qint8")          # 3 / 127.5
    assert (s.scale, s.zero) == (sympy.Rational(2, 85), 0)


@pytest.mark.parametrize("body, field", [
    ('format = "fp8"\nlimits = true', "format"),
    ("", "round"),
    ("round = []", "round"),
    ("round = ['x + 1']", "round[0]"),
    ('loss_scaling = { scale = "0", gradients = ["1"] }', "loss_scaling.scale"),
    ('loss_scaling = { scale = "8" }', "loss_scaling.gradients"),
    ('quantize = { min = "2", max = "1", values = ["1"] }', "quantize.max"),
    ('quantize = { min = "0", max = "1", scheme = "affine", values = ["1"] }', "quantize.scheme"),
    ('quantize = { min = "0", max = "1", values = ["1"], bits = 4 }', "quantize.bits"),
])
def test_bad_input_is_one_line_naming_the_field(tmp_path, body, field):
    with pytest.raises(SpecError) as err:
        q = question(tmp_path, body)
        solution_of(q)
    message = str(err.value)
    assert field in message and "\n" not in message


def test_the_sheet_gives_the_values_and_no_answer(tmp_path):
    q = question(tmp_path, "round = ['0.1', '2049']\nquantize = { min = \"-1\", max = \"3\", values = [\"0.5\"] }")
    text = " ".join(str(part) for item in numformat.KIND.sheet(q) for part in item.parts)
    assert "x_{2} = 2049" in text and "[-1, 3]" in text and "6 significant figures" in text
    assert "2048" not in text and "0.0999" not in text and "64" not in text     # fl(2049), fl(0.1), the zero point
