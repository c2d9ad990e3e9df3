"""Moodle XML export: read back with an XML parser, every number and tolerance against answers.json.

The expected tolerance is recomputed here from the exact answer by the documented answer policy
(docs/answer-policy.md: half a unit of the 3rd significant figure of the exact value; an integer, an
exact zero and an exact decimal of at most 3 significant figures are exact), with Python's decimal
module, not with the export's code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction

import pytest
import sympy

from symdl.solve import solve_exam
from symdl.export import moodle, render
from symdl.render import answers_json
from symdl.solution import Mistake
from support import TESTS

ROOT = TESTS.parent
CLOZE_NUMERICAL = re.compile(r"\{(\d+):NUMERICAL:=([^:}]+):([^}]+)\}")


@pytest.fixture(scope="module")
def di504():
    return solve_exam()


@pytest.fixture(scope="module")
def moodle_xml(di504):
    return render("moodle", [(None, di504.exam, di504.results)])


def numbers_of(value):
    """The numbers of an answers.json value, flattened (None when it is not numeric)."""
    if isinstance(value, bool) or isinstance(value, str) or value is None:
        return None
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, list) and value:
        out = []
        for v in value:
            inner = numbers_of(v)
            if inner is None:
                return None
            out.extend(inner)
        return out
    return None


def exact_numbers(value):
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in exact_numbers(v)]
    return [value]


def expected_tolerance(exact, figures=3) -> Fraction:
    """The answer policy's interval (docs/answer-policy.md), by Fraction / Decimal arithmetic alone:
    an integer or an exact decimal of at most 3 significant figures is exact; any other number is
    accepted within half a unit of its 3rd significant figure, measured on the exact value."""
    exact = sympy.nsimplify(exact) if not isinstance(exact, sympy.Basic) else exact
    if exact == 0 or exact.is_Integer:             # an integer (a size, a count) is exact
        return Fraction(0)
    if exact.is_Rational:
        q = int(exact.q)
        twos = fives = 0
        while q % 2 == 0:
            q //= 2
            twos += 1
        while q % 5 == 0:
            q //= 5
            fives += 1
        if q == 1 and max(twos, fives) <= 10:
            written = Decimal(int(exact.p)) / Decimal(int(exact.q))
            if len(written.normalize().as_tuple().digits) <= figures:
                return Fraction(0)                 # -0.04, 2.15: only as written
    digits = Decimal(str(sympy.N(abs(exact), 40)))
    return Fraction(1, 2) * Fraction(10) ** (digits.adjusted() - figures + 1)


def moodle_questions(data: bytes):
    root = ET.fromstring(data)
    category, out = None, []
    for q in root.findall("question"):
        if q.get("type") == "category":
            category = q.find("category/text").text
            continue
        out.append((category, q))
    return out


def blanks_of(q) -> list:
    """(value, tolerance) of every graded number of a Moodle question, in order."""
    if q.get("type") == "numerical":
        a = q.find("answer")
        return [(a.find("text").text, a.find("tolerance").text)]
    text = q.find("questiontext/text").text
    return [(v, t) for _, v, t in CLOZE_NUMERICAL.findall(text)]


def asked_in(entry: dict) -> list:
    """The answers an export asks, from answers.json alone: every numeric one the rubric grades
    (points not null: final answers and graded intermediates such as Q1's node values), else the
    final numeric ones, or every numeric one of a question with none final (docs/lms.md)."""
    numeric = [name for name, a in entry["answers"].items() if numbers_of(a["value"]) is not None]
    graded = [name for name in numeric if entry["answers"][name]["points"] is not None]
    finals = [name for name in numeric if entry["answers"][name]["final"]]
    return graded or finals or numeric


def flat(value):
    return [x for v in value for x in flat(v)] if isinstance(value, list) else [value]


def expected_shown(exact, digits=None) -> Decimal:
    """The key's display of ``exact``: an exact decimal (up to 10 places) as is, any other value to
    ``digits`` (default 5) significant digits, by Decimal arithmetic alone."""
    exact = sympy.nsimplify(exact) if not isinstance(exact, sympy.Basic) else exact
    if digits is None and exact.is_Rational and (exact.is_Integer or expected_tolerance(exact) * 2 >= Fraction(1, 10**10)):
        return Decimal(exact.p) / Decimal(exact.q)
    value = Decimal(str(sympy.N(exact, 40)))
    if value == 0:
        return value
    return value.quantize(Decimal(1).scaleb(value.adjusted() - (digits or 5) + 1))


def assert_key_display(value: str, exact, tol: Decimal, shown: Decimal, digits=None):
    """``value`` is the key's print ``shown``, or (when that lies more than a tenth of the tolerance
    from the exact value) a finer rounding inside the print's own rounding interval, within a tenth."""
    if Decimal(value) == shown:
        return
    exact = Decimal(str(sympy.N(exact, 40)))
    assert tol > 0 and abs(shown - exact) * 10 > tol
    half_unit = Decimal(5).scaleb(shown.adjusted() - (digits or 5))
    assert abs(Decimal(value) - shown) <= half_unit and abs(Decimal(value) - exact) * 10 <= tol


def test_every_number_and_tolerance_matches_answers_json(di504, moodle_xml):
    """Each blank shows the key's display of its number and accepts around it every value within
    answers.json's tolerance of the exact number, and at most the display's rounding (plus a
    hundredth of the tolerance) more."""
    document = json.loads(answers_json.render(di504.exam, di504.results))
    questions = [(c, q) for c, q in moodle_questions(moodle_xml) if q.get("type") != "essay"]
    assert [c for c, _ in questions] == [f"$course$/di504-midterm-2021/{r.question.id}" for r in di504.results]
    checked = 0
    for (category, q), entry, result in zip(questions, document["questions"], di504.results):
        expected = []
        for name in asked_in(entry):
            answer = entry["answers"][name]
            numbers = numbers_of(answer["value"])
            tolerances = flat(answer["tolerance"]["abs"])
            relative = flat(answer["tolerance"]["rel"])
            if len(tolerances) == 1:
                tolerances = tolerances * len(numbers)
            if len(relative) == 1:
                relative = relative * len(numbers)
            exact = exact_numbers(result.solution.answers[name])
            assert len(exact) == len(numbers) == len(tolerances)
            digits = result.solution.meta[name].digits
            for number, tol, rel, e in zip(numbers, tolerances, relative, exact):
                # accepted: within the larger of abs and rel x |value| (as answers.json is read)
                width = max(Decimal(repr(tol)), Decimal(repr(rel or 0)) * abs(Decimal(str(sympy.N(e, 40)))))
                expected.append((e, width, expected_shown(e, digits), digits))
        got = blanks_of(q)
        assert len(got) == len(expected), category
        for (value, width), (e, tol, shown, digits) in zip(got, expected):
            assert_key_display(value, e, tol, shown, digits)
            exact, width = Decimal(str(sympy.N(e, 40))), Decimal(width)
            off = abs(Decimal(value) - exact)
            assert off + tol * Decimal("0.999999") <= width <= off + tol * Decimal("1.01") + Decimal("1e-30")
            checked += 1
    # every number of every final answer (Q4's table blanks among them) is a blank of the export
    assert checked == sum(len(numbers_of(e["answers"][n]["value"])) for e in document["questions"]
                          for n in asked_in(e)) > 30


def test_known_values_of_di504(moodle_xml):
    """Q2's pre-activation z = W^T x + b and Q4's conv1_1 output height, computed here from the
    paper's numbers (W, x, b of Q2; a 3001-row input, padding 3 + 3, a 200-row kernel, stride 1)."""
    W = [Fraction(v) for v in ("-0.1", "-0.2", "0", "-0.1", "-0.3")]
    x = [Fraction(v) for v in ("0.7", "0.9", "0.9", "0.2", "0.9")]
    z = sum(w * xi for w, xi in zip(W, x)) + Fraction("0.5")
    by_id = {c.rsplit("/", 1)[1]: q for c, q in moodle_questions(moodle_xml)}
    q2 = {(Fraction(v), Fraction(t)) for _, v, t in CLOZE_NUMERICAL.findall(by_id["Q2"].find("questiontext/text").text)}
    # -0.04 has one significant figure: an exact short decimal, accepted only as written (tolerance 0)
    assert (z, Fraction(0)) in q2 and z == Fraction("-0.04")
    height = (3001 + 3 + 3 - 200) // 1 + 1
    q4 = [Fraction(v) for _, v, _ in CLOZE_NUMERICAL.findall(by_id["Q4"].find("questiontext/text").text)]
    assert height == 2808 and height in q4


def test_feedback_is_the_model_answer_without_script(di504, moodle_xml):
    for _, q in moodle_questions(moodle_xml):
        feedback = q.find("generalfeedback/text").text
        assert feedback.startswith('<section class="question"')
        assert "<script" not in feedback.lower()
        assert "independent recomputation" not in feedback      # instructor's line stays out
        assert "\\(" in feedback and "<math" not in feedback     # Moodle: TeX for its MathJax filter
    q2 = [q for c, q in moodle_questions(moodle_xml) if c.endswith("/Q2")][0]
    assert "dead" in q2.find("generalfeedback/text").text.lower()


def test_mathml_when_asked(di504):
    data = render("moodle", [(None, di504.exam, di504.results[:1])], math="mathml")
    (_, q), = [(c, q) for c, q in moodle_questions(data) if q.get("type") != "essay"]
    assert "<math" in q.find("generalfeedback/text").text


def _single_final(result, name, mistakes):
    """``result`` with only answer ``name`` final and the given mistakes on it."""
    import copy

    result = copy.copy(result)
    result.solution = copy.copy(result.solution)
    result.solution.meta = {k: copy.copy(v) for k, v in result.solution.meta.items()}
    for key, meta in result.solution.meta.items():
        meta.final = key == name
        meta.mistakes = list(mistakes) if key == name else []
        if key != name:
            meta.points = None               # the rubric grades ``name`` alone: the only answer asked
    return result


def test_final_answers_are_asked_and_mistakes_become_distractors(di504):
    q2 = next(r for r in di504.results if r.question.id == "Q2")
    wrong = [Mistake("no bias", sympy.Rational(-54, 100), "left out the bias b"),
             Mistake("sign", sympy.Rational(4, 100), "flipped the sign of W")]
    result = _single_final(q2, "z", wrong)
    numerical = moodle.question(result, di504.exam)
    assert numerical.get("type") == "numerical"
    (answer,) = numerical.findall("answer")           # -0.04 is exact: shown as is, within answers.json's tolerance
    tolerance = q2.solution.meta["z"].tolerance
    t = max(Fraction(tolerance["abs"] or 0), Fraction(tolerance["rel"] or 0) * Fraction(4, 100))
    # -0.04: an exact decimal of one significant figure, accepted only as written (the answer policy)
    assert answer.find("text").text == "-0.04" and Fraction(answer.find("tolerance").text) == t == 0
    data = render("moodle", [(None, di504.exam, [result])], multiple_choice=True)
    (_, choice), = [(c, q) for c, q in moodle_questions(data) if q.get("type") != "essay"]
    assert choice.get("type") == "cloze"          # every question a cloze with choices: one type per pool
    blanks = re.findall(r"\{(\d+):MULTICHOICE_S:([^}]*)\}", choice.find("questiontext/text").text)
    assert [options for _, options in blanks] == [
        "%100%-0.04~%0%-0.54#left out the bias b~%0%0.04#flipped the sign of W"]
    # the question's mark is the answer's own points, as the rubric and answers.json give them
    assert Fraction(choice.find("defaultgrade").text) == int(blanks[0][0]) == q2.solution.meta["z"].points > 0


def test_vector_answers_are_cloze_blanks(di504, moodle_xml):
    q3 = [q for c, q in moodle_questions(moodle_xml) if c.endswith("/Q3")][0]
    assert q3.get("type") == "cloze"
    text = q3.find("questiontext/text").text
    # case a: x = 0, so each class's score is its bias plus the L1 norm of its row of W (the spec's
    # score s = W x + B + sum_i |w_{N,i}|), computed here from the paper's W and B
    W = [["-0.8", "-0.5", "+0.5", "+0.2", "-0.2"], ["+0.8", "-0.3", "0", "-0.1", "-0.3"],
         ["0", "+0.6", "+0.6", "+0.2", "-0.6"], ["-0.2", "-0.4", "+0.1", "-0.1", "+0.5"]]
    B = ["-0.3", "+0.1", "-0.7", "+0.9"]
    scores = [Fraction(b) + sum(abs(Fraction(w)) for w in row) for row, b in zip(W, B)]
    values = [Fraction(v) for _, v, _ in CLOZE_NUMERICAL.findall(text)][:4]
    assert values == scores


def test_variants_are_a_pool_in_one_category(di504):
    items = [("001", di504.exam, di504.results), ("002", di504.exam, di504.results)]
    questions = moodle_questions(render("moodle", items))
    q1 = [q for c, q in questions if c.endswith("/Q1")]
    assert [q.find("name/text").text for q in q1] == ["Q1 variant 001", "Q1 variant 002"]
    root = ET.fromstring(render("moodle", items))
    pools = [q.find("category/text").text for q in root.findall("question") if q.get("type") == "category"]
    assert [p for p in pools if not p.endswith("(marked by hand)")] == \
        [f"$course$/di504-midterm-2021/Q{n}" for n in range(1, 6)]


def test_same_spec_same_bytes(di504, moodle_xml):
    assert render("moodle", [(None, di504.exam, di504.results)]) == moodle_xml


def _cli(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "SYMDL_DEBUG"}
    return subprocess.run([sys.executable, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_export_beside_the_key_and_in_the_manifest(tmp_path):
    out = tmp_path / "out"
    assert _cli("derive", "--no-pdf", "--out", str(out), cwd=ROOT).returncode == 0
    run = _cli("export", "moodle", "--out", str(out), cwd=ROOT)
    assert run.returncode == 0, run.stderr
    folder = out / "di504-midterm-2021"
    written = ["answer-key.tex", "answers.json", "exam-sheet.tex", "grading.tex", "moodle.xml", "verification.tex"]
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", *written]
    manifest = json.loads((folder / ".symdl-manifest.json").read_text())
    assert sorted(manifest["files"]) == written
    first = (folder / "moodle.xml").read_bytes()
    assert _cli("export", "moodle", "--out", str(out), cwd=ROOT).returncode == 0
    assert (folder / "moodle.xml").read_bytes() == first          # another process, the same bytes


@pytest.mark.parametrize("args, words", [
    (("export", "blackboard"), "invalid choice: 'blackboard'"),
    (("export", "moodle", "--variants", "0", "--seed", "1"), "--variants: must be at least 1"),
    (("export", "moodle", "--variants", "3"), "--variants needs --seed"),
    (("export", "moodle", "--seed", "3"), "--seed is only used with --variants"),
    (("export", "moodle", "no-such-spec.toml"), "no-such-spec.toml"),
])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, args, words):
    run = _cli(*args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 2
    assert words in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_pages_rendered_by_two_processes_are_the_same(di504, monkeypatch):
    from symdl.export import content

    items = [(f"{i:03d}", di504.exam, di504.results[:2]) for i in range(1, 4)]
    monkeypatch.setattr(content, "PARALLEL_FROM", 10**9)
    serial = {t: render(t, items) for t in ("moodle", "canvas")}
    monkeypatch.setattr(content, "PARALLEL_FROM", 2)
    assert {t: render(t, items) for t in ("moodle", "canvas")} == serial


def test_an_unverified_question_is_never_exported(di504, tmp_path):
    import dataclasses

    from symdl.errors import VerificationFailed
    from symdl.export import export
    from symdl.check.verify import Check

    bad = dataclasses.replace(di504.results[1], checks=[Check("z", -0.04, -0.05, False)])
    with pytest.raises(VerificationFailed, match="Q2"):
        export("moodle", [(None, di504.exam, [di504.results[0], bad])], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_variants_flag_streams_each_variants_part_from_the_generator(di504, tmp_path, monkeypatch):
    """--variants N --seed S reads the spec once (solve.prepare) and asks symdl.variants.iter_variants for
    the N variants of seed S, each carrying its own Moodle part (made where it was derived, results not
    kept), and writes them as one pool per question in variant order (a stand-in generator here;
    tests/pipeline/test_variants.py runs the real one)."""
    import types

    from symdl.export import fragments
    from symdl.variants import lms

    calls = []

    def iter_variants(drawn, **options):
        calls.append((drawn.count, drawn.seed, options["keep"], options["render"], options["export"]))
        for i in range(1, drawn.count + 1):
            name = f"{i:03d}"
            yield types.SimpleNamespace(id=name, exported=fragments(options["export"], name, di504.exam, di504.results))

    monkeypatch.setattr(lms, "iter_variants", iter_variants)
    path = lms.export_spec("moodle", None, tmp_path / "out", variants=3, seed=7)
    assert calls == [(3, 7, False, False, ("moodle",))]
    names = [q.find("name/text").text for c, q in moodle_questions(path.read_bytes()) if c.endswith("/Q5")]
    assert names == ["Q5 variant 001", "Q5 variant 002", "Q5 variant 003"]


def test_pages_kept_from_the_moodle_export_give_canvas_the_same_bytes(di504):
    from symdl.export import content

    items = [(None, di504.exam, di504.results)]
    content._KEPT.clear()
    fresh = render("canvas", items)
    content._KEPT.clear()
    render("moodle", items)
    assert all(content._is_kept(r, "tex", None) for r in di504.results)
    assert render("canvas", items) == fresh


def test_question_text_gives_no_answer_away(di504, moodle_xml):
    """No derived number of a question appears in its text outside the blanks (numbers the spec
    itself writes, such as the given sizes, are allowed)."""
    spec = di504.exam.file.read_text()
    checked = 0
    for (category, q), result in zip(moodle_questions(moodle_xml), di504.results):
        text = re.sub(r"\{\d+:(NUMERICAL|MULTICHOICE_S):[^}]*\}", "", q.find("questiontext/text").text)
        for name, value in result.solution.answers.items():
            for number in numbers_of(answers_json.jsonable(value)) or []:
                written = str(number)
                if len(written.lstrip("-").replace(".", "")) >= 4 and written not in spec:
                    assert not re.search(rf"(?<![\d.]){re.escape(written)}(?![\d])", text), (category, name, written)
                    checked += 1
    assert checked > 50          # 74 of DI504's derived numbers are long enough to be recognised


def test_every_choice_reads_as_the_key_prints_it(di504):
    """With --multiple-choice the right value and the mistakes are printed alike, at most the key's
    5 significant digits (never a raw double, never the right one finer than the others; an integer
    whole)."""
    data = render("moodle", [(None, di504.exam, di504.results)], multiple_choice=True)
    blanks = [b for _, q in moodle_questions(data) if q.get("type") == "cloze"
              for b in re.findall(r"\{\d+:MULTICHOICE_S:([^}]*)\}", q.find("questiontext/text").text)]
    assert len(blanks) >= 10
    for blank in blanks:
        values = [option.split("%", 2)[2].split("#", 1)[0] for option in blank.split("~")]
        numbers = [n for v in values for n in re.findall(r"-?[\d.]+(?:e-?\d+)?", v)]
        rounded = [n for n in numbers if "." in n or "e" in n]          # integers are printed whole
        assert numbers and all(len(Decimal(n).normalize().as_tuple().digits) <= 5 for n in rounded), blank
