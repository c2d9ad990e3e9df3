"""Nothing forged, every PDF builds: spec LaTeX read as TeX reads it, TeX in a scratch folder,
text printed as written, graph names that typeset, inputs that used to overflow TeX's buffers.

Regression inputs (tests/regressions/, copied from the shared corpus) are run through the
command line in a subprocess with the PDF, as a user runs them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symdl.errors import BuildError, LatexError
from symdl.render import latex, pdf as pdf_render, texsafe
from symdl.input.tex_display import check_display
from support import TESTS, answer_values, children_cpu

HERE = TESTS
REGRESSIONS = HERE / "regressions"

needs_tex = pytest.mark.skipif(not (pdf_render.tex_available() and shutil.which("pdftotext")),
                               reason="latexmk/pdflatex/pdftotext not installed")


def symdl(*args, cwd, timeout=240):
    """(the finished run, its CPU seconds): CPU time, which the machine's load does not change."""
    start = children_cpu()
    proc = subprocess.run([sys.executable, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
    return proc, children_cpu() - start


def files_under(folder: Path) -> set:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ------------------------------------------------------------ injections via ^^5c ---

INJECTIONS = [
    ("inj_model_caret_writes_file.toml", "N1", "model"),
    ("inj_softmax_score_caret_writes_file.toml", "S", "score"),
    ("inj_model_caret_forges_answers_json.toml", "N1", "model"),
    ("inj_model_caret_input_answers_json.toml", "N1", "model"),
    ("inj_model_caret_tex_loop_300s.toml", "N1", "model"),
    ("display_unbalanced_left_check0_derive1.toml", "N1", "model"),
]


@needs_tex
@pytest.mark.parametrize("name, question, field", INJECTIONS)
def test_injection_is_refused_by_check_and_derive_alike(tmp_path, name, question, field):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(REGRESSIONS / name, work / name)
    exam_id = tomllib.loads((work / name).read_text())["exam"]["id"]
    earlier = work / "out" / exam_id / "answers.json"        # a key from an earlier run stays as it was
    earlier.parent.mkdir(parents=True)
    earlier.write_text('{"earlier": true}')
    from symdl import outdir

    outdir.write_manifest(earlier.parent)       # a folder symdl wrote: derive may replace it, but must not
    before = files_under(tmp_path)
    for command in (["check", name], ["derive", name, "--out", "out"]):
        proc, seconds = symdl(*command, cwd=work)
        assert proc.returncode == 2, (command, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert name in lines[0] and f"question {question}" in lines[0] and f"field '{field}'" in lines[0]
        assert seconds < 60                                    # CPU: refused while reading, not stopped by a limit
    # nothing written: no evil.txt / pwn.txt, no new folder, answers.json untouched
    assert files_under(tmp_path) == before
    assert earlier.read_text() == '{"earlier": true}'


@pytest.mark.parametrize("text, message", [
    (r"y = ^^5cinput{answers.json}", "^^"),
    (r"y = \left( x", r"\left"),
    ("y = x\x01", "U+0001"),
    (r"y = \csname x\endcsname", "csname"),
    (r"x^2^3", "double superscript"),
    (r"\begin{bmatrix} 1 & 2", "without its"),
    (r"a & b", "outside a matrix"),
    (r"\frac{1}", "argument"),
    (r"\text{$x$}", "'$'"),
    (r"{x", "unbalanced"),
    (r"x \right)", r"\right"),
])
def test_display_refuses_what_tex_would_not_read_as_written(text, message):
    with pytest.raises(LatexError) as info:
        check_display(text)
    assert message in info.value.message


@needs_tex
def test_every_display_the_checker_accepts_typesets(tmp_path):
    """Formulas the checker accepts, DI504's own among them, build in one document."""
    accepted = [r"y = A(\mathbf{W}^T \cdot \mathbf{x} + \mathbf{b})",
                r"s = (\mathbf{W} \cdot \mathbf{x} + \mathbf{B}) + \sum_{i=1}^D |\mathbf{w}_{N,i}|",
                r"\left[ \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} \right]^T",
                r"y' = \frac12 \sqrt[3]{x_{\text{in}}} + \left\{ x \right.",
                r"\lVert \bm{x} \rVert_2^2 \big( x \big) \operatorname{relu}(z)"]
    body = "\n".join(r"\[" + check_display(t) + r"\]" for t in accepted)
    tex = tmp_path / "d.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath,amssymb,bm}\\begin{document}\n"
                   + body + "\n\\end{document}\n")
    assert pdf_render.build(tex, timeout=120).is_file()


# ------------------------------------------------------------------- the scratch build ---

RAW_ATTACK = (r"\IfFileExists{answers.json}{READ-ANSWERS}{NOANSWERS}"      # looked for before writing it
              r"\immediate\openout15=answers.json \immediate\write15{FORGED}\immediate\closeout15"
              r"\immediate\openout15=evil.txt \immediate\write15{x}\immediate\closeout15")


@needs_tex
def test_tex_can_neither_overwrite_nor_read_answers_json(tmp_path):
    """Even raw LaTeX (no checker in between) cannot reach the files beside the .tex."""
    (tmp_path / "answers.json").write_text('{"real": true}')
    tex = tmp_path / "answer-key.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\n" + RAW_ATTACK + "\n\\end{document}\n")
    pdf = pdf_render.build(tex, timeout=120)
    assert (tmp_path / "answers.json").read_text() == '{"real": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer-key.pdf", "answer-key.tex", "answers.json"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "NOANSWERS" in text and "READ-ANSWERS" not in text


@needs_tex
def test_a_tex_loop_is_stopped_by_the_timeout_and_leaves_nothing(tmp_path, monkeypatch):
    made = []
    real_mkdtemp = pdf_render.tempfile.mkdtemp
    monkeypatch.setattr(pdf_render.tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    tex = tmp_path / "loop.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\def\\x{\\x}\\x\\end{document}\n")
    start = time.monotonic()
    with pytest.raises(BuildError, match="longer than"):
        pdf_render.build(tex, timeout=3)
    assert time.monotonic() - start < 120      # a hang guard only (the loop never ends); "longer than" says the timeout fired
    assert made and not Path(made[0]).exists() and tmp_path not in Path(made[0]).parents
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.tex"]


def test_scratch_folder_removed_on_keyboard_interrupt(tmp_path, monkeypatch):
    made, killed = [], []
    real_mkdtemp = pdf_render.tempfile.mkdtemp

    class Interrupted:
        def __init__(self, cmd, cwd, **kwargs):
            self.pid, self.returncode = -1, None

        def communicate(self, timeout=None):
            if not killed:
                raise KeyboardInterrupt
            return "", ""

        def kill(self):
            pass

    monkeypatch.setattr(pdf_render, "tex_available", lambda: True)
    monkeypatch.setattr(pdf_render.subprocess, "Popen", Interrupted)
    monkeypatch.setattr(pdf_render.os, "killpg", lambda pid, sig: killed.append(pid))
    monkeypatch.setattr(pdf_render.tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    (tmp_path / "t.tex").write_text("x")
    with pytest.raises(KeyboardInterrupt):
        pdf_render.build(tmp_path / "t.tex")
    assert killed == [-1]                                  # the process group was ended
    assert made and not Path(made[0]).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.tex"]


@needs_tex
def test_the_first_tex_error_is_in_the_build_error(tmp_path):
    tex = tmp_path / "bad.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\n\\undefinedmacro\n\\end{document}\n")
    with pytest.raises(BuildError) as info:
        pdf_render.build(tex, timeout=120)
    assert "Undefined control sequence" in str(info.value)
    # TeX's log is kept beside the .tex, and named (nothing else of TeX's comes back)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.log", "bad.tex"]
    assert info.value.log == "bad.log" and "TeX's log: bad.log" in str(info.value)
    assert "bad.tex:2: Undefined control sequence." in (tmp_path / "bad.log").read_text()


# -------------------------------------------------------------- text as written ---

LIGATURES = "a--b c---d e,,f g?``h i!``j k<<l>>m ''n'' ``o`` p'q r`s x-y"


def test_escaped_text_leaves_no_ligature_pair():
    tex = texsafe.escape(LIGATURES)
    for pair in ("--", ",,", "``", "''", "?`", "!`", "<<", ">>"):
        assert pair not in tex, pair
    assert texsafe.escape("\u2013 \u2014") == "-- ---"       # the dash characters stay dashes


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def graph_spec(path: Path, text: str, function="f = x y", values=(("x", "2"), ("y", "3"))):
    body = "".join(f"{k} = '{v}'\n" for k, v in values)
    path.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q1"\nkind = "graph"\n'
                    f"text = {json.dumps(text)}\nfunction = '{function}'\n[question.values]\n{body}")
    return path


@needs_tex
def test_text_prints_as_written_in_the_pdf(tmp_path):
    text = LIGATURES + " off fit <a> {b} 50% #1 $5 ~t ^u _v |w \\z &"
    proc, _ = symdl("derive", str(graph_spec(tmp_path / "t.toml", text)), "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = pdf_text(tmp_path / "out" / "t" / "answer-key.pdf").splitlines()
    heading = len(lines) - 1 - lines[::-1].index("Question 1")         # the question, after the summary
    shown = " ".join(lines[heading + 1:][:2])                            # the text may wrap once
    assert shown.startswith(text[:60]) and text in shown


# ------------------------------------------------------------ TeX's buffer sizes ---

def longest_line(path: Path) -> int:
    return max(len(line) for line in path.read_text().splitlines())


@needs_tex
def test_text_of_200k_characters_builds_on_short_lines(tmp_path):
    shutil.copy(REGRESSIONS / "text_200k_line_tex_bufsize_exit1.toml", tmp_path / "t.toml")
    proc, _ = symdl("derive", "t.toml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "t"
    assert longest_line(folder / "answer-key.tex") <= latex.MAX_SOURCE_LINE
    spec_text = tomllib.loads((tmp_path / "t.toml").read_text())["question"][0]["text"]
    shown = re.sub(r"\s|\d", "", pdf_text(folder / "answer-key.pdf"))    # page numbers interleave
    assert len(spec_text) == 200_000
    # every character printed (under the question's heading; the summary names the question too)
    assert max(re.findall("QuestionG(x*)", shown), key=len) == spec_text


@needs_tex
def test_matmul300_graph_derives_with_its_pdf(tmp_path):
    shutil.copy(REGRESSIONS / "graph_matmul300_tex_bufsize_exit1.toml", tmp_path / "g.toml")
    # the default 120 s wall-clock limit was reached on a loaded machine: this test is not about speed
    proc, _ = symdl("derive", "g.toml", "--out", "out", "--time-limit", "1800", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "out" / "big"
    assert (folder / "answer-key.pdf").is_file()
    assert longest_line(folder / "answer-key.tex") <= latex.MAX_SOURCE_LINE
    assert r"\ddots" in (folder / "answer-key.tex").read_text()
    # answers.json keeps every value: f = sum(relu(W x)), recomputed with a plain numpy loop
    values = tomllib.loads((tmp_path / "g.toml").read_text())["question"][0]["values"]
    rows = lambda s: [[float(v) for v in row.split("&")] for row in  # noqa: E731
                      re.search(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", s, re.S).group(1).split(r"\\")]
    W, x = np.array(rows(values["W"])), np.array(rows(values["x"]))
    assert W.shape == (300, 300) and x.shape == (300, 1)
    expected = 0.0
    for i in range(300):
        z = sum(W[i, j] * x[j, 0] for j in range(300))
        expected += max(z, 0.0)
    answers = answer_values(json.loads((folder / "answers.json").read_text())["questions"][0])
    output = np.ravel(answers["output"])[0]
    assert output == pytest.approx(expected, rel=1e-9)
    assert np.array(answers["grad.W"]).shape == (300, 300)


def test_elided_matrix_shows_corners_and_shape():
    import sympy

    from symdl.notation.printer import tex
    m = sympy.Matrix(40, 30, lambda i, j: i * 100 + j)
    out = tex(m)
    assert r"_{40\times 30}" in out and r"\ddots" in out and r"\vdots" in out and r"\cdots" in out
    for corner in ("0", "29", "3900", "3929", "102"):
        assert re.search(rf"(?<![\d.]){corner}(?![\d.])", out), corner
    assert "3800" in out and "1500" not in out                       # middle rows elided
    assert "(shown in part)" in out and "answers.json" not in out   # said as the instructor would
    small = sympy.Matrix([[1, 2], [3, 4]])
    assert tex(small) == sympy.latex(small)                          # small ones as before


def test_short_lines_breaks_only_where_tex_reads_the_same():
    line = " ".join(["x"] * 5000)
    out = latex.short_lines(line)
    assert max(len(part) for part in out.split("\n")) <= latex.MAX_SOURCE_LINE
    assert out.replace("\n", " ") == line
    with_comment = "a " * 3000 + "% comment " + "b " * 10
    assert latex.short_lines(with_comment) == with_comment            # a comment line stays whole


# ------------------------------------------------------------- graph node names ---

GREEK = ["alpha", "beta", "theta", "lambda", "mu", "omega", "Gamma"]   # \\sigma is the sigmoid
name_bases = st.sampled_from(["x", "W", "s", "b", "X", "y", *GREEK])
subscripts = st.one_of(st.none(), st.integers(0, 99).map(str),
                       st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=3))


def latex_name(base, sub):
    head = "\\" + base if base in GREEK else base
    return head if sub is None else f"{head}_{{{sub}}}"


@needs_tex
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(names=st.lists(st.tuples(name_bases, subscripts), min_size=2, max_size=3,
                      unique_by=lambda t: t[0] + "_" + str(t[1])))
def test_any_accepted_name_typesets_in_the_graph(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("names")
    keys = [base if sub is None else f"{base}_{sub}" for base, sub in names]
    function = "f = " + " + ".join(r"\tanh(" + latex_name(*n) + ")" for n in names)
    spec = graph_spec(folder / "g.toml", "names", function,
                      [(k, str(0.5 + i)) for i, k in enumerate(keys)])
    proc, _ = symdl("derive", "g.toml", "--out", "out", cwd=folder)
    assert proc.returncode == 0, (function, proc.stderr)
    answers = answer_values(json.loads((folder / "out" / "t" / "answers.json").read_text())["questions"][0])
    expected = sum(np.tanh(0.5 + i) for i in range(len(keys)))
    assert np.ravel(answers["output"])[0] == pytest.approx(expected, rel=1e-12)
    assert (folder / "out" / "t" / "answer-key.pdf").is_file() and spec.is_file()


@needs_tex
@pytest.mark.parametrize("names", [("W_1", "x_1"), ("s_y", "x_in"), ("theta_1", "W_12")])
def test_subscripted_names_typeset_in_the_graph(tmp_path, names):
    a, b = names
    fn = lambda k: latex_name(*k.split("_"))  # noqa: E731
    graph_spec(tmp_path / "g.toml", "names", f"f = {fn(a)} {fn(b)} + {fn(b)}", [(a, "2"), (b, "3")])
    proc, _ = symdl("derive", "g.toml", "--out", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    answers = answer_values(json.loads((tmp_path / "out" / "t" / "answers.json").read_text())["questions"][0])
    assert np.ravel(answers["output"])[0] == pytest.approx(2 * 3 + 3)
    assert np.ravel(answers[f"grad.{b}"])[0] == pytest.approx(2 + 1)


def test_long_substituted_sum_shows_its_first_and_last_terms():
    import sympy

    from symdl.notation.printer import substitute, tex
    xs = sympy.symbols("x1:301")
    out = tex(substitute(sympy.Add(*xs, evaluate=False), {x: sympy.Rational(i + 1, 10) for i, x in enumerate(xs)}))
    assert out.startswith("0.1 + 0.2 + 0.3") and out.endswith("+ 29.9 + 30")
    assert r"\cdots" in out and "(300" in out and "15.5" not in out
    short = tex(substitute(sympy.Add(*xs[:5]), {x: sympy.Rational(i + 1, 10) for i, x in enumerate(xs)}))
    assert short == "0.1 + 0.2 + 0.3 + 0.4 + 0.5"


def test_display_is_written_back_from_its_tokens():
    di504 = r"y = A(\mathbf{W}^T \cdot \mathbf{x} + \mathbf{b})"
    assert check_display(" $" + di504 + "$ ") == di504
    assert check_display(r"\alpha  x \cdot\beta") == r"\alpha x \cdot\beta"


PIECES = ["x", "y", "2", "+", "=", "(", ")", "[", "]", "{", "}", "^", "_", "'", "&", r"\\", "|", " ",
          r"\frac", r"\sqrt", r"\left(", r"\right)", r"\left.", r"\right|", r"\begin{bmatrix}",
          r"\end{bmatrix}", r"\mathbf", r"\text{ab}", r"\alpha", r"\cdot", r"\big(", r"\sum", r"\,",
          r"\hat", r"\operatorname{relu}", r"\max", r"\lVert", r"\{", r"\}", r"\left\{", r"\right\}",
          r"\begin{pmatrix}", r"\end{pmatrix}", r"\tfrac", r"\sqrt[", r"\Big|", r"\quad", r"\ldots", "<", "*"]


@needs_tex
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join),
                min_size=60, max_size=60))
def test_what_the_display_check_accepts_tex_typesets(tmp_path_factory, candidates):
    accepted = []
    for text in candidates:
        try:
            accepted.append(check_display(text))
        except LatexError:
            pass
    if not accepted:
        return
    folder = tmp_path_factory.mktemp("display")
    tex = folder / "d.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath,amssymb,bm}\\begin{document}\n"
                   + "\n\n".join("$" + t + "$ and \\[" + t + "\\]" for t in accepted) + "\n\\end{document}\n")
    assert pdf_render.build(tex, timeout=120).is_file(), accepted
