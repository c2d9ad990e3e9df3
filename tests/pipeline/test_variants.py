"""Per-student variants: every one derived and verified, different, reproducible byte for byte, safely written.

Expected values come from outside symdl: hand-worked neuron sums (z = W^T x + b), Pearson's
chi-square bound from a table (10 degrees of freedom, 0.999 quantile 29.59), sha256 of the
files, the PDFs' text read back with poppler's pdftotext.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

import fakekind
from support import TESTS

ROOT = TESTS.parent

# Two cheap real kinds: a neuron that must be dead (as DI504's Q2) and a softmax with drawn biases.
SMALL = r"""[exam]
id = "small"
title = "Two questions"
require = ["Q2.dead", "Q3.a.predicted != 4 or Q3.a.probs[3] < 0.9"]
[[question]]
id = "Q2"
kind = "neuron"
activation = "relu"
W = { random = "uniform", low = -0.5, high = 0.5, step = 0.1, shape = [3], zero = true }
x = { random = "uniform", low = 0, high = 1, step = 0.1, shape = [3], zero = true }
b = { random = "uniform", low = -0.5, high = 0.5, step = 0.1, zero = true }
upstream = '[-0.124]'
[[question]]
id = "Q3"
kind = "softmax"
score = 's = \mathbf{W} \cdot \mathbf{x} + \mathbf{B}'
W = '\begin{bmatrix} 0.1 & 0.2 \\ 0.2 & 0 \\ 0 & 0.4 \\ -0.2 & 0.8 \end{bmatrix}'
B = { random = "uniform", low = -1, high = 1, step = 0.1, shape = [4], zero = true }
[[question.case]]
id = "a"
x = '[1.0 \quad 0.5]^T'
"""


def cli(*args, timeout=600):
    env = dict(os.environ, PYTHONPATH=str(TESTS) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-c", "import fakekind; fakekind.main()", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


def tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fake_spec(tmp_path, body="", name="exam.toml", require=None, **fields) -> Path:
    text = fakekind.spec(fields or {"a": "0.5", "b": "0.25"})
    if require is not None:
        text = text.replace("[exam]\n", f"[exam]\nrequire = {json.dumps(require)}\n", 1)
    path = tmp_path / name
    path.write_text(text + body)
    return path


DRAW_A = 'a = { random = "uniform", low = -1, high = 1, step = 0.01 }\n'


def drawn_fake(tmp_path, require=None, extra=""):
    path = tmp_path / "exam.toml"
    text = fakekind.spec({"b": "0.25"})
    if require is not None:
        text = text.replace("[exam]\n", f"[exam]\nrequire = {json.dumps(require)}\n", 1)
    path.write_text(text + DRAW_A + extra)
    return path


# -------------------------------------------------------------- writing, reproducibility ---

@pytest.mark.skipif(shutil.which("latexmk") is None, reason="needs TeX")
def test_same_seed_gives_byte_identical_output_and_the_hash_is_printed_on_each_key(tmp_path):
    (tmp_path / "small.toml").write_text(SMALL)
    runs = []
    for name in ("one", "two"):
        proc = cli("variants", str(tmp_path / "small.toml"), "--count", "3", "--seed", "0",
                   "--out", str(tmp_path / name))
        assert proc.returncode == 0, proc.stderr
        runs.append(tree(tmp_path / name / "small-variants"))
    assert runs[0] == runs[1]
    folder = tmp_path / "one" / "small-variants"
    expected = {f"variant-00{i}/{f}" for i in (1, 2, 3) for f in ("answer-key.pdf", "answer-key.tex", "answers.json",
                                                                 "exam-sheet.pdf", "exam-sheet.tex", "grading.pdf",
                                                                 "grading.tex")}
    assert expected | {"manifest.csv", "all-answer-keys.pdf", "all-exam-sheets.pdf", "all-gradings.pdf",
                       ".symdl-manifest.json"} == set(runs[0])
    rows = list(csv.DictReader((folder / "manifest.csv").open()))
    assert [r["variant"] for r in rows] == ["001", "002", "003"]
    assert len({r["digest"] for r in rows}) == 3
    pages = []
    for row in rows:
        text = subprocess.run(["pdftotext", str(folder / f"variant-{row['variant']}" / "answer-key.pdf"), "-"],
                              capture_output=True, text=True).stdout
        assert f"Variant {row['variant']} ({row['digest']})" in text
        sheet = subprocess.run(["pdftotext", str(folder / f"variant-{row['variant']}" / "exam-sheet.pdf"), "-"],
                               capture_output=True, text=True).stdout
        assert f"Variant {row['variant']} ({row['digest']})" in sheet       # a paper matched to its key
        label = f"Variant {row['variant']} ({row['digest']})"
        for document in (text, sheet):         # in the title and the foot of every page (a loose page too)
            assert document.count(label) == document.count("\f") + 1
        pages.append(text.count("\f"))
    whole = subprocess.run(["pdftotext", str(folder / "all-answer-keys.pdf"), "-"], capture_output=True, text=True).stdout
    assert whole.count("\f") == sum(pages)
    printed = [line.split("(")[1][:8] for line in whole.splitlines() if line.startswith("Variant ")]
    assert [r["digest"] for r in rows] == list(dict.fromkeys(printed))          # in order, each key whole
    # a different seed gives other variants
    proc = cli("variants", str(tmp_path / "small.toml"), "--count", "3", "--seed", "1", "--out",
               str(tmp_path / "three"), "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    other = list(csv.DictReader((tmp_path / "three" / "small-variants" / "manifest.csv").open()))
    assert not {r["digest"] for r in rows} & {r["digest"] for r in other}
    # derive on the spec with draws: variant 001 of seed 0, said in one line
    proc = cli("derive", str(tmp_path / "small.toml"), "--out", str(tmp_path / "d"), "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    assert f"derived as variant 001 ({rows[0]['digest']}) of seed 0" in proc.stderr
    derived = json.loads((tmp_path / "d" / "small" / "answers.json").read_text())
    assert derived == json.loads((folder / "variant-001" / "answers.json").read_text())


def test_each_variant_is_derived_from_its_own_draws_hand_checked(tmp_path):
    """z = W^T x + b from the values written into each variant's key, summed here with Fractions."""
    from symdl.input.latex import parse_matrix
    from symdl.variants import generate

    (tmp_path / "small.toml").write_text(SMALL)
    for v in generate(tmp_path / "small.toml", 4, 11, workers=2):
        W, x = (parse_matrix(v.drawn[f"Q2.{k}"]) for k in ("W", "x"))
        b = Fraction(v.drawn["Q2.b"])
        z = sum(Fraction(str(w)) * Fraction(str(xi)) for w, xi in zip(W, x)) + b
        assert v.results[0].solution.answers["z"] == z and z <= 0          # required: the neuron is dead
        assert v.results[0].verified and v.results[1].verified
        assert v.exam.variant == f"{v.id} ({v.digest})"


# Draws on a coarse grid, so that ties are common: Q1's max(e^0 ..., 1) ties when (W x)[0] = 0,
# the ReLU neuron Q2 sits at its kink when z = 0.
TIES_SPEC = r"""[exam]
id = "ties"
title = "Ties"
require = ["Q1 no tie", "Q2 no tie"]
[[question]]
id = "Q1"
kind = "graph"
function = 'f(x) = \max \left[\begin{bmatrix} 1 \\ 0 \end{bmatrix}, e^{(\mathbf{W} \cdot \mathbf{x})} \right]'
upstream = '\begin{bmatrix} 1 \\ 1 \end{bmatrix}'
[question.values]
W = { random = "integer", low = -1, high = 1, shape = [2, 2], zero = true }
x = { random = "integer", low = -1, high = 1, shape = [2], zero = true }
[[question]]
id = "Q2"
kind = "neuron"
activation = "relu"
W = { random = "uniform", low = -0.2, high = 0.2, step = 0.1, shape = [2], zero = true }
x = { random = "uniform", low = -0.2, high = 0.2, step = 0.1, shape = [2], zero = true }
b = { choice = [0] }
upstream = '[1]'
"""


def test_no_tie_conditions_leave_no_kink_at_its_tie(tmp_path):
    """Each kept variant, recomputed here from its drawn values: (W x)[0] != 0 for the graph's
    max, and z = W^T x + b != 0 for the ReLU neuron; about half of the draws tie (both drawn on
    {-1, 0, 1} and {-0.2, ..., 0.2}), so the conditions do reject draws."""
    from symdl.input.latex import parse_matrix
    from symdl.variants import generate

    (tmp_path / "ties.toml").write_text(TIES_SPEC)
    found = generate(tmp_path / "ties.toml", 12, 3, workers=2)
    assert sum(v.draws_tried for v in found) > len(found)              # some draws were refused
    for v in found:
        W = [[Fraction(str(e)) for e in row] for row in parse_matrix(v.drawn["Q1.values.W"]).tolist()]
        x = [Fraction(str(e)) for e in parse_matrix(v.drawn["Q1.values.x"])]
        assert W[0][0] * x[0] + W[0][1] * x[1] != 0
        w2, x2 = (parse_matrix(v.drawn[f"Q2.{k}"]) for k in ("W", "x"))
        assert sum(Fraction(str(a)) * Fraction(str(b)) for a, b in zip(w2, x2)) != 0
        assert all(r.verified for r in v.results) and v.results[0].solution.ties == []


def test_no_tie_is_refused_for_a_kind_that_does_not_track_ties(tmp_path):
    spec = tmp_path / "exam.toml"
    spec.write_text(SMALL.replace('require = ["Q2.dead", ', 'require = ["Q3 no tie", "Q2.dead", '))
    proc = cli("variants", str(spec), "--count", "2", "--out", str(tmp_path / "o"), "--no-pdf")
    assert proc.returncode == 2 and "does not say where its kinks tie" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_200_variants_differ_and_show_no_pattern(tmp_path):
    from symdl.input.latex import parse_matrix
    from symdl.variants import generate

    (tmp_path / "small.toml").write_text(SMALL)
    found = generate(tmp_path / "small.toml", 200, 2024, workers=2)
    assert [v.id for v in found] == [f"{i:03d}" for i in range(1, 201)]
    assert len({json.dumps(v.drawn, sort_keys=True) for v in found}) == 200          # no two identical
    assert len({v.digest for v in found}) == 200
    answers = [{(r.question.id, k): str(val) for r in v.results for k, val in r.solution.answers.items()}
               for v in found]
    # dead: required, and so every gradient; whether it can learn again depends on the draws (some
    # input of the domain with z > 0, a positive bias): one of three verdicts in words
    fixed = {("Q2", k) for k in ("dead", "y", "dy_dz", "grad.z", "grad.W", "grad.b", "grad.x")}
    assert 2 <= len({a[("Q2", "learns_again")] for a in answers}) <= 3
    for key in answers[0]:              # no answer constant unless the requirement fixes it
        values = {a[key] for a in answers}
        assert (len(values) == 1) == (key in fixed), (key, len(values))
    for key in (("Q2", "z"), ("Q2", "active_fraction"), ("Q3", "a.scores"), ("Q3", "a.probs")):
        assert len({a[key] for a in answers}) > 50, key
    # W x = 0.2 for every class (x = [1, 0.5]), so the drawn biases alone pick the class: each of the
    # four must come up about a quarter of the time (binomial sd 3 %, bounds at +-10 %)
    predicted = Counter(a[("Q3", "a.predicted")] for a in answers)
    assert len(predicted) == 4 and all(30 <= n <= 70 for n in predicted.values()), predicted
    # the softmax biases (not touched by any condition but the mild one) are near uniform over the 21-point grid
    counts = Counter(str(e) for v in found for e in parse_matrix(v.drawn["Q3.B"]))
    assert len(counts) == 21
    expected = 800 / 21
    chi2 = sum((counts.get(k, 0) - expected) ** 2 / expected for k in counts)
    assert chi2 < 45.31          # chi-square, 20 degrees of freedom, 0.999 quantile (table value)


# ------------------------------------------------------------------------- bad input ---

@pytest.mark.parametrize("args, words", [
    (["--count", "0"], "--count must be a whole number from 1 to 10000"),
    (["--count", "10001"], "--count must be a whole number from 1 to 10000"),
    (["--count", "x"], "not a whole number"),
    (["--count", "2", "--seed", "-1"], "--seed must be"),
])
def test_bad_counts_are_one_line_exit_2_nothing_written(tmp_path, args, words):
    spec = drawn_fake(tmp_path)
    proc = cli("variants", str(spec), *args, "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("draw, words", [
    ('{ random = "uniform", low = 1, high = 0, step = 0.1 }', "empty range"),
    ('{ random = "uniform", low = 0, high = 1, step = 0.3 }', "does not divide"),
    ('{ random = "uniform", low = 0, high = 1 }', "needs step"),
    ('{ random = "uniform", low = 0, high = 1, step = 0.1, sigma = 1 }', "unknown key 'sigma'"),
    ('{ choice = [] }', "non-empty"),
    ('{ random = "uniform", low = 0, high = 0.1, step = 0.1, zero = true }', "only 2 different variant"),
    ('{ random = "uniform", low = 0, high = 0.2, step = 0.1 }', "only 2 different variant"),     # 0 left out
    ('{ random = "uniform", low = 0, high = 0, step = 0.1 }', "holds only 0"),
])
def test_bad_draws_are_one_line_naming_question_and_field(tmp_path, draw, words):
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"b": "0.25"}) + f"a = {draw}\n")
    proc = cli("variants", str(spec), "--count", "5", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and words in line, line
    if "variant" not in words:
        assert "question Q1" in line and "field 'a'" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("require, words", [
    (["Q1.summ > 0"], "question Q1 has no answer 'summ'"),
    (["Q7.sum > 0"], "no question 'Q7'"),
    (["Q1.sum > 5"], "condition 'Q1.sum > 5' was not met in 100 of 100 draws for variant 001"),
    (["Q1.sum >"], "unexpected end"),
    (["Q1 no way"], "expected 'Q1 no tie'"),
])
def test_bad_or_impossible_conditions_exit_2_nothing_written(tmp_path, require, words):
    spec = drawn_fake(tmp_path, require=require)
    proc = cli("variants", str(spec), "--count", "3", "--out", str(tmp_path / "out"), "--no-pdf")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr, proc.stderr
    assert "exam.require" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_spec_without_draws_is_refused(tmp_path):
    proc = cli("variants", str(fake_spec(tmp_path)), "--count", "2", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "draws no value" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_variant_failing_verification_is_never_written(tmp_path):
    """lie = true makes the fake kind's independent route disagree: the run stops naming the variant."""
    spec = drawn_fake(tmp_path, extra="lie = { choice = [false, false, false, true] }\n")
    proc = cli("variants", str(spec), "--count", "12", "--out", str(tmp_path / "out"), "--no-pdf")
    assert proc.returncode == 1, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "failed verification: Q1:sum; no variant written" in last and "variant 0" in last
    assert not (tmp_path / "out").exists()


def test_conditions_select_the_draws_and_never_overwrite_foreign_files(tmp_path):
    spec = drawn_fake(tmp_path, require=["Q1.sum > 1", "Q1.positive"])
    out = tmp_path / "out"
    proc = cli("variants", str(spec), "--count", "5", "--seed", "4", "--out", str(out), "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    folder = out / "fake-exam-variants"
    for i in range(1, 6):
        data = json.loads((folder / f"variant-00{i}" / "answers.json").read_text())
        total = data["questions"][0]["answers"]["sum"]["value"]
        assert total > 1 and Fraction(repr(total)) - Fraction(1, 4) <= 1          # a <= 1, b = 0.25
    (folder / "variant-003" / "notes.txt").write_text("mine")
    proc = cli("variants", str(spec), "--count", "5", "--seed", "5", "--out", str(out), "--no-pdf")
    assert proc.returncode == 2 and "symdl did not write" in proc.stderr and "notes.txt" in proc.stderr
    assert (folder / "variant-003" / "notes.txt").read_text() == "mine"
    (folder / "variant-003" / "notes.txt").unlink()
    proc = cli("variants", str(spec), "--count", "2", "--seed", "5", "--out", str(out), "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", "manifest.csv",
                                                        "variant-001", "variant-002"]


# ------------------------------------------------------------------- batched TeX runs ---

DOC = r"""\documentclass{article}
\usepackage{tikz}
\pdfinfoomitdate=1
\pdftrailerid{}
\begin{document}
Variant NAME\par

The figures.
\begin{center}
\begin{tikzpicture}\node {shared figure};\end{tikzpicture}
\end{center}
\begin{tikzpicture}\node {own figure NAME};\end{tikzpicture}
\newpage Second page of NAME.
\end{document}
"""


def _texts(pdf: bytes, tmp_path) -> list:
    path = tmp_path / "piece.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="needs TeX")
@pytest.mark.parametrize("splitter", ["pikepdf", "poppler"])
def test_one_tex_run_per_batch_split_back_into_each_variants_pages(tmp_path, monkeypatch, splitter):
    from symdl.variants import tex as variants_tex

    if splitter == "poppler":
        monkeypatch.setitem(sys.modules, "pikepdf", None)        # import pikepdf now fails: the fallback
    texts = [DOC.replace("NAME", name) for name in ("alpha", "beta", "gamma")]
    combined = variants_tex.combine(texts)
    assert combined.count(r"\documentclass") == 1 and combined.count("shared figure") == 1
    assert combined.count("own figure") == 3
    pdfs = variants_tex.build(texts, "answer-key", timeout=120, jobs=2)
    for name, pdf in zip(("alpha", "beta", "gamma"), pdfs):
        assert _texts(pdf, tmp_path) == [f"Variant {name} The figures. shared figure own figure {name} 1",
                                         f"Second page of {name}. 2"]
    # a document with another preamble is built on its own
    odd = texts[:1] + [texts[1].replace(r"\usepackage{tikz}", r"\usepackage{tikz}\usepackage{amsmath}")]
    assert variants_tex.combine(odd) is None
    assert [len(_texts(p, tmp_path)) for p in variants_tex.build(odd, "answer-key", timeout=120, jobs=1)] == [2, 2]


# A document whose page reference and longtable need TeX's second pass when built alone: the
# reference on page 1 points at the page where its variant's table begins, which varies.
REF_DOC = r"""\documentclass{article}
\usepackage{longtable}
\pdfinfoomitdate=1
\pdftrailerid{}
\begin{document}
Variant NAME: the table is on page~\pageref{table}.
\newpage FILLER
\label{table}Table of NAME.\begin{longtable}{ll}a & b\\ c & d\\ \end{longtable}
\end{document}
"""


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="needs TeX")
def test_page_references_stay_each_variants_own_in_one_pass_when_the_layouts_agree(tmp_path, monkeypatch):
    from symdl.variants import tex as variants_tex
    # count pdflatex's runs: a pdflatex first on PATH that notes each run, then runs the real one
    real = shutil.which("pdflatex")
    runs = tmp_path / "runs.txt"
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "pdflatex").write_text(f'#!/bin/sh\necho "$PWD" >> "{runs}"\nexec "{real}" "$@"\n')
    (tmp_path / "bin" / "pdflatex").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    # alike: every table on page 2, so the probe's .aux is right for all and one pass does it
    alike = [REF_DOC.replace("NAME", n).replace("FILLER", "") for n in ("alpha", "beta", "gamma")]
    pdfs = variants_tex.build(alike, "answer-key", timeout=120, jobs=1)
    for name, pdf in zip(("alpha", "beta", "gamma"), pdfs):
        pages = _texts(pdf, tmp_path)
        assert len(pages) == 2 and pages[0] == f"Variant {name}: the table is on page 2. 1" and name in pages[1]
    folders = runs.read_text().split()
    assert len(folders) == 3 and sum(1 for f in folders if not f.endswith("/probe")) == 1   # the batch: one pass
    # unlike: the second variant's table is a page later; latexmk reruns and each is right
    unlike = [REF_DOC.replace("NAME", n).replace("FILLER", "x\\newpage" if n == "beta" else "")
              for n in ("alpha", "beta", "gamma")]
    pdfs = variants_tex.build(unlike, "answer-key", timeout=120, jobs=1)
    assert [_texts(p, tmp_path)[0] for p in pdfs] == [f"Variant {n}: the table is on page {p}. 1"
                                                      for n, p in (("alpha", 2), ("beta", 3), ("gamma", 2))]


def test_variants_export_is_the_export_of_the_same_variants_byte_for_byte(tmp_path):
    """``variants --export`` makes each variant's LMS part where it was derived; the files equal
    what ``export --variants`` writes from the same spec and seed."""
    (tmp_path / "small.toml").write_text(SMALL)
    proc = cli("variants", str(tmp_path / "small.toml"), "--count", "4", "--seed", "5", "--out",
               str(tmp_path / "v"), "--no-pdf", "--export", "moodle,canvas")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "v" / "small-variants"
    for target, name in (("moodle", "moodle.xml"), ("canvas", "canvas-qti.zip")):
        proc = cli("export", target, str(tmp_path / "small.toml"), "--variants", "4", "--seed", "5",
                   "--out", str(tmp_path / target))
        assert proc.returncode == 0, proc.stderr
        assert (folder / name).read_bytes() == (tmp_path / target / "small" / name).read_bytes()
    listed = json.loads((folder / ".symdl-manifest.json").read_text())
    assert {"moodle.xml", "canvas-qti.zip"} <= set(json.dumps(listed).replace('"', " ").split())
    for args, words in ((("--count", "2", "--export", "blackboard"), "unknown export target"),
                        (("--count", "2", "--multiple-choice"), "only used with --export"),
                        (("--count", "1001", "--export", "moodle"), "at most 1000 variants in one LMS file")):
        proc = cli("variants", str(tmp_path / "small.toml"), "--out", str(tmp_path / "bad"), *args)
        assert proc.returncode == 2 and words in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "bad").exists()


def test_an_exhausted_pool_says_how_many_variants_the_conditions_allow():
    """The line when no new variant comes in 100 draws (round 3: it said "condition '?' was not met in 0 of 0
    draws"): the condition failing most often, and the count of distinct variants the conditions allow,
    exact when the draws came upon every variant of the grid, else as seen."""
    from types import SimpleNamespace

    from symdl.input import draws as drawing
    from symdl.solve import exhausted as _exhausted

    job = SimpleNamespace(draws=drawing.find({"question": [{"id": "Q1", "x": {"choice": ["1", "2", "3"]}}]}))
    seen_all = _exhausted(job, "003", 0, {"a", "b"}, Counter({"Q1.y != 0": 34}), {"c"}, 66)
    assert seen_all == ("no new variant in 100 draws for variant 003 (seed 0): 66 repeated an earlier variant, "
                        "condition 'Q1.y != 0' was not met in 34; the conditions allow only 2 of the 3 variants "
                        "the draws give: ask for at most 2 variants, widen the draws or loosen the condition")
    partly = _exhausted(job, "003", 0, {"a", "b"}, Counter(), set(), 100)
    assert "100 repeated an earlier variant;" in partly and "gave only 2 distinct variant(s)" in partly
    unmet = _exhausted(job, "001", 5, set(), Counter({"Q1.y != 0": 100}), {"a", "b", "c"}, 0)
    assert unmet.startswith("condition 'Q1.y != 0' was not met in 100 of 100 draws for variant 001 (seed 5)")
