"""The HTML answer key: the same Solution as the PDF, math as MathML, laid out by a real browser."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from symdl.render import html
from support import NO_BROWSER, find_browser

BROWSER = find_browser()


@pytest.fixture(scope="module")
def di504_page():
    from symdl.solve import solve_exam

    report = solve_exam()
    return html.render(report.exam, report.results, audience="full")     # the complete derivation


def test_page_is_self_contained(di504_page):
    assert di504_page.startswith("<!DOCTYPE html>")
    assert "<script" not in di504_page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", di504_page)   # nothing fetched
    assert "@import" not in di504_page and "url(" not in di504_page


def test_every_formula_is_mathml(di504_page):
    assert di504_page.count("<math") > 500 and "\\frac" not in di504_page and "\\begin{" not in di504_page
    assert 'class="tex"' not in di504_page            # no formula fell back to LaTeX source
    assert "\\begin" not in di504_page and "\\frac" not in di504_page


def test_text_from_the_spec_is_escaped():
    from markupsafe import Markup

    from symdl.solution import Text

    out = html.paragraph(Text("<script>alert(1)</script> & ", Markup("x")))
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out


def test_layout_breaks_only_outside_matrices():
    source = r"a + b \\ &\qquad + c \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"
    assert " ".join(html._unlayout(source).split()) == r"a + b + c \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"


def _screenshot(page: str, tmp: Path, size=(800, 400)) -> "object":
    from PIL import Image

    source = tmp / "page.html"
    source.write_text(page, encoding="utf-8")
    shot = tmp / "shot.png"
    profile = tempfile.mkdtemp(dir=tmp)
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                    f"--screenshot={shot}", source.as_uri()],
                   capture_output=True, timeout=120, check=True)
    return Image.open(shot).convert("L")


def _ink_rows(image) -> int:
    """How many pixel rows hold ink (dark pixels)."""
    import numpy as np

    pixels = np.asarray(image)
    return int((pixels < 128).any(axis=1).sum())


@pytest.mark.skipif(BROWSER is None, reason=NO_BROWSER)
def test_browser_lays_the_math_out(tmp_path):
    """A fraction laid out as MathML stands on two lines; the same symbols as text on one.
    Were the <math> elements not understood, both would be one line of ink."""
    pytest.importorskip("PIL")
    head = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="font-size:48px">'
    fraction = html._mathml(r"\frac{7}{9}", display=True)
    as_math = _ink_rows(_screenshot(head + str(fraction) + "</body></html>", tmp_path))
    as_text = _ink_rows(_screenshot(head + "<p>79</p></body></html>", tmp_path))
    assert as_text > 10
    assert as_math > 1.7 * as_text, (as_math, as_text)


@pytest.mark.skipif(BROWSER is None, reason=NO_BROWSER)
def test_di504_page_renders(di504_page, tmp_path):
    pytest.importorskip("PIL")
    image = _screenshot(di504_page, tmp_path, size=(1000, 1400))
    assert image.size == (1000, 1400)
    assert _ink_rows(image) > 400          # a page full of text and formulas, not a blank or an error


def test_derive_format_html_writes_the_page(tmp_path):
    import json
    import sys

    proc = subprocess.run([sys.executable, "-m", "symdl", "derive", "--format", "html", "--detail", "full",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "di504-midterm-2021"
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", "answer-key.html",
                                                        "answer-key.tex", "answers.json", "exam-sheet.tex", "grading.tex",
                                                        "verification.tex"]
    page = (folder / "answer-key.html").read_text(encoding="utf-8")
    assert page.count("<math") > 500
    manifest = json.loads((folder / ".symdl-manifest.json").read_text())
    assert "answer-key.html" in json.dumps(manifest)
    bad = subprocess.run([sys.executable, "-m", "symdl", "derive", "--format", "odt", "--out", str(tmp_path / "x")],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert bad.returncode == 2 and "unknown format odt" in bad.stderr and len(bad.stderr.splitlines()) == 1
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def di504_model_page():
    from symdl.solve import solve_exam

    report = solve_exam()
    return report, html.render(report.exam, report.results)          # the model answers, as derive writes


def test_no_raw_latex_in_the_rendered_page(di504_page, di504_model_page):
    """No LaTeX command survives as text, inside or outside MathML (latex2mathml left \\arg as an
    identifier four times), in the complete derivation and in the model answers."""
    for page in (di504_page, di504_model_page[1]):
        assert not re.search(r"<m[io][^>]*>\\[A-Za-z]+", page)
        words = re.sub(r"<[^>]+>", " ", re.sub(r"<math.*?</math>", " ", page, flags=re.S))
        assert not re.search(r"\\[A-Za-z]+", words), re.search(r".{40}\\[A-Za-z]+.{20}", words)


def test_grouped_numbers_are_one_token(di504_model_page):
    """DI504 Q4's total, 5,427,338 learnables (the sum of the completed table's rows), is one <mn>."""
    page = di504_model_page[1]
    assert "<mn>5,427,338</mn>" in page
    assert not re.search(r"<mn>\d+</mn><mrow><mo>&#x0002C;</mo></mrow><mn>\d{3}", page)


def test_final_answers_come_first(di504_model_page):
    """The page opens with every part's final answers, as the PDF's page 1, in the body's words."""
    report, page = di504_model_page
    summary = page[page.index('id="final-answers"'):page.index('<section class="question"')]
    for r in report.results:
        assert f"Question {r.question.id.removeprefix('Q')} (" in summary      # the exam's numbering
    assert "yes, but slowly" in summary and "not yet" in summary       # Q5's verdicts as the body words them
    assert summary.count('class="box"') >= 20
