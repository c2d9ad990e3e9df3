"""The graph question on the exam sheet: the function as the exam writes it, W, x and the upstream
gradient as given (DI504 Q1, the exam paper of 1 Dec 2021), and no node value."""

import re

from support import di504_question, one_question, sheet_of, sheet_text


def test_di504_q1_shows_the_givens_as_on_the_paper():
    text = sheet_text(sheet_of(di504_question("Q1")))
    assert r"f(x) = \max \left[\begin{bmatrix} 1 \\ 0 \end{bmatrix}" in text     # as the paper writes it
    assert "W = \\left[\\begin{matrix}-0.1 & -0.5\\\\0.3 & 0.2\\end{matrix}\\right]" in text
    assert "x = \\left[\\begin{matrix}0.3 & -0.1\\end{matrix}\\right]^{T}" in text
    assert "gradient at the output of the graph: \\left[\\begin{matrix}1 & 1\\end{matrix}\\right]^{T}" in text
    # the forward values of the DI504 key (W x = [0.02, 0.07], + [0, 1] = [0.02, 1.07]) are not there
    assert not re.search(r"0\.02|0\.07|1\.07|1\.020", text)


def test_a_scalar_graph_without_upstream_shows_only_its_inputs(tmp_path):
    q = one_question(tmp_path, "graph", "function = 'f = x^{2} + y'\n[question.values]\nx = '3'\ny = '2.5'\n")
    text = sheet_text(sheet_of(q))
    assert "x = 3" in text and "y = 2.5" in text and "upstream" not in text and "gradient" not in text
    assert "11.5" not in text            # f(3, 2.5) = 9 + 2.5


def test_a_function_too_long_to_show_verbatim_is_printed_back(tmp_path):
    """The spec's LaTeX is shown verbatim only up to tex_display.MAX_LENGTH characters; past it, the
    function as parsed (the printer's LaTeX): here the sum of x^1 ... x^120."""
    terms = " + ".join(f"x^{{{i}}}" for i in range(1, 121))
    q = one_question(tmp_path, "graph", f"function = 'f = {terms}'\n[question.values]\nx = '1'\n")
    text = sheet_text(sheet_of(q))
    assert len(terms) > 600 and text.startswith("f = ")
    assert all(f"x^{{{i}}}" in text for i in (2, 60, 120))
