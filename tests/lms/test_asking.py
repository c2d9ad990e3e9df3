"""How one number is asked: the key's display, the width around it, the unit for Canvas's 4-decimal
input, the precision in words. Expected values computed by hand in each test."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import sympy

from symdl.export import asking


def test_shown_as_the_key_prints():
    assert asking.shown(sympy.Rational(-4, 100)) == "-0.04"                 # an exact decimal as is
    assert asking.shown(sympy.exp(sympy.Rational(2, 100))) == "1.0202"       # e^0.02 = 1.02020134...
    assert asking.shown(sympy.Rational(1, 3)) == "0.33333"
    assert asking.shown(sympy.Rational(1, 3), 3) == "0.333"
    assert asking.shown(sympy.Rational(9999949, 10**7) + sympy.Rational(1, 3 * 10**8)) == "0.99999"
    assert asking.shown(sympy.Rational(999996, 10**6) + sympy.Rational(1, 3 * 10**7)) == "1"     # carried
    assert asking.shown(5427338) == "5427338"


def test_width_accepts_every_value_within_the_tolerance_around_the_exact():
    # 1/3 shown 0.33333, tolerance 0.000005: [1/3 - t, 1/3 + t] lies in 0.33333 +- (t + 0.00000333...)
    exact = asking.exact_decimal(sympy.Rational(1, 3))
    width = asking.accepted_width(exact, "0.33333", Decimal("0.000005"))
    assert Decimal("0.0000083333") <= width <= Decimal("0.0000084")
    assert asking.accepted_width(Decimal(7), "7", Decimal(0)) == 0


def test_canvas_unit_makes_the_tolerance_at_least_ten_rounding_steps():
    assert asking.canvas_unit(Decimal("-0.04"), Decimal("0.005")) == 0
    assert asking.canvas_unit(Decimal("0.7726"), Decimal("0.000005")) == 2     # 0.0005 in units of 10^-2
    assert asking.canvas_unit(Decimal("0.0002"), Decimal("5e-9")) == 5
    assert asking.canvas_unit(Decimal("0.000012"), Decimal(0)) == 2            # an exact 6-place decimal


def test_canvas_answer_covers_the_rounded_interval():
    # 0.7725937... within 0.000005, in units of 10^-2: 77.25937 within 0.0005 -> typed values round
    # to 77.2589 .. 77.2599 at 4 decimals; the exact answer is the display 77.259
    exact = Decimal("0.7725937159904234")
    centre, margin = asking.canvas_answer(exact, "0.7725937", Decimal("0.000005"), 2)
    assert centre == "77.25937"
    low, high = Decimal(centre) - Decimal(margin), Decimal(centre) + Decimal(margin)
    assert low <= Decimal("77.2589") and high >= Decimal("77.2599") and high - low <= Decimal("0.0011")


def test_a_display_too_coarse_for_the_tolerance_gets_more_digits():
    # e^0.02 = 1.02020134...: printed 1.0202, 1.3e-6 off; a tolerance of 5e-6 takes 1.0202 (within
    # a tenth? no: 1.3e-6 > 5e-7) -> 1.02020 is the same number, 1.020201 is 3.4e-7 off: kept
    value = sympy.exp(sympy.Rational(2, 100))
    assert asking.shown_within(value, None, Decimal("0.000005")) == "1.020201"
    assert asking.shown_within(value, None, Decimal("0.0005")) == "1.0202"      # the key's print
    assert asking.shown_within(sympy.Rational(-4, 100), None, Decimal("0.005")) == "-0.04"


def test_precision_in_words():
    third = asking.exact_decimal(sympy.Rational(1, 3))
    assert asking.precision_words([(third, Decimal("0.000005"))]) == "to 5 significant figures"
    assert asking.precision_words([(Decimal("-0.04"), Decimal("0.005"))]) == "to 2 decimal places"
    assert asking.precision_words([(Decimal(3), Decimal(0))]) == "exactly"
    assert asking.precision_words([(Decimal("0.25"), Decimal("0.005")), (Decimal("2.5"), Decimal("0.005"))]) == \
        "to 2 decimal places"
    assert asking.precision_words([(Decimal("0.123"), Decimal("0.0005")), (Decimal("12.3"), Decimal("0.05"))]) == \
        "to 3 significant figures"
    assert Fraction(1) == 1
