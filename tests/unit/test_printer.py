"""The printer (symdl.notation.printer): exact decimals shown as decimals, other values rounded and
marked \\approx; expected strings are the numbers' own decimal expansions."""

from __future__ import annotations

import pytest
import sympy

from symdl.notation import printer


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


def _old_substitute(expr, mapping):
    """substitute as it was: xreplace under the sympy.evaluate(False) context."""
    wrapped = {k: (sympy.UnevaluatedExpr(v) if isinstance(v, sympy.Basic) and v.is_number else v)
               for k, v in mapping.items()}
    with sympy.evaluate(False):
        return expr.xreplace(wrapped)


def test_substitute_builds_what_the_evaluate_context_built_without_clearing_the_cache(monkeypatch):
    from symdl.notation.display import CeilOf, FloorOf, MaxOf
    from symdl.kinds.architecture.formulas import AXES, _formula

    n, p0, p1, k, s, d = (AXES["h"][key] for key in ("n", "p0", "p1", "k", "s", "d"))
    x, y = sympy.symbols("x y")
    cases = [(_formula(kind, "h"), {n: sympy.Integer(28), p0: sympy.Integer(2), p1: sympy.Integer(2),
                                    k: sympy.Integer(5), s: sympy.Integer(2), d: sympy.Integer(1),
                                    AXES["h"]["out"]: sympy.Integer(14), AXES["h"]["P"]: sympy.Integer(3)})
             for kind in ("floor", "floor_d", "ceil", "same_out", "same_total", "same_before", "tconv_torch_d_o")]
    with sympy.evaluate(False):
        cases += [(sympy.Max(x, y) * sympy.Abs(y - x) + sympy.exp(x), {x: sympy.Rational(-1, 10), y: sympy.Integer(2)}),
                  (FloorOf(x / y) + CeilOf(y) + MaxOf(x, 0), {x: sympy.Rational(7, 2), y: sympy.Integer(3)}),
                  (sympy.Eq(x, y + 1), {y: sympy.Integer(4)}),                  # Eq: the fallback
                  (x ** 2 - 2 * x, {})]
    real = sympy.core.parameters.clear_cache
    for expr, mapping in cases:
        cleared = []
        monkeypatch.setattr(sympy.core.parameters, "clear_cache", lambda: cleared.append(1) or real())
        new = printer.substitute(expr, mapping)
        monkeypatch.undo()
        assert bool(cleared) == isinstance(expr, sympy.Eq), expr      # only the fallback clears it
        old = _old_substitute(expr, mapping)
        assert sympy.srepr(new) == sympy.srepr(old), expr
        assert printer.tex(new) == printer.tex(old)
