"""Every id and name the spec accepts builds every PDF: the answer key, the exam sheet, the rubric
and the verification report, typeset by TeX for real.

An exam id, question ids, part names, program (node) names and layer names are generated from
every character the spec accepts there: ids from letters, digits, '_', '-' and '.'; part and
layer names from all of printable ASCII and a few of the other characters the fonts can set.
A question id with '_' once broke TeX's second pass (\\label{answer-b\\_mixed}, "Missing
\\endcsname"): \\label, \\pageref and TikZ node names are built by one function (label_key) from
letters and digits alone. Each example is one derive with its four PDFs (a few seconds); the
examples are few.
"""

from __future__ import annotations

import json
import re
import string
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from symdl.derive import derive
from symdl.render import pdf as pdf_render
from symdl.render.texsafe import label_key

needs_tex = pytest.mark.skipif(not pdf_render.tex_available(), reason="latexmk/pdflatex not installed")

ID_CHARS = string.ascii_letters + string.digits + "._-"
# printable ASCII, and accented letters, dashes, quotes, arrows and the euro the fonts can set
NAME_CHARS = "".join(chr(c) for c in range(0x21, 0x7F)) + " éüßÆ€–—“”«»←→"
PDFS = ("answer-key.pdf", "exam-sheet.pdf", "grading.pdf", "verification.pdf")

ids = st.builds(lambda first, rest: first + rest, st.sampled_from(string.ascii_letters + string.digits),
                st.text(ID_CHARS, max_size=10))
names = st.text(NAME_CHARS, min_size=1, max_size=10).filter(lambda s: s == s.strip())
# program names the parser keeps: one letter (not e, i, z: Euler's number, the imaginary unit,
# the automatic node names), optionally with a numeric subscript
program_names = st.builds(lambda letter, sub: letter + (f"_{sub}" if sub is not None else ""),
                          st.sampled_from("abcdfghkmnpqrstuvwy"), st.none() | st.integers(0, 99))


def spec_text(exam_id, qids, parts, program, layers) -> str:
    """A graph question (program names, parts with points) and an architecture question whose
    network branches (so that it is drawn, layer names beside TikZ nodes)."""
    x, y, w, q = program
    part_lines = "".join(f"{json.dumps(p)} = {{ text = {json.dumps('part ' + p)}, points = 2 }}\n" for p in parts)
    source, main, side, merge, last = layers
    return f'''[exam]
id = {json.dumps(exam_id)}
title = "Names"

[[question]]
id = {json.dumps(qids[0])}
kind = "graph"
text = "Compute f."
program = ["{q} = {x} + {y}", "f = {q} {w}"]
[question.parts]
{part_lines}[question.values]
{json.dumps(x)} = "-2"
{json.dumps(y)} = "5"
{json.dumps(w)} = "-4"

[[question]]
id = {json.dumps(qids[1])}
kind = "architecture"
convention = "pytorch"
text = "Give every layer's output size and learnables."
[[question.layer]]
name = {json.dumps(source)}
type = "input"
size = [3, 8, 8]
[[question.layer]]
name = {json.dumps(main)}
type = "Conv2d"
filters = 4
size = 3
padding = 1
[[question.layer]]
name = {json.dumps(side)}
type = "Conv2d"
inputs = [{json.dumps(source)}]
filters = 4
size = 1
[[question.layer]]
name = {json.dumps(merge)}
type = "add"
inputs = [{json.dumps(main)}, {json.dumps(side)}]
[[question.layer]]
name = {json.dumps(last)}
type = "Conv2d"
filters = 2
size = 3
'''


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def build_all(exam_id, qids, parts, program, layers):
    with tempfile.TemporaryDirectory(prefix="symdl-names-") as tmp:
        spec = Path(tmp) / "names.toml"
        spec.write_text(spec_text(exam_id, qids, parts, program, layers), encoding="utf-8")
        report = derive(spec, Path(tmp) / "out", pdf=True)
        folder = report.folder
        assert folder.name == exam_id and report.verified
        for name in PDFS:
            assert (folder / name).read_bytes()[:5] == b"%PDF-", name
        key_tex = (folder / "answer-key.tex").read_text(encoding="utf-8")
        assert f"\\label{{answer-{label_key(qids[0])}}}" in key_tex
        # the architecture's answers beyond the summary's eight: a \pageref to its answer
        assert f"\\pageref{{answer-{label_key(qids[1])}}}" in key_tex
        sheet = pdf_text(folder / "exam-sheet.pdf")
        for qid in qids:                                # "Q1" is question 1, as the exam numbers it
            number = re.fullmatch(r"[Qq]?(\d+)", qid)
            assert f"Question {number.group(1) if number else qid}" in sheet
        key = pdf_text(folder / "answer-key.pdf")
        assert "??" not in key                          # every \pageref resolved (LaTeX prints ?? else)
        assert re.search(r"more values: see the completed table on page \d+", key)


@needs_tex
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(exam_id=ids, qids=st.lists(ids, min_size=2, max_size=2, unique=True),
       parts=st.lists(names, min_size=1, max_size=2, unique=True),
       program=st.lists(program_names, min_size=4, max_size=4, unique=True),
       layers=st.lists(names.filter(lambda s: s != "total"), min_size=5, max_size=5, unique=True))
@example(exam_id="a_b-c.9", qids=["b_mixed", "Q-1.x_2"], parts=["a_1", "x.y-z{}%#$&~^\\|<>'\",;:!?/@*+="],
         program=["x_0", "y", "w_3", "q_1"], layers=["in_0.a-b", "conv_1", "s{}%#$&~^\\|<>'\"_x", "add.1-2", "é–“«→€ x"])
def test_every_valid_id_and_name_builds_every_pdf(exam_id, qids, parts, program, layers):
    build_all(exam_id, qids, parts, program, layers)


def test_label_keys_are_letters_and_digits_and_never_shared():
    names = ["b_mixed", "b-mixed", "b.mixed", "bmixed", "bZ5fZmixed", "Z", "Z5aZ", "é", "a b", "a{b}", "a\\_b"]
    keys = [label_key(n) for n in names]
    assert all(k.isascii() and k.isalnum() for k in keys)
    assert len(set(keys)) == len(names)
    assert label_key("Q1") == "Q1" and label_key("b_mixed") == "bZ5fZmixed"


def test_a_tex_error_in_the_aux_is_named(tmp_path):
    """The error of the regression (a \\newlabel key TeX cannot read back) is found in the log."""
    log = tmp_path / "answer-key.log"
    log.write_text("(./answer-key.aux\n./answer-key.aux:2: Missing \\endcsname inserted.\n<to be read again>\n")
    assert pdf_render.first_error(log) == "./answer-key.aux:2: Missing \\endcsname inserted."
