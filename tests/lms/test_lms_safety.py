"""Spec text cannot subvert an LMS file: no extra cloze blank, no HTML, no MathJax input, no
character XML cannot carry; every XML file the export writes parses. The round 3 regressions
(tests/regressions/round3/: moodle_cloze_injection, moodle_category_info_html_injection,
lms_mathjax_tex_injection, xml_control_char_illformed) and hostile text in every field.

Moodle's cloze parser is emulated with the regular expressions of
question/type/multianswer/questiontype.php (ANSWER_REGEX and its parts; Python's look-behind
needs its alternatives apart).
"""

from __future__ import annotations

import copy
import io
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from symdl.solve import solve_exam
from symdl.export import render
from symdl.solution import Mistake

ROOT = Path(__file__).resolve().parents[2]
ROUND3 = ROOT / "tests" / "regressions" / "round3"

TYPES = "NUMERICAL|NM|SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|MULTICHOICE|MC|MULTICHOICE_H|MCH|" \
        "MULTICHOICE_V|MCV|MULTICHOICE_S|MCS|MULTICHOICE_HS|MCHS|MULTICHOICE_VS|MCVS|MULTIRESPONSE|MR|" \
        "MULTIRESPONSE_H|MRH|MULTIRESPONSE_S|MRS|MULTIRESPONSE_HS|MRHS"
FRACTION = r"=|%(-?[0-9]+(?:[.,][0-9]*)?)%"
ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
ALTERNATIVE = f"({FRACTION})?({ANSWER})(#({FEEDBACK}))?"
BLANK = re.compile(r"\{([0-9]*):(" + TYPES + "):(" + ALTERNATIVE + "(~" + ALTERNATIVE + r")*)\}", re.S)
ALTERNATIVES = re.compile(ALTERNATIVE, re.S)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HOSTILE = (r"{1:SHORTANSWER:=x} {2:NUMERICAL:=0:1e9} } # ~ \( \href{javascript:alert(1)}{x} \) "
           r"\[\style{position:fixed}{y}\] $$z$$ \begin{align}w\end{align} @@PLUGINFILE@@/a.png "
           "<img src=x onerror=alert(1)> & \" ' \\")


def cli(*args):
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "symdl", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)


def xml_files(target, data: bytes) -> dict:
    """name -> bytes of every XML file in an export."""
    if target == "moodle":
        return {"moodle.xml": data}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.endswith(".xml")}


def parsed(target, data: bytes) -> dict:
    """Every XML file parsed back (raises on one that is not well-formed); no character XML 1.0 forbids."""
    out = {}
    for name, raw in xml_files(target, data).items():
        assert not NOT_XML.search(raw.decode("utf-8")), name
        out[name] = ET.fromstring(raw)
    return out


def html_fields(target, roots: dict) -> list:
    """The HTML texts an LMS shows: Moodle's <text> of html fields, Canvas's text/html mattext."""
    out = []
    for root in roots.values():
        for node in root.iter():
            if target == "moodle" and node.get("format") == "html":
                out.append(node.find("text").text or "")
            elif node.tag.endswith("mattext"):
                out.append(node.text or "")
    return out


def plain_fields(roots) -> list:
    """The plain texts (names, titles, categories, choices as text) and every attribute value."""
    out = []
    for root in roots.values():
        html = {id(t) for n in root.iter() if n.get("format") == "html" for t in n.iter("text")}
        for node in root.iter():
            out += list(node.attrib.values())
            if node.text and id(node) not in html and node.get("texttype") != "text/html":
                out.append(node.text)
    return out


def export(target, spec: Path, tmp_path, *extra) -> bytes:
    done = cli("export", target, spec, "--out", tmp_path / target, *extra)
    assert done.returncode == 0, done.stderr
    return next((tmp_path / target).rglob("moodle.xml" if target == "moodle" else "canvas-qti.zip")).read_bytes()


def moodle_blanks(roots) -> list:
    """Every blank Moodle's cloze parser finds in the cloze questions' text."""
    found = []
    for q in roots["moodle.xml"].iter("question"):
        if q.get("type") == "cloze":
            found += BLANK.findall(q.find("questiontext/text").text)
    return found


def moodle_alternatives(text) -> list:
    """(fraction, answer, feedback) of a blank's alternatives, as qtype_multianswer_extract_question
    takes them: match, cut the match and the '~' after it, again."""
    out = []
    while text:
        match = ALTERNATIVES.search(text)
        if not match:
            break
        out.append((match.group(2), match.group(3), match.group(5)))
        text = text.split(match.group(0), 1)[1][1:]
    return out


def test_cloze_syntax_in_spec_text_makes_no_blank(tmp_path):
    spec = ROUND3 / "moodle_cloze_injection" / "cloze.toml"
    roots = parsed("moodle", export("moodle", spec, tmp_path))
    blanks = moodle_blanks(roots)
    # Q1 of the spec asks f and the gradients of x, y, z: the exported numbers, none of the spec's
    assert blanks and all(kind == "NUMERICAL" for _, kind, *_ in blanks)
    assert not any(b[0] in ("3", "5") and b[1] != "NUMERICAL" for b in blanks)
    text = next(q for q in roots["moodle.xml"].iter("question") if q.get("type") == "cloze").find("questiontext/text").text
    assert "&#123;5:SHORTANSWER:=anything&#125;" in text          # shown to the student as written
    for forged in ("{5:SHORTANSWER", "{5:NUMERICAL:=0:1000000}", "{3:MULTICHOICE"):
        assert forged not in text
    assert len(blanks) == 4                                       # f and the three input gradients


def test_exam_title_is_escaped_in_every_category(tmp_path):
    spec = ROUND3 / "moodle_category_info_html_injection" / "moodle_info.toml"
    roots = parsed("moodle", export("moodle", spec, tmp_path))
    infos = [q.find("info/text").text for q in roots["moodle.xml"].iter("question") if q.get("type") == "category"]
    assert infos and all("<img" not in i and "<style" not in i and "&lt;img" in i for i in infos)


@pytest.mark.parametrize("target", ["moodle", "canvas"])
def test_tex_delimiters_in_plain_text_reach_no_mathjax(target, tmp_path):
    spec = ROUND3 / "lms_mathjax_tex_injection" / "mj.toml"
    fields = html_fields(target, parsed(target, export(target, spec, tmp_path)))
    joined = "\n".join(fields)
    assert "click for a hint" in joined                         # the text is still shown
    for macro in ("\\href", "\\style", "\\(\\href", "\\[\\style"):
        assert macro not in joined
    assert "\\(" in joined                                      # the printer's own math is kept


@pytest.mark.parametrize("target", ["moodle", "canvas"])
def test_control_characters_never_reach_xml(target, tmp_path):
    """Spec reading may refuse the character (exit 2 naming the field); if it lets it through, the
    export replaces it, and every XML file parses."""
    spec = ROUND3 / "xml_control_char_illformed" / "ctl.toml"
    done = cli("export", target, spec, "--out", tmp_path / "o")
    if done.returncode == 2:
        assert "title" in done.stderr or "text" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    data = next((tmp_path / "o").rglob("moodle.xml" if target == "moodle" else "canvas-qti.zip")).read_bytes()
    parsed(target, data)


@pytest.fixture(scope="module")
def hostile():
    """DI504's Q2 (a numerical answer with mistakes) and Q3 with hostile text in the exam's title,
    the questions' title, text and parts, an answer's label, a mistake's words and a control character."""
    report = solve_exam()
    exam = copy.copy(report.exam)
    exam.title = "Exam\x01 " + HOSTILE
    exam.course = HOSTILE
    results = []
    for result in report.results[1:3]:
        result = copy.copy(result)
        question = copy.copy(result.question)
        question.title, question.text = HOSTILE, HOSTILE + "\x0b"
        question.parts = {k: HOSTILE for k in question.parts}
        result.question = question
        result.solution = copy.copy(result.solution)
        result.solution.meta = {k: copy.copy(v) for k, v in result.solution.meta.items()}
        for meta in result.solution.meta.values():
            meta.mistakes = [Mistake(m.name, m.value, HOSTILE) for m in meta.mistakes]
        results.append(result)
    return exam, results


@pytest.mark.parametrize("target", ["moodle", "canvas"])
@pytest.mark.parametrize("choice", [False, True])
def test_hostile_text_everywhere(hostile, target, choice):
    exam, results = hostile
    roots = parsed(target, render(target, [(None, exam, results)], multiple_choice=choice))
    fields = html_fields(target, roots)
    joined = "\n".join(fields)
    assert "<svg" not in joined                                 # figures are PNG files
    for bad in ("<img src=x", "\\href", "\\style", "\\begin{align}", "$$", "@@PLUGINFILE@@/a.png", "{1:SHORTANSWER"):
        assert bad not in joined, bad
    plain = "\n".join(plain_fields(roots))
    assert "\\(" not in plain and "$$" not in plain            # titles and names: no TeX delimiter
    if target == "moodle":
        blanks = moodle_blanks(roots)
        asked = {"NUMERICAL"} if not choice else {"NUMERICAL", "MULTICHOICE_S"}
        assert blanks and {b[1] for b in blanks} <= asked
        for blank in blanks:
            if blank[1] != "MULTICHOICE_S":
                continue
            # as Moodle splits a blank into its alternatives: (fraction, answer, feedback) each
            options = moodle_alternatives(blank[2])
            assert options[0][0] == "100" and len(options) >= 2
            for fraction, value, why in options[1:]:           # each wrong choice: its value, then the words
                assert fraction == "0" and re.fullmatch(r"[-0-9.e\[\], ;]+", value) and "SHORTANSWER" in why
    else:
        choices = [i for root in roots.values() for i in root.iter() if i.tag.endswith("render_choice")]
        assert bool(choices) == choice
