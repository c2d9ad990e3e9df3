"""How one number is asked in an LMS: shown as the answer key prints it, the precision asked stated
in words, and (Canvas) the unit that lets the quiz page's 4-decimal input reach every accepted value.

The accepted interval is the answer policy's (``answer.tolerance``, read in symdl.export.answers):
[exact - t, exact + t]. An LMS grades around the value it shows, so around the key's display
``shown`` it accepts ``t + |shown - exact|``: every value the policy accepts, and no more than the
display's rounding beyond it.
"""

from __future__ import annotations

from decimal import Decimal, ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, localcontext

import mpmath

from symdl.check import hp
from symdl.notation.printer import is_exact_decimal, terminating_decimal

KEY_DIGITS = 5                      # significant digits the key prints a rounded value with
CANVAS_STEP = Decimal("0.0001")     # Canvas's classic quiz page rounds what is typed to 4 decimals
CANVAS_FINEST = Decimal("0.0005")   # a tolerance at least ten times that rounding's half step
PRECISION = 60


def exact_decimal(value) -> Decimal:
    """A real number (SymPy, int, Fraction, float) as a 40-significant-digit Decimal."""
    with mpmath.workdps(45):
        x = hp.to_mp(value)[1][0]
        return Decimal(mpmath.nstr(x, 40, strip_zeros=False, min_fixed=-10**6, max_fixed=10**6))


def shown(value, digits=None) -> str:
    """``value`` as the answer key prints it: an exact decimal as is (up to 10 places), any other
    to ``digits`` (default 5) significant digits, in plain decimal form."""

    import sympy

    if digits is None and is_exact_decimal(value):
        text = terminating_decimal(sympy.Rational(sympy.sympify(value)))
        if text is not None:
            return text
    x = exact_decimal(value)
    if x == 0:
        return "0"
    sig = digits or KEY_DIGITS
    with localcontext() as context:
        context.prec = PRECISION
        rounded = x.quantize(Decimal(1).scaleb(x.adjusted() - sig + 1), rounding=ROUND_HALF_EVEN)
        if rounded.adjusted() > x.adjusted():            # carried into a new digit
            rounded = x.quantize(Decimal(1).scaleb(rounded.adjusted() - sig + 1), rounding=ROUND_HALF_EVEN)
    return plain(rounded)


def shown_within(value, digits, tolerance: Decimal) -> str:
    """The key's display of ``value`` (:func:`shown`), with more significant digits when it lies
    more than a tenth of ``tolerance`` from the exact value: an LMS grades around what it shows,
    so what it accepts stays within 1.1 tolerances of the exact value (a display at 5 significant
    digits of an answer asked to 3 is the key's own)."""
    text = shown(value, digits)
    if tolerance == 0 or digits is None and text == shown(value, None) and _is_exact(value):
        return text
    exact, more = exact_decimal(value), digits or KEY_DIGITS
    while abs(Decimal(text) - exact) * 10 > tolerance and more < 30:
        more += 1
        text = shown(value, more)
    return text


def _is_exact(value) -> bool:

    return is_exact_decimal(value)


def plain(x: Decimal) -> str:
    """A Decimal in positional notation, no exponent, no trailing zeros after the point."""
    text = format(x, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def accepted_width(exact: Decimal, shown_text: str, tolerance: Decimal) -> Decimal:
    """The width around ``shown_text`` that accepts all of [exact - tolerance, exact + tolerance]:
    ``tolerance + |shown - exact|``, rounded up at a hundredth of the tolerance (0 stays 0)."""
    if tolerance == 0:
        return Decimal(0)
    with localcontext() as context:
        context.prec = PRECISION
        width = tolerance + abs(Decimal(shown_text) - exact)
        step = Decimal(1).scaleb(tolerance.adjusted() - 2)
        return width.quantize(step, rounding=ROUND_CEILING)


def canvas_unit(exact: Decimal, tolerance: Decimal) -> int:
    """The power k of ten a number is asked in (``in units of 10^-k``: the student types
    value x 10^k): 0 when the tolerance is at least CANVAS_FINEST (and an exact number has at most
    4 decimals), else the least k making it so."""
    if tolerance == 0:
        places = -exact.normalize().as_tuple().exponent if exact != 0 else 0
        return max(0, places - 4)
    k = 0
    while tolerance.scaleb(k) < CANVAS_FINEST:
        k += 1
    return k


def canvas_answer(exact: Decimal, shown_text: str, tolerance: Decimal, k: int) -> tuple:
    """(exact answer, margin) in the asked unit 10^-k, as Canvas's numerical question takes them:
    the key's display as the exact answer, the margin wide enough that every value within the
    tolerance, once the quiz page has rounded it to 4 decimals, falls inside."""
    with localcontext() as context:
        context.prec = PRECISION
        centre = Decimal(shown_text).scaleb(k)
        if tolerance == 0:
            return plain(centre), "0"
        low = (exact - tolerance).scaleb(k).quantize(CANVAS_STEP, rounding=ROUND_HALF_UP)
        high = (exact + tolerance).scaleb(k).quantize(CANVAS_STEP, rounding=ROUND_HALF_UP)
        margin = max(centre - low, high - centre, Decimal(0))
        return plain(centre), plain(margin)


def precision_words(entries) -> str:
    """What the question says of the precision asked, from (exact Decimal, tolerance Decimal) per
    entry: "exactly"; "to N significant figures" (N >= 2) when every tolerance is half a unit of
    the N-th significant digit; "to N decimal places" when every one is half a unit of the N-th
    decimal; else "within ± t" (one t) or each entry's."""
    tolerances = [t for _, t in entries]
    if all(t == 0 for t in tolerances):
        return "exactly"
    figures = {_significant(x, t) for x, t in entries}
    if len(figures) == 1 and None not in figures and min(figures) >= 2:
        return f"to {figures.pop()} significant figures"
    places = {_places(t) for t in tolerances}
    if len(places) == 1 and None not in places:
        n = places.pop()
        return f"to {n} decimal place{'s' if n != 1 else ''}"
    if len({_brief(t) for t in tolerances}) == 1:
        return f"within ± {_brief(tolerances[0])}"
    return "each entry within ± " + ", ".join(_brief(t) for t in tolerances)


def _brief(t: Decimal) -> str:
    """A tolerance as words give it: 3 significant digits."""
    return plain(t.quantize(Decimal(1).scaleb(t.adjusted() - 2))) if t else "0"


def _half_unit(t: Decimal):
    """The exponent e when t is half of 10^e (within a thousandth: a relative tolerance taken of the
    exact value rather than the printed one differs by that little), else None."""
    if t <= 0:
        return None
    with localcontext() as context:
        context.prec = PRECISION
        twice = t * 2
        e = twice.adjusted() + (1 if twice.scaleb(-twice.adjusted()) >= Decimal("9.99") else 0)
        return e if abs(twice.scaleb(-e) - 1) < Decimal("0.001") else None


def _places(t: Decimal):
    """N when t is half a unit of the N-th decimal place (N >= 1), else None."""
    e = _half_unit(t)
    return -e if e is not None and e < 0 else None


def _significant(x: Decimal, t: Decimal):
    """N when t is half a unit of x's N-th significant digit (1 <= N <= 15), else None."""
    e = _half_unit(t)
    if x == 0 or e is None:
        return None
    n = x.adjusted() - e + 1
    return n if 1 <= n <= 15 else None
