"""A cell of the class's CSV as a student or TA writes it: a number, yes/no, or a criterion's points."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# 1,234 and 5,427,338.5: commas only as thousands separators (a first group of 1-3 digits, not
# starting with 0, then groups of exactly three). "0,773" or "1,5" (a decimal comma) is no number.
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?")
_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_MINUS = {"\u2212": "-", "\u2013": "-"}
YES, NO = ("yes", "y"), ("no", "n")
MAX_CHARS = 100


class NotANumber(ValueError):
    """A cell that holds something other than what its column takes."""


def number(text: str):
    """A Fraction, exactly as written; None for a blank cell; NotANumber otherwise."""
    text = (text or "").strip()
    for sign, ascii_sign in _MINUS.items():
        text = text.replace(sign, ascii_sign)
    if not text:
        return None
    if len(text) > MAX_CHARS:
        raise NotANumber("too long for a number")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN.fullmatch(text):
        raise NotANumber(f"not a number: {text!r}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NotANumber(f"not a number: {text!r}") from None
    if abs(value.adjusted()) > 300:
        raise NotANumber(f"not a number an answer could be: {text!r}")
    return Fraction(value)


_ENTRY_SEPARATORS = re.compile(r"(?<=[\d.])\s*[xX\u00d7]\s*(?=[\d+\-.])|[\s;,]+")


def entries(text: str):
    """A whole vector, matrix or shape in one cell: its entries in order (a matrix row by row),
    separated by spaces, semicolons, commas or 'x' ("2808 x 33 x 64", "[0 0 0 0 0]", "0.3; -0.1"),
    in brackets or not, as a tuple of Fractions; None for a blank cell; NotANumber otherwise. A comma
    separates entries here: no thousands separators inside a vector."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 40 * MAX_CHARS:
        raise NotANumber("too long for the entries of an answer")
    inner = text.strip().lstrip("[(").rstrip("])").strip()
    parts = [part for part in _ENTRY_SEPARATORS.split(inner.replace("][", " ")) if part.strip("[]() ")]
    if not parts:
        raise NotANumber(f"no number in {text[:40]!r}")
    return tuple(number(part.strip("[]() ")) for part in parts)


def yes_no(text: str):
    """True for yes, False for no (any case, y/n too), None for a blank cell; NotANumber otherwise."""
    word = (text or "").strip().lower()
    if not word:
        return None
    if word in YES:
        return True
    if word in NO:
        return False
    raise NotANumber(f"not yes or no: {text.strip()[:40]!r}")
