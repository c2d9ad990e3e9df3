"""Variants out of the box: the embedded DI504 carries its draws ([question.variants], used by
`symdl variants`, set aside by `derive`), so `python -m symdl variants --count N` works from a fresh
install; every variant as hard as the original (dead neuron, no tie), no zero weight, its own rubric,
and its own training log (a generated log of the original's behaviour)."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from symdl.errors import SpecError
from symdl.input.latex import parse_matrix
from symdl.input.spec import default_spec, load_exam, read_spec


def entries(latex):
    return [Fraction(str(e)) for e in parse_matrix(latex)]


def test_derive_reads_the_values_as_written_variants_read_the_draws():
    exam = load_exam(default_spec())
    assert exam.draws == []                                  # derive: the original paper's numbers
    q1 = exam.questions[0]
    assert "-0.1 & -0.5" in q1.fields["values"]["W"]
    data = read_spec(default_spec(), variants=True)
    q = {t["id"]: t for t in data["question"]}
    assert q["Q1"]["values"]["W"]["random"] == "uniform" and "exclude" not in q["Q1"]["values"]["W"]
    assert "log" not in q["Q5"] and q["Q5"]["generate"]["behaviour"] == "learning slowly"
    conv = next(t for t in q["Q4"]["layer"] if t["name"] == "conv1_1")
    assert conv["size"][0]["random"] == "integer" and conv["filters"] == 64
    assert "variants" not in q["Q1"] and "variants" not in read_spec(default_spec())["question"][0]


@pytest.mark.parametrize("variants, words", [
    ('[question.variants.layer.nosuch]\nsize = [3, 3]\n', "no layer named 'nosuch'"),
    ('[question.variants]\nunset = ["nosuch"]\n', "variants.unset"),
    ('variants = 3\n', "expected a table"),
])
def test_bad_variants_tables_name_the_field(tmp_path, variants, words):
    spec = tmp_path / "s.toml"
    head = '[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "architecture"\n'
    layers = '[[question.layer]]\nname = "in"\ntype = "input"\nsize = [8, 8, 1]\n'
    spec.write_text(head + variants + layers if variants.startswith("variants") else head + layers + variants)
    with pytest.raises(SpecError) as err:
        read_spec(spec, variants=True)
    assert words in str(err.value) and "Q" in str(err.value)


def test_di504_variants_from_the_embedded_spec(tmp_path):
    """Five variants of the embedded spec, each checked here from its own drawn values."""
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "symdl", "variants", "--count", "5", "--seed", "7",
                           "--out", str(out), "--no-pdf"], capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stderr
    folder = out / "di504-midterm-2021-variants"
    logs = set()
    for n in range(1, 6):
        v = folder / f"variant-{n:03d}"
        assert {"answer-key.tex", "grading.tex", "exam-sheet.tex", "answers.json"} <= {p.name for p in v.iterdir()}
        doc = json.loads((v / "answers.json").read_text())
        qs = {q["id"]: q for q in doc["questions"]}
        assert [qs["Q1"]["parts"][p]["points"] for p in "abc"] == [5, 5, 10]       # the parts keep their points
        assert all(q["verified"] for q in doc["questions"])
        sheet = (v / "exam-sheet.tex").read_text()
        logs.add(sheet[sheet.index("Question 5"):])
    assert len(logs) == 5                           # each variant hands out a log of its own


def test_di504_draws_are_as_hard_as_the_original():
    """Recomputed here from each variant's drawn numbers: no zero weight; Q1's max has no tie
    ((W x)[0] != 0, where e^(Wx + b)[0] = 1 would tie with the constant 1); Q2's neuron is dead
    (z = W^T x + b < 0, as the original's -0.04)."""
    from symdl.variants import generate

    found = generate(default_spec(), 6, 11, workers=2)
    for v in found:
        W1 = [[Fraction(str(e)) for e in row] for row in parse_matrix(v.drawn["Q1.values.W"]).tolist()]
        x1 = entries(v.drawn["Q1.values.x"])
        assert all(w != 0 for row in W1 for w in row) and all(e != 0 for e in x1)
        assert W1[0][0] * x1[0] + W1[0][1] * x1[1] != 0
        W2, x2, b2 = entries(v.drawn["Q2.W"]), entries(v.drawn["Q2.x"]), Fraction(v.drawn["Q2.b"])
        assert all(w != 0 for w in W2) and b2 != 0
        assert sum(w * x for w, x in zip(W2, x2)) + b2 < 0
        assert all(r.verified for r in v.results)
