"""On line the whole training log is in the question (the paper shows an excerpt and hands the log
out on pages of its own): every row of DI504's log, none left out, no word of handing out."""

from __future__ import annotations

import html
import re

from symdl.solve import solve_exam
from symdl.export import content
from symdl.input.spec import default_spec


def test_the_whole_log_is_in_the_lms_question():
    report = solve_exam()
    q5 = next(r for r in report.results if r.question.id == "Q5")
    page = html.unescape(re.sub(r"<[^>]+>", " ", content.question_text(q5, math="tex")))
    flat = " ".join(page.split())
    rows = [l for l in (default_spec().parent / "q5-training-log.txt").read_text().splitlines()
            if l.split("\t")[0].strip().isdigit()]
    assert len(rows) == 101
    for row in rows:
        assert " ".join(row.split()) in flat, row
    assert "rows left out" not in flat and "handed out" not in flat
    assert "The training log (101 rows):" in flat


def _log_rows():
    return [l.split("\t") for l in (default_spec().parent / "q5-training-log.txt").read_text().splitlines()
            if l.split("\t")[0].strip().isdigit()]


def test_the_whole_log_is_a_file_of_the_question_in_moodle_and_canvas():
    """Moodle: a <file> of the question text, linked through @@PLUGINFILE@@ (so in the question's
    own file area), in the numbers' question and in the essay; Canvas: a file of the zip, listed in
    the manifest and linked from every item through $IMS-CC-FILEBASE$. The file holds every row."""
    import base64
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    from symdl.export import render

    report = solve_exam()
    q5 = [r for r in report.results if r.question.id == "Q5"]
    rows = _log_rows()
    root = ET.fromstring(render("moodle", [(None, report.exam, q5)]))
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.get("type") for q in questions] == ["cloze", "essay"]
    for q in questions:
        (file,) = q.findall("questiontext/file")
        name = file.get("name")
        assert f'<a href="@@PLUGINFILE@@/{name}">' in q.find("questiontext/text").text
        lines = base64.b64decode(file.text).decode("utf-8").splitlines()
        assert lines[0].startswith("Epoch\tIteration") and [l.split("\t") for l in lines[1:]] == \
            [[c.strip() for c in r] for r in rows]
    archive = zipfile.ZipFile(io.BytesIO(render("canvas", [(None, report.exam, q5)])))
    (member,) = [n for n in archive.namelist() if n.startswith("web_resources/figures/") and n.endswith(".txt")]
    assert archive.read(member).decode("utf-8").count("\n") == len(rows) + 1
    assert f'href="{member}"' in archive.read("imsmanifest.xml").decode()
    assessment = next(n for n in archive.namelist() if n.count("/") == 1 and not n.endswith("meta.xml"))
    items = ET.fromstring(archive.read(assessment)).iter("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}item")
    link = f'href="$IMS-CC-FILEBASE$/{member.split("/", 1)[1]}"'
    texts = [html.unescape(ET.tostring(i, encoding="unicode")) for i in items]
    assert len(texts) == 4 and all(link in t for t in texts)        # 3 numbers and the essay


def test_a_long_log_stays_an_excerpt_beside_its_file():
    """Over INLINE_ROWS rows the question shows the paper's excerpt and points at the file."""
    from symdl.solution import Table, Text

    whole = Table(["Epoch", "Loss"], [[str(i), "1.0"] for i in range(content.INLINE_ROWS + 1)], role="handout",
                  caption="The training log (201 rows)")
    excerpt = Table(["Epoch", "Loss"], [["0", "1.0"], ["... 199 rows left out here ..."], ["200", "1.0"]],
                    role="excerpt")
    items = content.online([Text("The log's first rows; the whole log is handed out:"), excerpt, whole])
    assert [type(i).__name__ for i in items] == ["Text", "Table", "Text"]
    assert items[1] is excerpt and "file" in str(items[0].parts[0]) and "handed out" not in str(items[0].parts[0])
    short = content.online([Text("lead"), excerpt, Table(["Epoch"], [["1"]] * 5, role="handout", caption="log")])
    assert len(short[1].rows) == 5                                   # shown whole
