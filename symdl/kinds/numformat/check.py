"""The numformat kind's second route: bit patterns unpacked with struct for the limits, mpmath's
correctly rounded conversion (at the format's precision) and Fraction arithmetic for every rounding and
quantization. It reads the problem with ``fields`` and imports nothing of ``formats`` or ``explain``."""

from __future__ import annotations

import struct
from fractions import Fraction

from mpmath import libmp

from .fields import read

# precision (significand bits), smallest normal exponent, largest finite value's bit pattern
_FORMATS = {"fp16": (11, -14, 0x7BFF), "bf16": (8, -126, 0x7F7F), "fp32": (24, -126, 0x7F7FFFFF)}


def _from_bits(fmt, bits):
    """The value of a bit pattern, exactly (struct's half and single formats, bf16 as a float's top half)."""
    if fmt == "fp16":
        value = struct.unpack("<e", struct.pack("<H", bits))[0]
    elif fmt == "bf16":
        value = struct.unpack(">f", struct.pack(">HH", bits, 0))[0]
    else:
        value = struct.unpack(">f", struct.pack(">I", bits))[0]
    return Fraction(value)


def limits(fmt):
    prec = _FORMATS[fmt][0]
    one = 0x3C00 if fmt == "fp16" else 0x3F80
    return {"limits.max": _from_bits(fmt, _FORMATS[fmt][2]),
            "limits.normal": _from_bits(fmt, 0x0400 if fmt == "fp16" else 0x0080),
            "limits.subnormal": _from_bits(fmt, 1),
            "limits.eps": _from_bits(fmt, one + 1) - _from_bits(fmt, one)} if prec < 24 else None


def _round(fmt, x):
    """x (a Fraction) rounded to the format: None for an overflow."""
    prec, emin, top = _FORMATS[fmt]
    largest = _from_bits(fmt, top)
    if abs(x) < Fraction(2) ** emin:             # the subnormal grid: multiples of 2^(emin - prec + 1)
        unit = Fraction(2) ** (emin - prec + 1)
        return round(x / unit) * unit             # Fraction's round: a half to the even integer
    sign, man, exp, _ = libmp.from_rational(x.numerator, x.denominator, prec, "n")
    value = (-1) ** sign * Fraction(man) * Fraction(2) ** exp
    return None if abs(value) > largest else value


def _fraction(value):
    value = value if not hasattr(value, "p") else Fraction(int(value.p), int(value.q))
    return Fraction(value)


def _rounded(out, fmt, name, x):
    value = _round(fmt, x)
    out[f"{name}.overflow"] = value is None
    if value is not None:
        out[name] = value
        out[f"{name}.error"] = value - x
    return value


def independent(question) -> dict:
    problem = read(question)
    fmt = problem.format
    out = {}
    if problem.limits:
        out.update(limits(fmt))
    for k, x in enumerate(problem.values or [], 1):
        _rounded(out, fmt, f"round.{k}", _fraction(x))
    if problem.gradients:
        scale = _fraction(problem.scale)
        inverse = _round("fp32", 1 / scale)
        scaled = []
        for k, g in enumerate(problem.gradients, 1):
            _rounded(out, fmt, f"scaling.plain.{k}", _fraction(g))
            scaled.append(_rounded(out, fmt, f"scaling.scaled.{k}", scale * _fraction(g)))
        out["scaling.overflow"] = any(v is None for v in scaled)
        for k, v in enumerate(scaled, 1):
            if v is not None:
                out[f"scaling.unscaled.{k}"] = _round("fp32", v * inverse)
        out["scaling.next"] = scale * _fraction(problem.backoff) if out["scaling.overflow"] else scale
    if problem.qvalues:
        out.update(_quantized(problem))
    return out


def _quantized(problem):
    qmin, qmax = {"quint8": (0, 255), "qint8": (-128, 127)}[problem.dtype]
    low, high = min(_fraction(problem.low), Fraction(0)), max(_fraction(problem.high), Fraction(0))
    if problem.scheme == "symmetric":
        scale = max(-low, high) * 2 / (qmax - qmin)
        zero = 0 if problem.dtype == "qint8" else 128
    else:
        scale = (high - low) / (qmax - qmin)
        zero = min(qmax, max(qmin, qmin - round(low / scale)))
    out = {"quant.scale": scale, "quant.zero": zero}
    for k, x in enumerate(problem.qvalues, 1):
        x = _fraction(x)
        q = min(qmax, max(qmin, round(x / scale) + zero))
        out[f"quant.q.{k}"] = q
        out[f"quant.deq.{k}"] = (q - zero) * scale
        out[f"quant.error.{k}"] = (q - zero) * scale - x
    return out
