"""The LaTeX reader (symdl.input.latex): exact numbers, kept order and transposes, lifted
constructs, refused input. Expected values are the mathematics of the written LaTeX."""

from __future__ import annotations

import pytest
import sympy

from symdl.errors import LatexError
from symdl.input.latex import op, parse_expression, parse_matrix, parse_number, skeleton


@pytest.mark.parametrize("text, value", [
    ("-0.1", sympy.Rational(-1, 10)), ("+0.30", sympy.Rational(3, 10)), ("3", 3),
    (r"\frac{1}{3}", sympy.Rational(1, 3)), ("10^{-3}", sympy.Rational(1, 1000)),
    ("[0.5]", sympy.Rational(1, 2)), (0.1, sympy.Rational(1, 10)), (7, 7),
])
def test_numbers_are_exact_rationals(text, value):
    got = parse_number(text)
    assert got == value and (got.is_Rational or got.is_Integer)


@pytest.mark.parametrize("text", ["1e5", "10^{10^{10}}", "x", r"\begin{bmatrix} 1 \end{bmatrix}", True,
                                  float("nan"), "1" * 61])
def test_bad_numbers_raise_latex_error(text):
    with pytest.raises(LatexError):
        parse_number(text)


def test_matrices_keep_every_literal_exact():
    W = parse_matrix(r"\begin{bmatrix} -0.1 & -0.5 \\ +0.3 & +0.2 \end{bmatrix}")
    assert W == sympy.Matrix([[sympy.Rational(-1, 10), sympy.Rational(-1, 2)],
                              [sympy.Rational(3, 10), sympy.Rational(1, 5)]])
    x = parse_matrix(r"[0.7 \quad 0.9 \quad 0]^T")
    assert x.shape == (3, 1) and list(x) == [sympy.Rational(7, 10), sympy.Rational(9, 10), 0]
    row = parse_matrix(r"[0.7 \quad 0.9]")
    assert row.shape == (1, 2)
    with pytest.raises(LatexError, match="expected shape"):
        parse_matrix(r"[1 \quad 2]^T", shape=(3, 1))


def test_transpose_is_an_explicit_node_and_products_keep_their_order():
    expr = parse_expression(r"\mathbf{W}^T \cdot \mathbf{x} + b").expr
    W = sympy.Symbol("W", commutative=False)
    assert expr.has(op("transpose")(W))
    assert parse_expression("x W").expr != parse_expression("W x").expr
    assert parse_expression("f(x) = x + 1").expr == parse_expression("x + 1").expr   # lhs dropped


def test_max_with_left_right_brackets_and_natural_log_is_stated():
    parsed = parse_expression(r"\log(x) + \max\left[x, y\right]")
    x, y = sympy.symbols("x y", commutative=False)
    assert parsed.expr.has(op("log")(x)) and parsed.expr.has(op("max")(x, y))   # the op table's nodes
    assert any("natural logarithm" in note for note in parsed.notes)


def test_matrix_literals_in_an_expression_become_constants():
    parsed = parse_expression(r"\mathbf{W} \cdot \begin{bmatrix} 1 \\ 0 \end{bmatrix}")
    assert list(parsed.constants.values()) == [sympy.Matrix([1, 0])]


def test_cached_parse_hands_out_copies():
    first = parse_expression(r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} + x")
    second = parse_expression(r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} + x")
    assert first.constants is not second.constants and first.constants == second.constants


@pytest.mark.parametrize("text", [r"\odot y", r"x \odot", r"\unknownfn(x)", "x = y = z", r"\max\left[x"])
def test_unreadable_expressions_raise_latex_error(text):
    with pytest.raises(LatexError):
        parse_expression(text)


@pytest.mark.parametrize("canon", [r"\mathit{Zc0} + \mathit{Zc1} \cdot \mathit{Zc2}",
                                   r"-(\mathit{Zc0} - 2) \mathit{Zc1}^T",
                                   r"\mathit{Zc0} \cdot \mathit{Zc1}^T \cdot \mathit{Zc2} - 0.5"])
def test_skeleton_fast_path_builds_latex2sympy2s_own_tree(canon):
    from symdl.input.latex.state import _fresh_parser

    assert skeleton._read_simple(canon) == _fresh_parser().latex2sympy(canon)
