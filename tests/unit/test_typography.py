"""Generic typography of the documents: thousands separators, quotes, ^T in prose, no \\mathbb{1}."""

from __future__ import annotations

import pytest
import sympy

from symdl.notation.printer import grouped, tex, value_tex
from symdl.render.latex import escape, paragraph
from symdl.solution import Text


@pytest.mark.parametrize("value, shown", [
    (9999, "9999"), (10000, "10{,}000"), (12345, "12{,}345"), (-1234567, "-1{,}234{,}567"),
    (5427338, "5{,}427{,}338"), (sympy.Rational(123456789, 1000), "123{,}456.789"),
    (sympy.Rational(1, 4), "0.25"),
])
def test_integers_from_ten_thousand_have_separators(value, shown):
    assert tex(sympy.sympify(value)) == shown
    assert value_tex(sympy.sympify(value)) == ("=", shown)


def test_separators_in_rounded_values_and_matrices():
    # 1000 e = 2718.28...: four integer digits, none; 10^5 e = 271828.18...: rounded to 271828
    assert value_tex(1000 * sympy.E) == (r"\approx", "2718.3")
    assert value_tex(10**5 * sympy.E) == (r"\approx", "271{,}828")
    assert tex(sympy.Matrix([[12864, 33]])) == r"\left[\begin{matrix}12{,}864 & 33\end{matrix}\right]"
    assert grouped("1186099200") == "1{,}186{,}099{,}200" and grouped("x10000") == "x10000"


def test_plain_quotes_become_tex_quotes_in_prose():
    assert escape('the "dead" neuron') == "the ``dead'' neuron"
    assert escape('one " alone') == 'one " alone'                     # unpaired: as written
    assert paragraph(Text('a "quoted" word')) == "a ``quoted'' word"


def test_transpose_in_prose_is_a_superscript():
    assert escape("the gradient [+1.0, +1.0]^T at W^T x") == \
        r"the gradient [+1.0, +1.0]\textsuperscript{T} at W\textsuperscript{T} x"
    assert escape("x^Top") == r"x\textasciicircum{}Top"                # not a transpose


def test_no_blackboard_one_in_any_document(tmp_path):
    from symdl.solve import solve_exam
    from symdl.render import latex

    spec = tmp_path / "g.toml"
    spec.write_text('[exam]\nid = "t"\ntitle = "T"\n[[question]]\nid = "Q1"\nkind = "graph"\n'
                    "function = 'f = \\max(x, y) + \\max(0, x)'\n[question.values]\nx = '2'\ny = '3'\n")
    report = solve_exam(spec)
    for document in ("model", "full", "grading", "verification"):
        assert r"\mathbb{1}" not in latex.render(report.exam, report.results, document=document), document
    from symdl.render import html

    page = html.render(report.exam, report.results)
    assert 'mathvariant="double-struck"' not in page and 'mathvariant="bold">1<' in page   # the same indicator
