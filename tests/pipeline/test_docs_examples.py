"""Every TOML example in docs/ and the README derives, verifies and builds its PDF, no line past the margin."""

from __future__ import annotations

import json
import math
import re
import tomllib

import numpy as np
import pytest

from support import DOCS, answer_values, overfull, shared_derive, validate_answers
from symdl.render import pdf as pdf_render

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
def test_docs_example_derives_with_its_pdf(tmp_path_factory, block):
    # derived once for this test and test_sheet.py's (support.shared_derive); docs/new-kind.md's own
    # kind is installed first, as the page says, and the data file the example names is copied beside it
    data = [next(f / q["log"] for f in DATA_FOLDERS if (f / q["log"]).is_file())
            for q in tomllib.loads(block).get("question", []) if "log" in q]
    report = shared_derive(tmp_path_factory, block, data, docs_block=True)
    logs = report.logs
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
def test_graph_docs_example_output_matches_numpy(tmp_path_factory):
    """docs/kinds/graph.md (names W_1, W_2 that used to break TikZ): f = tanh(W_2 relu(W_1 x + b))."""
    block = re.search(r"```toml\n(.*?)```", (DOCS / "graph.md").read_text(), re.S).group(1)
    values = tomllib.loads(block)["question"][0]["values"]
    W1, W2, b, x = (matrix(values[k]) for k in ("W_1", "W_2", "b", "x"))
    expected = np.tanh(W2 @ np.maximum(W1 @ x + b, 0))
    report = shared_derive(tmp_path_factory, block)        # derived once (test_docs_example_derives_with_its_pdf)
    answers = answer_values(json.loads((report.folder / "answers.json").read_text())["questions"][0])
    assert np.ravel(answers["output"]) == pytest.approx(np.ravel(expected), rel=1e-12)
    assert "answer-key.pdf" in report.files
