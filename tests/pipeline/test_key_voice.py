"""The answer key speaks as the course's instructor: no field name of the spec, no internal answer
name, no tool word, no reference to another document (the students get the key alone)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib

import pytest

from symdl.render import pdf as pdf_render
from symdl.input.spec import default_spec

needs_tex = pytest.mark.skipif(not pdf_render.tex_available() or shutil.which("pdftotext") is None,
                               reason="latexmk/pdflatex or pdftotext not installed")

TOOL_WORDS = ("answers.json", ".pdf", "verification", "rubric", "grading", "spec", "field", "route", "float64",
              "symdl", "as worded", "independent route", "the other ", "in G groups", "r_val", "page~")


def keys(table, out):
    if isinstance(table, dict):
        for k, v in table.items():
            out.add(k)
            keys(v, out)
    elif isinstance(table, list):
        for v in table:
            keys(v, out)
    return out


@needs_tex
def test_the_di504_key_has_no_tool_voice(tmp_path_factory):
    from support import shared_derive

    report = shared_derive(tmp_path_factory, default_spec())    # made once for the run (test_documents.py's too)
    text = subprocess.run(["pdftotext", str(report.folder / "answer-key.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for word in TOOL_WORDS:
        assert word.lower() not in flat.lower(), (word, re.search(rf".{{60}}{re.escape(word)}.{{30}}", flat, re.I))
    doc = json.loads((report.folder / "answers.json").read_text())
    names = {n for q in doc["questions"] for n in q["answers"] if "." in n or "_" in n}
    assert names and not [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w.])", flat)]
    spec = tomllib.loads(default_spec().read_text())
    layers = {t["name"] for q in spec["question"] for t in q.get("layer", [])}     # the exam's own names
    fields = {k for k in keys(spec, set()) if "_" in k} - layers
    assert fields and not [k for k in fields if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", flat)]
    # the one footer line names the check, not the tool or another document
    assert flat.count("independent computation") == 1
