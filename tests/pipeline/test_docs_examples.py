"""Every TOML example in docs/ and the README derives, verifies and builds its PDF, no line past the margin."""

from __future__ import annotations

import json
import math
import re
import shutil
import tomllib

import numpy as np
import pytest

from support import DOCS
from symdl.derive import derive
from symdl.render import pdf as pdf_render
from support import answer_values, overfull, tex_logs, validate_answers

ROOT = DOCS.parent.parent
DATA_FOLDERS = [ROOT / "tests" / "data" / "logs", ROOT / "symdl" / "data" / "di504"]

needs_tex = pytest.mark.skipif(not pdf_render.tex_available(), reason="latexmk/pdflatex not installed")


def examples():
    """(document, index, TOML text) for every ```toml block of docs/**/*.md and README.md."""
    from support import docs_exam_blocks

    return [pytest.param(block, id=name) for name, block in docs_exam_blocks()]


def test_the_docs_hold_an_example_of_every_kind():
    from symdl.kinds import BUILTIN

    shown = {q["kind"] for p in examples() for q in tomllib.loads(p.values[0]).get("question", [])}
    assert shown == set(BUILTIN) | {"square"}       # every built-in kind, and docs/new-kind.md's own


def finite(value, masked=False):
    return all(math.isfinite(v) or (masked and v == -math.inf) for v in np.ravel(np.array(value, dtype=float)))


@needs_tex
@pytest.mark.parametrize("block", examples())
def test_docs_example_derives_with_its_pdf(tmp_path, monkeypatch, block):
    logs = tex_logs(monkeypatch)
    from support import with_documented_kinds

    with_documented_kinds(block, tmp_path, monkeypatch)     # docs/new-kind.md: its package, as the page says
    spec = tmp_path / "example.toml"
    spec.write_text(block)
    for question in tomllib.loads(block).get("question", []):
        if "log" in question:           # the data file the example names, from the repository
            source = next(f / question["log"] for f in DATA_FOLDERS if (f / question["log"]).is_file())
            shutil.copy(source, tmp_path / question["log"])
    report = derive(spec, tmp_path / "out")
    assert report.verified
    assert {"answer-key.pdf", "answer-key.tex", "answers.json"} <= set(report.files)
    assert (report.folder / "answer-key.pdf").stat().st_size > 1000
    assert overfull(logs) == []             # no line past the margin (tests/pipeline/test_margins.py)
    doc = json.loads((report.folder / "answers.json").read_text())
    validate_answers(doc)                   # every kind's output against the schema
    for q in doc["questions"]:
        assert q["verified"] and answer_values(q)
        # a forward value may hold -inf only where a mask puts it (derive refuses any other)
        masks = (r"\operatorname{causal}", r"\operatorname{valid}", r"\operatorname{mask}")
        assert all(finite(v, masked=name.startswith("forward.") and any(m in block for m in masks))
                   for name, v in answer_values(q).items() if not isinstance(v, (str, bool)) and v is not None)


def matrix(text):
    """A LaTeX bmatrix or ``[a \\quad b]^T`` column read with plain string handling."""
    inner = re.search(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", text, re.S)
    if inner:
        return np.array([[float(v) for v in row.split("&")] for row in inner.group(1).split(r"\\")])
    entries = re.search(r"\[(.*)\]", text).group(1).split(r"\quad")
    column = np.array([[float(v)] for v in entries])
    return column if text.strip().endswith("^T") else column.T


@needs_tex
def test_graph_docs_example_output_matches_numpy(tmp_path):
    """docs/kinds/graph.md (names W_1, W_2 that used to break TikZ): f = tanh(W_2 relu(W_1 x + b))."""
    block = re.search(r"```toml\n(.*?)```", (DOCS / "graph.md").read_text(), re.S).group(1)
    spec = tmp_path / "g.toml"
    spec.write_text(block)
    values = tomllib.loads(block)["question"][0]["values"]
    W1, W2, b, x = (matrix(values[k]) for k in ("W_1", "W_2", "b", "x"))
    expected = np.tanh(W2 @ np.maximum(W1 @ x + b, 0))
    report = derive(spec, tmp_path / "out")
    answers = answer_values(json.loads((report.folder / "answers.json").read_text())["questions"][0])
    assert np.ravel(answers["output"]) == pytest.approx(np.ravel(expected), rel=1e-12)
    assert "answer-key.pdf" in report.files
