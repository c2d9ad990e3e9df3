"""render/fit.py: the width estimate against TeX's own measure, rows turned to columns, long sums
broken again at their top-level signs."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from symdl.render import fit

ROW = r"\left[\begin{matrix}0.18173 & -0.0086066 & 1\end{matrix}\right]^T"
COLUMN = r"\left[\begin{matrix}0.18173 \\ -0.0086066 \\ 1\end{matrix}\right]"

LINES = [
    r"\mathbf{s} = W\mathbf{x} + \mathbf{B} = " + ROW + " + " + ROW,
    r"\mathbf{p} = \frac{1}{2.8726}\, \left[\begin{matrix}0.52205 & 0.024724 & 1 & 0.07244 & 0.22878"
    r" & 0.50916\end{matrix}\right]^T",
    r"z = \left(-1.048\right) \cdot 1.346 + 0.177 \cdot \left(-0.095\right) + \left(-0.52\right) \cdot 0.556",
    r"L = \ln\Big(e^{-0.65} + e^{-3.7} + e^{0}\Big) - \left(-2.625\right)",
    r"\frac{\partial L}{\partial W} \approx \left[\begin{matrix}0.2726 & -0.090866\\0.01291 & -0.0043033\end{matrix}\right]",
    r"\text{case a: scores:}\ \boxed{\left[\begin{matrix}1.475 & -1.575 & 2.125\end{matrix}\right]^{\mathsf{T}}}",
]


def tex_widths(lines, tmp_path):
    """Each line's width in pt, typeset by pdflatex in display style at 10 pt (the answer key's font)."""
    boxes = "\n".join(rf"\sbox\measured{{$\displaystyle {line}$}}\typeout{{W{i}=\the\wd\measured}}"
                      for i, line in enumerate(lines))
    (tmp_path / "m.tex").write_text(
        "\\documentclass[10pt]{article}\\usepackage[T1]{fontenc}\\usepackage{lmodern}\\usepackage{amsmath}\n"
        "\\begin{document}\\newsavebox\\measured\n" + boxes + "\n\\end{document}\n")
    subprocess.run(["pdflatex", "-interaction=batchmode", "m.tex"], cwd=tmp_path, capture_output=True, timeout=120)
    found = dict(re.findall(r"^W(\d+)=([\d.]+)pt", (tmp_path / "m.log").read_text(), re.M))
    return [float(found[str(i)]) for i in range(len(lines))]


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="pdflatex not installed")
def test_estimate_is_within_a_sixth_of_texs_measure(tmp_path):
    for line, measured, estimated in zip(LINES, tex_widths(LINES, tmp_path), map(fit.printed_width, LINES)):
        assert estimated == pytest.approx(measured, rel=1 / 6), line


def test_rows_become_columns_and_nothing_else_changes():
    assert fit.columns(ROW) == COLUMN
    summary = r"\boxed{\left[\begin{matrix}1 & 2\end{matrix}\right]^{\mathsf{T}}}"
    assert fit.columns(summary) == r"\boxed{\left[\begin{matrix}1 \\ 2\end{matrix}\right]}"
    wrapped = r"\left[\begin{array}{l}1 \quad -2 \quad 3 \\ -4 \quad 5\end{array}\right]^T"
    assert fit.columns(wrapped) == r"\left[\begin{matrix}1 \\ -2 \\ 3 \\ -4 \\ 5\end{matrix}\right]"
    matrix = r"\left[\begin{matrix}1 & 2\\3 & 4\end{matrix}\right]"     # a matrix, a row that is no transpose
    row = r"\mathbf{g} \cdot \left[\begin{matrix}1.5 & -0.5\end{matrix}\right]"
    assert fit.columns(matrix) == matrix and fit.columns(row) == row
    assert not fit.has_rows(matrix + row) and fit.has_rows(ROW)


def test_only_a_line_too_wide_or_a_wrapped_row_turns():
    short = r"\mathbf{r} = " + ROW
    assert fit.fit(short) == short                                   # about 150 pt: stays a row
    long_row = r"\left[\begin{matrix}" + " & ".join(["0.0086066"] * 10) + r"\end{matrix}\right]^T"
    assert fit.fit(r"\mathbf{p} \approx " + long_row + " + " + long_row).count(r"\\") == 18
    assert fit.needs_columns([r"\left[\begin{array}{l}1 \quad 2\end{array}\right]^T"])   # always
    long_text = r"\text{" + "words " * 200 + "}"
    assert not fit.needs_columns([long_text, short])                 # the wide line holds no row


def test_a_long_sum_is_broken_again_at_its_top_level_signs():
    terms = [rf"\left(-1.{k}48\right) \cdot \left(0.{k}46 + 2\right)" for k in range(12)]
    body = " + ".join(terms[:6]) + r" \\ &\qquad + " + " + ".join(terms[6:])
    assert not fit.fits(body, indent=20)
    wrapped = fit.wrap(body, indent=20)
    lines = wrapped.split(r" \\ &\qquad ")
    assert len(lines) > 2 and fit.fits(wrapped, indent=20)
    assert " ".join(lines).split() == body.replace(r"\\ &\qquad", "").split()    # every term, in order
    assert all(line.count(r"\left(") == line.count(r"\right)") for line in lines)   # never inside brackets
    assert fit.wrap("a + b", indent=20) == "a + b"
