"""Determinism: the same spec gives byte-identical answer-key.tex and answers.json on every run,
whatever PYTHONHASHSEED (set/dict ordering) and output folder, and a byte-identical PDF when
SOURCE_DATE_EPOCH is set. Each run is a separate ``python -m symdl derive`` process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symdl.render import pdf as pdf_render
from symdl.input.spec import default_spec
from support import TESTS

HERE = TESTS
ROOT = HERE.parent

SMALL = r"""
[exam]
id = "determinism"
title = "Determinism check"
course = "Tests"
date = "01/01/2030"

[[question]]
id = "N"
kind = "neuron"
activation = "sigmoid"
W = '[0.4 \quad -0.3 \quad 0.25]^T'
x = '[1 \quad 2 \quad -1]^T'
b = '0.1'
upstream = '-0.5'

[[question]]
id = "S"
kind = "softmax"
regularization = "none"
W = '\begin{bmatrix} 1 & -1 \\ 0.5 & 2 \\ 0 & 0.25 \end{bmatrix}'
B = '\begin{bmatrix} 0 \\ 0.1 \\ -0.2 \end{bmatrix}'
[[question.case]]
id = "a"
x = '[1 \quad 2]^T'
label = 2
"""


def start(spec, out, *, seed, pdf, extra_env=None):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(extra_env or {})
    args = [sys.executable, "-m", "symdl", "derive", str(spec), "--out", str(out)]
    if not pdf:
        args.append("--no-pdf")
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, timeout=400):
    stdout, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, stderr
    return stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tex_and_json_identical_across_hash_seeds_and_folders(tmp_path):
    """DI504 (every kind, 173 answers): two processes with other hash seeds, and this one."""
    from symdl.derive import derive

    spec = default_spec()
    outs = [tmp_path / "run-1", tmp_path / "run-4242" / "deeper", tmp_path / "in-process"]
    procs = [start(spec, outs[0], seed=1, pdf=False), start(spec, outs[1], seed=4242, pdf=False)]
    derive(spec, outs[2], pdf=False)          # this process: pytest's own (random) hash seed
    for proc in procs:
        finish(proc)
    folders = [out / "di504-midterm-2021" for out in outs]
    for name in ("answer-key.tex", "grading.tex", "verification.tex", "answers.json"):
        digests = {digest(folder / name) for folder in folders}
        assert len(digests) == 1, f"{name} differs between runs"


def test_same_process_twice_is_identical(tmp_path):
    from symdl.derive import derive

    spec = tmp_path / "small.toml"
    spec.write_text(SMALL)
    derive(spec, tmp_path / "a", pdf=False)
    derive(spec, tmp_path / "b", pdf=False)
    for name in ("answer-key.tex", "grading.tex", "verification.tex", "answers.json"):
        assert (tmp_path / "a" / "determinism" / name).read_bytes() == \
               (tmp_path / "b" / "determinism" / name).read_bytes()


@pytest.mark.skipif(not pdf_render.tex_available(), reason="latexmk/pdflatex not installed")
def test_pdf_identical_with_source_date_epoch(tmp_path):
    """DI504 (TikZ graph, pgfplots bars and loss curves, tables): same PDF bytes twice."""
    spec = default_spec()
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    finish(start(spec, tmp_path / "one", seed=1, pdf=True, extra_env=epoch))
    finish(start(spec, tmp_path / "two" / "elsewhere", seed=2, pdf=True, extra_env=epoch))
    for name, title in (("answer-key.pdf", "Answer key"), ("grading.pdf", "Grading rubric"),
                        ("verification.pdf", "Verification report")):
        a = tmp_path / "one" / "di504-midterm-2021" / name
        b = tmp_path / "two" / "elsewhere" / "di504-midterm-2021" / name
        assert a.read_bytes() == b.read_bytes(), name
        head = a.read_bytes()
        assert b"/CreationDate" not in head and b"/ModDate" not in head   # \pdfinfoomitdate=1
        assert b"PTEX.FullBanner" not in head                              # \pdfsuppressptexinfo=-1
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(a), "-"], capture_output=True, text=True).stdout
            assert title in text
