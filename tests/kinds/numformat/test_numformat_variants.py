"""Per-student versions of numformat questions: the docs example's draws, ten variants, each with its own
numbers, each rounding against torch's float16/bfloat16 conversion and each int8 quantization against a
direct computation written here (fractions, round half to even, as torch.quantize_per_tensor)."""

from __future__ import annotations

import json
import tomllib
from fractions import Fraction

import pytest

from support import docs_exam_blocks

COUNT = 10


def example() -> str:
    return next(block for name, block in docs_exam_blocks() if 'id = "numformat-variants"' in block)


def half_even(x: Fraction) -> int:
    down = x.numerator // x.denominator
    rest = x - down
    return down + (1 if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and down % 2) else 0)


def quint8(low: Fraction, high: Fraction, values):
    """MinMaxObserver (the range widened to hold 0) and quantize_per_tensor, quint8 asymmetric, exactly."""
    low, high = min(low, 0), max(high, 0)
    scale = (high - low) / 255
    zero = min(255, max(0, 0 - half_even(low / scale)))
    out = []
    for x in values:
        q = min(255, max(0, half_even(x / scale) + zero))
        out.append((q, (q - zero) * scale))
    return scale, zero, out


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    from symdl.cli import main

    folder = tmp_path_factory.mktemp("numformat-variants")
    spec = folder / "spec.toml"
    spec.write_text(example())
    assert main(["variants", str(spec), "--count", str(COUNT), "--no-pdf", "--out", str(folder / "out")]) == 0
    root = folder / "out" / "numformat-variants-variants"
    return [json.loads((root / f"variant-{k:03d}" / "answers.json").read_text()) for k in range(1, COUNT + 1)]


def test_ten_variants_draw_different_numbers(variants):
    drawn = [doc["exam"]["drawn"] for doc in variants]
    assert len(drawn) == COUNT
    for key in ("Q1.round[0]", "Q1.round[2]", "Q2.quantize.values[1]"):
        assert len({d[key] for d in drawn}) >= COUNT - 1, key          # a repeat is possible, not ten alike
    assert len({json.dumps(d, sort_keys=True) for d in drawn}) == COUNT
    assert all(q["verified"] for doc in variants for q in doc["questions"])


def test_each_rounding_against_torch(variants):
    torch = pytest.importorskip("torch")
    formats = set()
    for doc in variants:
        drawn, q1 = doc["exam"]["drawn"], doc["questions"][0]["answers"]
        fmt = drawn["Q1.format"]
        formats.add(fmt)
        dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}[fmt]
        for k in range(3):
            x = Fraction(str(drawn[f"Q1.round[{k}]"]))
            # float32 holds every drawn decimal within 2^-24 relative: far from a tie of the 16-bit format
            # unless it is one exactly (then float32 holds it exactly), so one rounding in torch is exact
            expected = torch.tensor(float(x), dtype=torch.float32).to(dtype).double().item()
            assert q1[f"round.{k + 1}"]["value"] in ([expected], expected)
            error = q1[f"round.{k + 1}.error"]["value"]
            assert (error[0] if isinstance(error, list) else error) == pytest.approx(float(Fraction(expected) - x),
                                                                                      rel=1e-12, abs=1e-300)
    assert formats == {"fp16", "bf16"}                          # ten versions meet both formats


def test_each_quantization_by_a_direct_computation(variants):
    for doc in variants:
        drawn, q2 = doc["exam"]["drawn"], doc["questions"][1]["answers"]
        low, high = Fraction(drawn["Q2.quantize.min"]), Fraction(drawn["Q2.quantize.max"])
        values = [Fraction(drawn[f"Q2.quantize.values[{k}]"]) for k in range(2)]
        scale, zero, out = quint8(low, high, values)

        def one(name):
            v = q2[name]["value"]
            return v[0] if isinstance(v, list) else v

        assert one("quant.scale") == pytest.approx(float(scale), rel=1e-14)
        assert one("quant.zero") == zero
        for k, (q, deq) in enumerate(out, start=1):
            assert one(f"quant.q.{k}") == q
            assert one(f"quant.deq.{k}") == pytest.approx(float(deq), rel=1e-14, abs=1e-300)
            assert one(f"quant.error.{k}") == pytest.approx(float(deq - values[k - 1]), rel=1e-12, abs=1e-15)


def test_the_example_is_valid_toml_with_draws():
    data = tomllib.loads(example())
    assert data["question"][0]["format"] == {"choice": ["fp16", "bf16"]}
