"""Canvas QTI 1.2 export: the zip's layout as Canvas imports it, the numbers against answers.json,
question groups for variants, fixed bytes, and validity against the IMS QTI 1.2.1 DTD.

The DTD is IMS's ``ims_qtiasiv1p2p1.dtd`` (final release, 14 Feb 2003), not shipped here: the test
reads it from ``$SYMDL_QTI_DTD``, or from ``build/qti-dtd/`` where ``.ci/fetch-qti-dtd`` puts it
(taken from pyslet's pinned source release on PyPI, which carries IMS's file among its test data:
``unittests/data_imsqtiv1p2p1/ims_qtiasiv1p2p1.dtd``), or from a local clone of pyslet named by
``$SYMDL_PYSLET_GIT``; without any the DTD test is skipped and says why.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from symdl.solve import solve_exam
from symdl.export import render
from symdl.render import answers_json
from test_export_moodle import asked_in, flat
from support import TESTS

ROOT = TESTS.parent
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
PYSLET = os.environ.get("SYMDL_PYSLET_GIT", "/work/.mirror/swl10+pyslet/repo/.git")
DTD_IN_PYSLET = "unittests/data_imsqtiv1p2p1/ims_qtiasiv1p2p1.dtd"


@pytest.fixture(scope="module")
def di504():
    return solve_exam()


@pytest.fixture(scope="module")
def package(di504):
    return render("canvas", [(None, di504.exam, di504.results)])


def members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: (info, archive.read(info)) for info in archive.infolist()}


def assessment_of(data: bytes):
    files = members(data)
    manifest = ET.fromstring(files["imsmanifest.xml"][1])
    quiz = next(r for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_xmlv1p2")
    return ET.fromstring(files[quiz.find(f"{CP}file").get("href")][1])


def test_layout_is_what_canvas_imports(di504, package):
    files = members(package)
    names = list(files)
    assert names[0] == "imsmanifest.xml"                       # at the root, first
    manifest = ET.fromstring(files["imsmanifest.xml"][1])
    resources = list(manifest.iter(f"{CP}resource"))
    assert [r.get("type") for r in resources][:2] == ["imsqti_xmlv1p2",
                                                      "associatedcontent/imscc_xmlv1p1/learning-application-resource"]
    quiz, meta = resources[:2]
    ident = quiz.get("identifier")
    assert [f.get("href") for f in quiz.iter(f"{CP}file")] == [f"{ident}/{ident}.xml"]
    assert quiz.find(f"{CP}dependency").get("identifierref") == meta.get("identifier")
    assert meta.get("href") == f"{ident}/assessment_meta.xml"
    for resource in resources:                                 # every file a resource names is in the zip
        for f in resource.iter(f"{CP}file"):
            assert f.get("href") in files
    figures = [n for n in names if n.startswith("web_resources/figures/")]
    pictures = [n for n in figures if n.endswith(".png")]
    assert pictures and all(files[n][1].startswith(b"\x89PNG\r\n\x1a\n") for n in pictures)
    # the rest: the handed-out training log of Q5, as tab-separated text (docs/lms.md)
    (log,) = [n for n in figures if n not in pictures]
    assert log.endswith(".txt") and files[log][1].startswith(b"Epoch\tIteration")
    assert sorted(names) == sorted(["imsmanifest.xml", f"{ident}/{ident}.xml", f"{ident}/assessment_meta.xml",
                                    *figures])
    listed = {f.get("href") for r in manifest.iter(f"{CP}resource") if r.get("type") == "webcontent"
              for f in r.iter(f"{CP}file")}
    assert listed == set(figures)
    assessment = files[f"{ident}/{ident}.xml"][1].decode()
    assert "<svg" not in assessment and "&lt;svg" not in assessment          # no inline SVG: Canvas deletes it
    import re
    referred = set(re.findall(r'(?:src|href)="\$IMS-CC-FILEBASE\$/figures/([^"]+)"', assessment))
    assert referred == {n.rsplit("/", 1)[1] for n in figures}
    settings = ET.fromstring(files[f"{ident}/assessment_meta.xml"][1])
    assert settings.get("identifier") == ident
    assert Fraction(settings.find("{http://canvas.instructure.com/xsd/cccv1p0}points_possible").text) == \
        exam_points(di504) == 100           # the numbers and the parts marked by hand: the exam's points
    assert settings.find("{http://canvas.instructure.com/xsd/cccv1p0}shuffle_answers").text == "true"
    for info, _ in files.values():
        assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_DEFLATED


def _items(assessment, kind="numerical_question"):
    return [i for i in assessment.iter(f"{QTI}item") if kind is None or _kind(i) == kind]


def _kind(item):
    return next(f.find(f"{QTI}fieldentry").text for f in item.iter(f"{QTI}qtimetadatafield")
                if f.find(f"{QTI}fieldlabel").text == "question_type")


def _unit(item) -> int:
    """k when the item asks its number in units of 10^-k (its text says so), else 0."""
    import re

    found = re.findall(r"in units of 10<sup>-(\d+)</sup>", item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text)
    return int(found[0]) if found else 0


def exam_points(di504) -> Fraction:
    return sum((Fraction(r.question.points) for r in di504.results), Fraction(0))


def _condition(item):
    """(exact value, low, high) of an item's grading condition (low/high None when exact only)."""
    condition = [c for c in item.iter(f"{QTI}respcondition") if c.get("continue") == "No"][0]
    exact = condition.find(f".//{QTI}varequal").text
    low, high = condition.find(f".//{QTI}vargte"), condition.find(f".//{QTI}varlte")
    assert condition.find(f"{QTI}setvar").text == "100"
    return exact, low.text if low is not None else None, high.text if high is not None else None


def exported_points(di504) -> Fraction:
    """The points of the answers an LMS can grade (the numeric ones the rubric grades), from answers.json;
    a yes/no or a worded answer (Q2b's, Q5b's verdicts) is left to the grader."""
    document = json.loads(answers_json.render(di504.exam, di504.results))

    def points(entry, name):           # an answer without points: the question's, split evenly (docs/lms.md)
        given = entry["answers"][name]["points"]
        if given is None:
            return Fraction(entry["points"]) / len(asked_in(entry))
        return Fraction(repr(given)).limit_denominator(10**6)

    return sum((points(e, n) for e in document["questions"] for n in asked_in(e)), Fraction(0))


def test_every_number_matches_answers_json(di504, package):
    """Each item's exact answer is the key's display of its number (in the unit it is asked in),
    inside <or> as Canvas's exporter writes it; the range around it, inside <and>, holds every
    value within answers.json's tolerance, rounded to the quiz page's 4 decimals."""
    from test_export_moodle import assert_key_display, exact_numbers, expected_shown

    document = json.loads(answers_json.render(di504.exam, di504.results))
    expected = []
    for entry, result in zip(document["questions"], di504.results):
        for name in asked_in(entry):
            tolerances = flat(entry["answers"][name]["tolerance"]["abs"])
            exact = exact_numbers(result.solution.answers[name])
            tolerances = tolerances * len(exact) if len(tolerances) == 1 else tolerances
            digits = result.solution.meta[name].digits
            expected += [(e, Decimal(repr(t)), expected_shown(e, digits), digits) for e, t in zip(exact, tolerances)]
    items = _items(assessment_of(package))
    assert len(items) == len(expected) > 30
    for item, (e, tol, shown, digits) in zip(items, expected):
        condition = [c for c in item.iter(f"{QTI}respcondition") if c.get("continue") == "No"][0]
        assert condition.find(f"{QTI}conditionvar/{QTI}or/{QTI}varequal") is not None
        exact, low, high = _condition(item)
        k = _unit(item)
        assert_key_display(str(Decimal(exact).scaleb(-k)), e, tol, shown, digits)
        if low is None:
            # only an integer (a size, a count), 0 or an exact decimal of at most 3 significant figures
            # (the answer policy: -0.04, 1.9, 2.15) is graded exactly
            assert tol == 0 and (shown == int(shown) or len(shown.normalize().as_tuple().digits) <= 3)
            continue
        assert condition.find(f"{QTI}conditionvar/{QTI}or/{QTI}and/{QTI}vargte") is not None
        assert Decimal(exact) - Decimal(low) == Decimal(high) - Decimal(exact)   # symmetric, exact decimals
        value = Decimal(str(__import__("sympy").N(e, 40))).scaleb(k)
        step = Decimal("0.0001")
        assert Decimal(low) <= (value - tol.scaleb(k)).quantize(step, rounding="ROUND_HALF_UP")
        assert Decimal(high) >= (value + tol.scaleb(k)).quantize(step, rounding="ROUND_HALF_UP")
        assert tol.scaleb(k) >= Decimal("0.0005")        # the page's rounding is at most a tenth of it
    every = _items(assessment_of(package), None)
    points = sum(Fraction(f.find(f"{QTI}fieldentry").text) for item in every
                 for f in item.iter(f"{QTI}qtimetadatafield") if f.find(f"{QTI}fieldlabel").text == "points_possible")
    assert points == exam_points(di504) == 100
    numbers = sum(Fraction(f.find(f"{QTI}fieldentry").text) for item in items
                  for f in item.iter(f"{QTI}qtimetadatafield") if f.find(f"{QTI}fieldlabel").text == "points_possible")
    assert round(numbers, 4) == round(exported_points(di504), 4) > 50


def test_range_is_value_plus_minus_tolerance(package):
    """Q2's z = -0.04 (one significant figure) is accepted only as written; Q1's f1 = e^0.02 =
    1.02020134... within half a unit of its 3rd significant figure, [1.01520134..., 1.02520134...],
    each end rounded to the quiz page's 4 decimals (the range may widen by the key's print's gap)."""
    items = [i for i in _items(assessment_of(package)) if i.get("title") == "Q2 z"]
    assert [_condition(i) for i in items] == [("-0.04", None, None)]
    f1 = next(i for i in _items(assessment_of(package)) if i.get("title", "").startswith("Q1 ") and
              abs(float(_condition(i)[0]) - math.exp(0.02)) < 1e-3)
    exact, low, high = _condition(f1)
    assert float(low) <= math.exp(0.02) - 0.005 + 5e-5 and float(high) >= math.exp(0.02) + 0.005 - 5e-5
    assert float(high) - float(low) <= 0.0102


def test_feedback_and_text(di504, package):
    items = _items(assessment_of(package))
    first_q1 = next(i for i in items if i.get("title").startswith("Q1 "))
    feedback = first_q1.find(f"{QTI}itemfeedback//{QTI}mattext").text
    assert feedback.startswith('<section class="question"') and "\\(" in feedback and "<math" not in feedback
    mathml = _items(assessment_of(render("canvas", [(None, di504.exam, di504.results[:1])], math="mathml")))
    assert "<math" in mathml[0].find(f"{QTI}itemfeedback//{QTI}mattext").text
    assert "<script" not in feedback.lower()
    prompt = first_q1.find(f"{QTI}presentation/{QTI}material/{QTI}mattext")
    assert prompt.get("texttype") == "text/html" and "Enter" in prompt.text


def test_variants_are_groups_drawing_one(di504):
    items = [("001", di504.exam, di504.results[:2]), ("002", di504.exam, di504.results[:2])]
    assessment = assessment_of(render("canvas", items))
    root = assessment.find(f"{QTI}assessment/{QTI}section")
    groups = root.findall(f"{QTI}section")
    assert groups and not root.findall(f"{QTI}item")
    for group in groups:
        selection = group.find(f"{QTI}selection_ordering/{QTI}selection")
        assert selection.find(f"{QTI}selection_number").text == "1"
        assert float(selection.find(f"{QTI}selection_extension/{QTI}points_per_item").text) > 0
        members_ = group.findall(f"{QTI}item")
        if _kind(members_[0]) == "essay_question":
            continue
        assert len(members_) == 2 and len({m.get("ident") for m in members_}) == 2
        assert _condition(members_[0]) == _condition(members_[1])    # the same draw twice here


def test_same_spec_same_bytes_across_processes(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SYMDL_DEBUG"}
    outputs = []
    for run in ("a", "b"):
        done = subprocess.run([sys.executable, "-m", "symdl", "export", "canvas", "--out", str(tmp_path / run)],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / run / "di504-midterm-2021" / "canvas-qti.zip").read_bytes())
    assert outputs[0] == outputs[1]


FETCHED_DTD = Path(__file__).resolve().parents[2] / "build" / "qti-dtd" / "ims_qtiasiv1p2p1.dtd"   # .ci/fetch-qti-dtd


def _dtd():
    path = os.environ.get("SYMDL_QTI_DTD")
    if path:
        return open(path, "rb").read()
    if FETCHED_DTD.is_file():
        return FETCHED_DTD.read_bytes()
    try:
        done = subprocess.run(["git", "--git-dir", PYSLET, "show", f"HEAD:{DTD_IN_PYSLET}"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None


def _for_dtd(xml: bytes):
    """The assessment as the 2003 DTD knows it: no namespace (the DTD predates it), and the
    extension points (``*_extension``, open to other vocabularies) emptied of Canvas's own elements."""
    etree = pytest.importorskip("lxml.etree")
    root = etree.fromstring(xml)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]
        for key in [k for k in element.attrib if k.startswith("{")]:
            del element.attrib[key]
    for element in root.iter("selection_extension"):
        for child in list(element):
            element.remove(child)
    etree.cleanup_namespaces(root)
    return root


def test_valid_against_the_qti_1_2_1_dtd(di504):
    etree = pytest.importorskip("lxml.etree", reason="lxml (the test extra) validates against the DTD")
    source = _dtd()
    if source is None:
        pytest.skip("IMS QTI 1.2.1 DTD not found: run .ci/fetch-qti-dtd or set SYMDL_QTI_DTD (see docs/lms.md)")
    dtd = etree.DTD(io.BytesIO(source))
    items = [("001", di504.exam, di504.results), ("002", di504.exam, di504.results)]
    for data in (render("canvas", items[:1]), render("canvas", items)):
        files = members(data)
        name = next(n for n in files if n.count("/") == 1 and not n.endswith("assessment_meta.xml"))
        root = _for_dtd(files[name][1])
        assert dtd.validate(root), dtd.error_log.filter_from_errors()[:3]
    broken = _for_dtd(files[name][1])                 # the DTD does catch a misplaced element
    item = next(broken.iter("item"))
    item.insert(0, item.find("resprocessing"))
    assert not dtd.validate(broken)


def test_multiple_choice_from_mistakes(di504):
    import sympy

    from symdl.solution import Mistake
    from test_export_moodle import _single_final

    q2 = next(r for r in di504.results if r.question.id == "Q2")
    result = _single_final(q2, "z", [Mistake("no bias", sympy.Rational(-54, 100), "left out the bias b")])
    data = render("canvas", [(None, di504.exam, [result])], multiple_choice=True)
    (item,) = _items(assessment_of(data), "multiple_choice_question")
    kinds = {f.find(f"{QTI}fieldlabel").text: f.find(f"{QTI}fieldentry").text for f in item.iter(f"{QTI}qtimetadatafield")}
    assert kinds["question_type"] == "multiple_choice_question"
    assert Fraction(kinds["points_possible"]) == q2.solution.meta["z"].points > 0     # z's own points
    labels = {l.get("ident"): l.find(f".//{QTI}mattext").text for l in item.iter(f"{QTI}response_label")}
    assert sorted(labels.values()) == ["-0.04", "-0.54"]
    right = [c for c in item.iter(f"{QTI}respcondition") if c.get("continue") == "No"][0]
    assert labels[right.find(f".//{QTI}varequal").text] == "-0.04"
    # the mistake's explanation is the feedback of its choice
    wrong = next(i for i, text in labels.items() if text == "-0.54")
    shown = [c for c in item.iter(f"{QTI}respcondition") if c.find(f".//{QTI}varequal") is not None
             and c.find(f".//{QTI}varequal").text == wrong]
    link = shown[0].find(f"{QTI}displayfeedback").get("linkrefid")
    feedback = next(f for f in item.iter(f"{QTI}itemfeedback") if f.get("ident") == link)
    assert feedback.find(f".//{QTI}mattext").text == "left out the bias b"
    source = _dtd()
    if source is not None:
        etree = pytest.importorskip("lxml.etree")
        dtd = etree.DTD(io.BytesIO(source))
        name = next(n for n in members(data) if n.count("/") == 1 and not n.endswith("assessment_meta.xml"))
        assert dtd.validate(_for_dtd(members(data)[name][1])), dtd.error_log.filter_from_errors()[:3]
