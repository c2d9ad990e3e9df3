"""The exact arithmetic of number formats: binary floating point (fp16, bf16, fp32) and int8 affine quantization.

Every value is an exact SymPy rational (a float16 value is a binary rational), every rounding
round-to-nearest with a tie to the even neighbour (IEEE 754's default, torch.round's rule).

A binary format with p significand bits (the leading 1 included) and exponents emin..emax
holds 0, the normal numbers m 2^e (1 <= m < 2, m with p - 1 bits after the point,
emin <= e <= emax) and the subnormal numbers k 2^(emin - p + 1) below 2^emin. A value is
rounded on the grid of its binade: spacing 2^(max(e, emin) - p + 1) for 2^e <= |x| < 2^(e+1).
A rounded value beyond the largest finite one overflows to +-infinity (IEEE: x >= max + ulp/2).

Quantization follows PyTorch's MinMaxObserver (reduce_range off): the range is widened to hold 0,
asymmetric: scale = (max - min) / (qmax - qmin), zero point = qmin - round(min / scale), clamped;
symmetric: scale = max(|min|, |max|) / ((qmax - qmin) / 2), zero point 0 (qint8) or 128 (quint8);
q = clamp(round(x / scale) + zero point, qmin, qmax), dequantized (q - zero point) scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

HALF = sympy.Rational(1, 2)


@dataclass(frozen=True)
class Format:
    name: str          # as the sheet names it
    bits: int          # total bits
    p: int             # significand bits, the hidden one included
    emin: int
    emax: int
    torch: str         # torch's dtype name

    @property
    def eps(self):
        return sympy.Integer(2) ** (1 - self.p)

    @property
    def max(self):
        return (2 - sympy.Integer(2) ** (1 - self.p)) * sympy.Integer(2) ** self.emax

    @property
    def min_normal(self):
        return sympy.Integer(2) ** self.emin

    @property
    def min_subnormal(self):
        return sympy.Integer(2) ** (self.emin - self.p + 1)


FORMATS = {
    "fp16": Format("float16 (half precision)", 16, 11, -14, 15, "float16"),
    "bf16": Format("bfloat16", 16, 8, -126, 127, "bfloat16"),
    "fp32": Format("float32 (single precision)", 32, 24, -126, 127, "float32"),
}
SPELLINGS = {"fp16": "fp16", "float16": "fp16", "half": "fp16", "binary16": "fp16",
             "bf16": "bf16", "bfloat16": "bf16"}


def round_half_even(x):
    """The integer nearest to the rational ``x``, a half to the even one."""
    x = sympy.Rational(x)
    k = sympy.Integer(x.p // x.q)
    rest = x - k
    if rest > HALF:
        return k + 1
    if rest < HALF:
        return k
    return k if k % 2 == 0 else k + 1


def binade(a):
    """e with 2^e <= a < 2^(e+1), for a rational a > 0 (from the bit lengths, exactly)."""
    a = sympy.Rational(a)
    e = int(a.p).bit_length() - int(a.q).bit_length()
    while sympy.Integer(2) ** e > a:
        e -= 1
    while sympy.Integer(2) ** (e + 1) <= a:
        e += 1
    return e


@dataclass
class Rounding:
    """One value rounded to a format, with the working a student shows."""

    x: object
    exponent: int | None       # the binade's exponent (emin for a subnormal), None for 0
    spacing: object            # the grid's spacing there
    ratio: object              # |x| / spacing
    k: object                  # ratio rounded half to even
    value: object              # the rounded value, or +-oo when it overflows
    subnormal: bool

    @property
    def overflow(self):
        return self.value in (sympy.oo, -sympy.oo)

    @property
    def error(self):
        return None if self.overflow else self.value - self.x


def round_to(fmt: Format, x) -> Rounding:
    x = sympy.Rational(x)
    if x == 0:
        return Rounding(x, None, fmt.min_subnormal, sympy.Integer(0), sympy.Integer(0), sympy.Integer(0), False)
    a = abs(x)
    e = binade(a)
    subnormal = e < fmt.emin
    e = max(e, fmt.emin)
    spacing = sympy.Integer(2) ** (e - fmt.p + 1)
    ratio = a / spacing
    k = round_half_even(ratio)
    value = k * spacing
    if value > fmt.max:
        value = sympy.oo
    return Rounding(x, e, spacing, ratio, k, value if x > 0 else -value, subnormal)


# ---------------------------------------------------------------------- quantization ---

DTYPES = {"quint8": (0, 255), "qint8": (-128, 127)}
SCHEMES = ("asymmetric", "symmetric")


@dataclass
class QParams:
    low: object          # the range widened to hold 0
    high: object
    qmin: int
    qmax: int
    scale: object
    zero_raw: object     # qmin - round(low / scale), before the clamp (asymmetric)
    zero: object


def qparams(low, high, scheme, dtype) -> QParams:
    qmin, qmax = DTYPES[dtype]
    low, high = min(sympy.Rational(low), 0), max(sympy.Rational(high), 0)
    if scheme == "symmetric":
        bound = max(-low, high)
        scale = bound / (sympy.Rational(qmax - qmin) / 2)
        zero = sympy.Integer(0 if dtype == "qint8" else (qmin + qmax + 1) // 2)
        return QParams(low, high, qmin, qmax, scale, zero, zero)
    scale = (high - low) / (qmax - qmin)
    raw = qmin - round_half_even(low / scale)
    zero = min(max(raw, sympy.Integer(qmin)), sympy.Integer(qmax))
    return QParams(low, high, qmin, qmax, scale, raw, zero)


def quantize(params: QParams, x):
    """(x / scale, its rounding, q after the zero point and the clamp, dequantized, error)."""
    x = sympy.Rational(x)
    ratio = x / params.scale
    k = round_half_even(ratio)
    q = min(max(k + params.zero, sympy.Integer(params.qmin)), sympy.Integer(params.qmax))
    back = (q - params.zero) * params.scale
    return ratio, k, q, back, back - x
