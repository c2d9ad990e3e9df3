"""Every HTML answer key, read as its reader sees it: no raw LaTeX in the rendered text, a number
with thousands separators one token, and every figure the PDF key draws drawn on the page too.

Scanned: DI504, every spec of tests/specs/ and every TOML example of docs/ and the README, each
as the model answers and as the complete derivation. The expectations are the PDF key's own
source (its figures: a centred TikZ drawing with its caption) and patterns of LaTeX source no
reader should meet (a backslash command, ``\\(``, ``^T``, ``_{``, ``^{``, a dollar sign).
"""

from __future__ import annotations

import html as html_text
import re
import shutil
import tomllib

import pytest

from support import TESTS
from symdl.solve import solve_exam
from symdl.render import html, latex

ROOT = TESTS.parent
DATA = [ROOT / "tests" / "data" / "logs", ROOT / "symdl" / "data" / "di504"]
RAW = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\^T(?![A-Za-z])|\^\{|_\{|\$")
# 12,864 as three MathML tokens (12, a comma operator, 864): read as a list of two numbers
SPLIT = re.compile(r"<mn>\d{1,3}</mn>\s*(?:<mrow>)?\s*<mo>(?:,|&#x0002C;)</mo>\s*(?:</mrow>)?\s*<mn>\d{3}(?:\.\d+)?</mn>")
# a figure of the PDF key: its drawing centred, its caption under it (templates/macros.tex.j2)
TEX_FIGURE = re.compile(r"\\begin\{center\}(?:(?!\\end\{center\}).)*?\\begin\{tikzpicture\}.*?\\end\{center\}", re.S)
HTML_FIGURE = re.compile(r'<div class="figure"[^>]*>(.*?)</div>', re.S)


def specs():
    out = [pytest.param(None, id="di504")]
    out += [pytest.param(p, id=p.stem) for p in sorted((ROOT / "tests" / "specs").glob("*.toml"))]
    from support import docs_exam_blocks

    out += [pytest.param(block, id=name) for name, block in docs_exam_blocks()]
    return out


def rendered_text(page: str) -> str:
    """What a reader sees: the text of every element, MathML and SVG included, entities decoded."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return html_text.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ")


@pytest.fixture
def report(request, tmp_path, monkeypatch):
    spec = request.param
    if isinstance(spec, str):                       # a docs example: with the log it names
        from support import with_documented_kinds

        with_documented_kinds(spec, tmp_path, monkeypatch)
        path = tmp_path / "example.toml"
        path.write_text(spec)
        for question in tomllib.loads(spec).get("question", []):
            if "log" in question:
                source = next(f / question["log"] for f in DATA if (f / question["log"]).is_file())
                shutil.copy(source, tmp_path / question["log"])
        spec = path
    return solve_exam(spec, data_dirs=DATA, time_limit_s=900)


@pytest.mark.parametrize("report", specs(), indirect=True)
def test_html_key_has_no_raw_latex_and_every_figure_of_the_pdf(report):
    for audience in ("model", "full"):
        page = html.render(report.exam, report.results, audience=audience)
        words = rendered_text(page)
        raw = [words[max(0, m.start() - 30):m.end() + 20] for m in RAW.finditer(words)]
        assert raw == [], (audience, raw[:5])
        assert SPLIT.findall(page) == [], audience
        assert 'class="tex"' not in page and "drawn in the PDF" not in page
        tex = latex.render(report.exam, report.results, audience)
        pdf_figures = TEX_FIGURE.findall(tex)
        html_figures = HTML_FIGURE.findall(page)
        assert len(html_figures) == len(pdf_figures), audience
        for figure in html_figures:
            assert figure.count("<svg") == 1
        for block in pdf_figures:                   # the same captions, in the same order
            caption = re.search(r"\\par\\smallskip\{\\small (.*)\}\s*\\end\{center\}", block, re.S)
            if caption:
                first = re.sub(r"[\\{}$^_]", "", caption.group(1))[:20]
                assert any(first[:12] in rendered_text(f) for f in html_figures), first


def test_a_grouped_number_in_prose_or_math_is_one_token():
    """5427338 is printed 5,427,338 in one <mn>; the scan pattern finds the split form it replaces."""
    one = html.math(5427338)
    assert "<mn>5,427,338</mn>" in one and not SPLIT.findall(one)
    assert SPLIT.findall("<mn>12</mn><mrow><mo>&#x0002C;</mo></mrow><mn>864</mn>")


def test_the_layout_of_a_pdf_array_is_not_text():
    """A matrix shown in part carries a note in a two-line array (columns @{}l@{}, \\scriptsize):
    in the page the note reads as words, not as '@ l @' and '\\scriptsize'."""
    note = (r"A\;\begin{array}{@{}l@{}}\text{\scriptsize shown in part; every entry}\\"
            r"\text{\scriptsize is listed}\end{array}")
    words = rendered_text(str(html._converted(note, False)))
    assert "shown in part" in words and "@" not in words and "\\" not in words
