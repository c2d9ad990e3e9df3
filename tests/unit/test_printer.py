"""The printer (symdl.printer): exact decimals shown as decimals, other values rounded and
marked \\approx; expected strings are the numbers' own decimal expansions."""

from __future__ import annotations

import pytest
import sympy

from symdl import printer


@pytest.mark.parametrize("value, text", [
    (sympy.Rational(-1, 10), "-0.1"), (sympy.Rational(1, 8), "0.125"), (sympy.Rational(3, 2), "1.5"),
    (sympy.Integer(-7), "-7"), (sympy.Rational(1, 1024), "0.0009765625"),
])
def test_terminating_rationals_print_as_decimals(value, text):
    assert printer.tex(value) == text
    assert printer.value_tex(value) == ("=", text)


@pytest.mark.parametrize("value, text", [
    (sympy.Rational(1, 3), "0.33333"), (sympy.exp(sympy.Rational(1, 50)), "1.0202"),
    (sympy.pi, "3.1416"), (sympy.Rational(2, 3), "0.66667"),
])
def test_other_values_are_rounded_and_marked_approx(value, text):
    assert printer.value_tex(value) == (r"\approx", text)


def test_decimals_past_the_limit_are_not_written_out():
    assert printer.terminating_decimal(sympy.Rational(1, 2**40)) is None
    assert printer.terminating_decimal(sympy.Rational(1, 3)) is None
    assert printer.terminating_decimal(sympy.Rational(-3, 25)) == "-0.12"


def test_format_float_keeps_significant_digits():
    assert printer.format_float(0.000123456) == "0.0001235"
    assert printer.format_float(2.0, 4) == "2"


def test_matrices_print_their_entries_as_decimals():
    assert printer.tex(sympy.Matrix([[sympy.Rational(1, 2), 2]])) == r"\left[\begin{matrix}0.5 & 2\end{matrix}\right]"


def test_substituted_form_stays_unevaluated():
    x, y = sympy.symbols("x y")
    shown = printer.tex(printer.substitute(x + y, {x: sympy.Rational(3, 10), y: sympy.Rational(1, 5)}))
    assert "0.3" in shown and "0.2" in shown and "0.5" not in shown
