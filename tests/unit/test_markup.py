"""Emphasis marks in plain-text fields (symdl/input/markup.py): **bold** and __underlined__, escaped as text."""

from __future__ import annotations

from markupsafe import escape as html_escape

from symdl.input import markup
from symdl.render.texsafe import escape as tex_escape


def test_spans_and_plain():
    text = "Fill the table. **Please read the parameters very carefully!** and __3 x 2__ here"
    assert markup.spans(text) == [(None, "Fill the table. "), ("bold", "Please read the parameters very carefully!"),
                                  (None, " and "), ("underline", "3 x 2"), (None, " here")]
    assert markup.plain(text) == "Fill the table. Please read the parameters very carefully! and 3 x 2 here"


def test_unpaired_or_spaced_marks_print_as_written():
    for text in ("a ** b", "2**3 is 8", "**open", "conv1_1 and __init", "a ** b **", "x__"):
        assert markup.spans(text) == [(None, text)], text
        assert not markup.has_emphasis(text)


def test_latex_escapes_inside_the_marks():
    out = markup.latex(r"**50% & \input{/etc/passwd}** __$x$__", tex_escape)
    assert out.startswith(r"\textbf{50\% \& ") and r"\underline{\$x\$}" in out
    assert r"\input{" not in out.replace(r"\textbackslash{}input\{", "")


def test_html_escapes_inside_the_marks():
    out = markup.html("**<b>x</b>** __a&b__", html_escape)
    assert out == "<strong>&lt;b&gt;x&lt;/b&gt;</strong> <u>a&amp;b</u>"
