"""Figures in LMS files are PNG files painted from the same drawing as the HTML key's SVG: embedded
in Moodle as a <file> of the feedback referred to by @@PLUGINFILE@@, shipped in the Canvas zip and
referred to from the item; no inline SVG anywhere."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest

from symdl.solve import solve_exam
from symdl.export import render
from symdl.render import svg
from symdl.solution import Figure, Section

Image = pytest.importorskip("PIL.Image")
pytest.importorskip("cairosvg")


def figures_of(result):
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, Section):
                walk(item.items)
            elif isinstance(item, Figure) and item.audience == "model" and str(svg.draw(item, result.question.kind)):
                found.append(item)

    walk(result.solution.sections)
    return found


def test_moodle_feedback_carries_each_figure_as_a_png_file():
    report = solve_exam()
    q1 = next(r for r in report.results if r.question.id == "Q1")
    drawn = figures_of(q1)
    assert drawn                                               # the computational graph
    root = ET.fromstring(render("moodle", [(None, report.exam, [q1])]))
    question = next(q for q in root.iter("question") if q.get("type") == "cloze")
    feedback = question.find("generalfeedback")
    text = feedback.find("text").text
    assert "<svg" not in text
    files = {f.get("name"): base64.b64decode(f.text) for f in feedback.findall("file")}
    referred = re.findall(r'src="@@PLUGINFILE@@/([^"]+)"', text)
    assert referred and set(referred) == set(files) and len(referred) == len(drawn)
    for figure, name in zip(drawn, referred):
        assert files[name].startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(files[name]))
        width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', str(svg.draw(figure, q1.question.kind))).groups())
        assert image.size == (round(1.5 * width), round(1.5 * height))      # the SVG's own size, 1.5 times as fine
        darkest, lightest = image.convert("L").getextrema()
        assert darkest < 100 and lightest > 200                          # drawn: dark strokes on white
