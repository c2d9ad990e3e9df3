"""Numbers read from spec text as exact Fractions, their size checked before they are built.

``Fraction("1e999999999")`` builds 10**999999999 (minutes of CPU, gigabytes); ``exact`` refuses an
exponent or a digit count past the limits first, with a ValueError whose message says which.
Every number a spec gives to draws, conditions and the training-log fields is read through here.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_EXPONENT = 400          # as latex_parse refuses 10^401: larger is an input error, not an exam's number
MAX_DIGITS = 400            # digits of a mantissa, a numerator or a denominator

_DECIMAL = re.compile(r"[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?")
_RATIO = re.compile(r"([+-]?\d+)\s*/\s*(\d+)")


class NumberError(ValueError):
    """A number that is not one, or one too large to be built."""


def exact(value) -> Fraction:
    """``value`` (an int, a float or a string: a decimal, ``1e-3``, ``p/q``) as an exact Fraction."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise NumberError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, int):
        if value.bit_length() > MAX_DIGITS * 3.33:
            raise NumberError(f"more than {MAX_DIGITS} digits")
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(f"not a finite number ({value})")
        return Fraction(repr(value))
    return _text(value)


def _text(value: str) -> Fraction:
    text = value.strip()
    if len(text) > 2 * MAX_DIGITS + 20:
        raise NumberError(f"{text[:20]!r}... is longer than any number of an exam")
    ratio = _RATIO.fullmatch(text)
    if ratio:
        top, bottom = ratio.groups()
        if len(top.lstrip("+-")) > MAX_DIGITS or len(bottom) > MAX_DIGITS:
            raise NumberError(f"more than {MAX_DIGITS} digits")
        if int(bottom) == 0:
            raise NumberError(f"{text!r} divides by zero")
        return Fraction(int(top), int(bottom))
    match = _DECIMAL.fullmatch(text)
    if not match:
        raise NumberError(f"{text[:40]!r} is not a number")
    whole, part, only, exponent = match.groups()
    if len((whole or "") + (part or "") + (only or "")) > MAX_DIGITS:
        raise NumberError(f"more than {MAX_DIGITS} digits")
    if exponent is not None and (len(exponent.lstrip("+-")) > 4 or abs(int(exponent)) > MAX_EXPONENT):
        raise NumberError(f"{text[:40]!r}: an exponent beyond {MAX_EXPONENT} is not a number of an exam")
    return Fraction(text)


def is_decimal(value: Fraction) -> bool:
    """Whether ``value`` has a terminating decimal expansion (its denominator has no prime but 2 and 5)."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def decimal_places(value: Fraction) -> int:
    """Digits after the decimal point of a terminating decimal (``is_decimal`` must hold)."""
    d, counts = value.denominator, []
    for p in (2, 5):
        n = 0
        while d % p == 0:
            d //= p
            n += 1
        counts.append(n)
    return max(counts)
