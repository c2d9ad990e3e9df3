"""The exam sheet: what the students get shows every question, its givens, blanks and space to answer,
and no answer: every answer's displayed value (and Q4's exact integers) is looked for in the PDF's text
(pdftotext); a number that equals an answer may appear only when the spec or its data file gives it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from support import DOCS, answer_values, shared_derive
from symdl.derive import derive
from symdl.render import pdf as pdf_render
from symdl.input.spec import default_spec

ROOT = DOCS.parent.parent
DATA_FOLDERS = [ROOT / "tests" / "data" / "logs", ROOT / "symdl" / "data" / "di504"]
HEAD, TAIL = 16, 8       # the log lines the sheet promises to show (first and last)

needs_tex = pytest.mark.skipif(not pdf_render.tex_available() or shutil.which("pdftotext") is None,
                               reason="latexmk/pdflatex or pdftotext not installed")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")   # 12,864 as the key writes it


def numbers(text: str) -> set:
    """Every number written in ``text``, as exact Decimals of its absolute value (a sign is not a number)."""
    out = set()
    for token in _NUMBER.findall(text):
        try:
            out.add(Decimal(token.replace(",", "")))
        except InvalidOperation:
            pass
    return out


def shown_forms(value) -> set:
    """The ways a key may display ``value``: an integer exactly, a float at 2 to 6 significant digits."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return set()
    if isinstance(value, (list, tuple)):
        return set().union(*(shown_forms(v) for v in value)) if value else set()
    if isinstance(value, int) or float(value).is_integer():
        return {Decimal(abs(int(value)))}
    return {Decimal(f"{abs(value):.{digits}g}") for digits in range(2, 7)}


def given_numbers(spec: Path, exam_tex_pages: int, extra=()) -> set:
    """Numbers the spec and its data files give (comments dropped), the page numbers, and ``extra``."""
    text = "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
                     for line in spec.read_text().splitlines())
    given = numbers(text)
    for question in tomllib.loads(spec.read_text()).get("question", []):
        if "log" in question:
            given |= numbers((spec.parent / question["log"]).read_text())
    from symdl.input.spec import load_exam

    exam = load_exam(spec)
    for value in exam.drawn.values():                    # a spec with draws gives the values drawn
        given |= numbers(str(value))
    for question in exam.questions:                      # a generated training log is given whole
        if question.kind == "training_log" and question.has("generate"):
            from symdl.kinds.training_log.source import log_text

            text = log_text(question)[0]
            given |= numbers(text) | {Decimal(len([line for line in text.splitlines() if line.strip()]))}
    return given | {Decimal(n) for n in range(1, exam_tex_pages + 1)} | {Decimal(n) for n in extra}


def structural(spec: Path) -> set:
    """Counts the sheet states itself: questions, total points, the log lines shown and left out, the
    answer policy's figures ("Give numbers to 3 significant figures")."""
    data = tomllib.loads(spec.read_text())
    out = {len(data.get("question", [])), sum(q.get("points", 0) for q in data.get("question", [])), HEAD, TAIL}
    policy = data.get("exam", {}).get("grading", {})
    out |= {policy.get("figures", 3), policy.get("partial", {}).get("figures", 3)}
    out |= {q.get("grading", {}).get("figures", 3) for q in data.get("question", [])}
    for question in data.get("question", []):
        if "log" in question:
            lines = [l for l in (spec.parent / question["log"]).read_text().splitlines() if l.strip()]
            out.add(len(lines) - 1 - HEAD - TAIL)
    return out


def leaks(answers_json: dict, pdf_text: str, given: set) -> list:
    """(question, answer, number) for every answer shown in ``pdf_text`` that no given explains; and
    (question, answer, text) for a text answer written out."""
    shown = numbers(pdf_text)
    flat = " ".join(pdf_text.split())
    out = []
    for q in answers_json["questions"]:
        for name, value in answer_values(q).items():
            if isinstance(value, str) and len(value) > 12 and " ".join(value.split())[:40] in flat:
                out.append((q["id"], name, value[:40]))
            for number in shown_forms(value):
                if number in shown and number not in given:
                    out.append((q["id"], name, str(number)))
    return out


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def derived(report):
    """(folder, answers.json) of a derivation made once for the run (support.shared_derive)."""
    assert report.verified and {"exam-sheet.pdf", "exam-sheet.tex"} <= set(report.files)
    folder = report.folder
    return folder, json.loads((folder / "answers.json").read_text())


def docs_examples():
    from support import docs_exam_blocks

    return [pytest.param(block, id=name) for name, block in docs_exam_blocks()]


@pytest.fixture(scope="module")
def di504(tmp_path_factory):
    folder, answers = derived(shared_derive(tmp_path_factory, default_spec()))   # also other files' DI504
    sheet = folder / "exam-sheet.pdf"
    return folder, answers, pdf_text(sheet), pages(sheet)


# ---------------------------------------------------------------------------- no answer ---

@needs_tex
def test_the_di504_sheet_shows_no_answer(di504):
    folder, answers, text, n = di504
    given = given_numbers(default_spec(), n, structural(default_spec()))
    assert leaks(answers, text, given) == []


@needs_tex
def test_the_leak_detector_finds_the_answers_in_the_answer_key(di504):
    """The same search over the answer key finds answers of every question (so it can fail)."""
    folder, answers, _, n = di504
    key = pdf_text(folder / "answer-key.pdf")
    found = leaks(answers, key, given_numbers(default_spec(), n, structural(default_spec())))
    assert {q for q, _, _ in found} == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    # Q4's exact integers, e.g. conv1_1's output height 2808 and its 12864 learnables (DI504 key)
    assert ("Q4", "conv1_1.output", "2808") in found and ("Q4", "conv1_1.learnables", "12864") in found


@needs_tex
def test_no_q4_integer_answer_is_on_the_sheet(di504):
    """Every exact integer answer of Q4 (output sizes, weight shapes, learnables, totals) that the spec
    does not give is absent from the sheet's text, as a whole number."""
    _, answers, text, n = di504
    q4 = next(q for q in answers["questions"] if q["id"] == "Q4")
    given = given_numbers(default_spec(), n, structural(default_spec()))
    words = set(re.findall(r"(?<![\d.])\d+(?![\d.]*\d)", text))    # whole numbers, not a decimal's digits
    ints = {abs(int(v)) for value in answer_values(q4).values() if not isinstance(value, (str, bool))
            for v in (value if isinstance(value, list) else [value]) if not isinstance(v, list)}
    hidden = {i for i in ints if Decimal(i) not in given}
    assert hidden and {2808, 468, 78, 12864, 5427338} <= hidden
    assert {str(i) for i in hidden} & words == set()


@needs_tex
@pytest.mark.parametrize("block", docs_examples())
def test_no_docs_example_sheet_shows_an_answer(tmp_path_factory, tmp_path, monkeypatch, block):
    from support import with_documented_kinds

    with_documented_kinds(block, tmp_path, monkeypatch)     # given_numbers reads the spec: its kind must be known
    # derived once for this test and test_docs_examples.py's (support.shared_derive), docs/new-kind.md's
    # kind installed first where the example uses it, the data file it names copied beside it
    data = [next(f / q["log"] for f in DATA_FOLDERS if (f / q["log"]).is_file())
            for q in tomllib.loads(block).get("question", []) if "log" in q]
    built = shared_derive(tmp_path_factory, block, data, docs_block=True)
    folder, answers = derived(built)
    spec = built.spec
    sheet = folder / "exam-sheet.pdf"
    text = pdf_text(sheet)
    assert leaks(answers, text, given_numbers(spec, pages(sheet), structural(spec))) == []
    for q in tomllib.loads(block).get("question", []):
        assert f"Question {question_number(q['id'])}" in text


# ---------------------------------------------------------------------------- what it shows ---

def question_number(qid):
    """The exam's own numbering: "Q1" is question 1 (an id without a number is shown as it is)."""
    return re.fullmatch(r"[Qq]?(\d+)", qid).group(1) if re.fullmatch(r"[Qq]?(\d+)", qid) else qid


@needs_tex
def test_the_di504_sheet_is_the_paper(di504):
    """Everything the original paper says (seed exam): the logistics, every rule, every question as
    "Question 1 (20 points)", every part with its points; the questions and the handed-out log."""
    _, _, text, n = di504
    assert 8 <= n <= 11              # 5 questions of a page or two each, the 101-row log on 2-3 pages
    flat = re.sub(r"([a-z])- ([a-z])", r"\1\2", " ".join(text.split()))     # words TeX hyphenated
    spec = tomllib.loads(default_spec().read_text())
    assert spec["exam"]["title"] in flat and spec["exam"]["date"] in flat
    for line in spec["exam"]["instructions"]:
        assert line in flat
    for words in ("upload the exam to ODTUClass", "do not email", "simple photo", "20:00-23:59", "4 hours"):
        assert words in flat, words
    for q in spec["question"]:
        assert f"Question {question_number(q['id'])} ({q['points']} points): {q['title']}" in flat
        for label, part in q.get("parts", {}).items():
            words = part["text"] if isinstance(part, dict) else part
            if isinstance(part, dict):              # the seed's part points, e.g. Q1 c) (10 points)
                assert f"{label}) ({part['points']} points) {' '.join(words.split())[:50]}" in flat
            else:
                assert f"{label}) {' '.join(words.split())[:50]}" in flat
    # Q1's W and x, Q2's b and upstream, Q3's B and case d's input, as the exam gives them
    for given in ("0.3 0.2", "0.5", "0.124", "0.3 0.1 0.7 0.9", "2.1 3.4 4.5 2.8 7.1", "without regularization"):
        assert given in flat.replace("−", "").replace("-", ""), given
    # Q4: the given columns filled, the derived ones blank, as on the DI504 paper: a '?' for each
    # output asked for (8 conv and pool layers, 3 fc, the softmax: 13) and for the weights and the
    # bias of each layer but conv1_1, whose learnables the paper gives (11 layers)
    assert "200 x 1 x 1 x 64" in flat and "Bias: 1 x 1 x 64" in flat
    assert "3001 x 33 x 1" in flat and "10 categories" in flat
    assert flat.count("?") == 13 + 2 * 11 + sum(p.count("?") for q in spec["question"]
                                                   for p in [q.get("text", ""), *(v["text"] if isinstance(v, dict) else v
                                                                             for v in q.get("parts", {}).values())])


@needs_tex
def test_the_log_excerpt_is_verbatim_and_says_what_it_leaves_out(di504):
    """The question shows the first 16 and last 8 rows and counts the rows between (77 of 101: the log
    file also holds the original paper's page headers, which are no rows); the whole log, every row
    verbatim, is handed out on pages of its own after the questions."""
    _, _, text, _ = di504
    log = [l for l in (default_spec().parent / "q5-training-log.txt").read_text().splitlines() if l.strip()]
    data = [l for l in log[1:] if l.split("\t")[0].strip().isdigit()]       # a row starts with its epoch
    assert (len(log) - 1, len(data)) == (107, 101)
    question, handout = text.split("Handout, question 5")
    rows = [" ".join(l.split()) for l in question.splitlines()]
    for line in data[:HEAD] + data[-TAIL:]:
        assert " ".join(line.split()) in rows
    assert " ".join(data[HEAD].split()) not in rows
    flat = " ".join(question.split())
    assert f"{len(data) - HEAD - TAIL} rows left out" in flat and f"the whole log ({len(data)} rows)" in flat
    handed = [" ".join(l.split()) for l in handout.splitlines()]
    assert all(" ".join(line.split()) in handed for line in data)
    assert "The training log (101 rows)" in " ".join(handout.split())
    assert "Duration" not in handout            # the original paper's page headers are no rows


def test_the_sheet_command_writes_its_folder_and_refuses_bad_input(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "symdl", "sheet", "--out", str(out), "--no-pdf"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = out / "di504-midterm-2021-sheet"
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", "exam-sheet.tex"]
    bad = tmp_path / "bad.toml"
    bad.write_text(default_spec().read_text().replace('given = ["learnables"]', 'given = ["weights"]'))
    shutil.copy(default_spec().parent / "q5-training-log.txt", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "symdl", "sheet", str(bad), "--out", str(tmp_path / "o2")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "question Q4" in proc.stderr and "layer.conv1_1.given" in proc.stderr
    assert not (tmp_path / "o2").exists()


def test_parts_given_as_tables_show_their_points_and_get_space_by_points(tmp_path):
    """A part may be a string or a table {text, points}: the points are printed and the answer
    space grows with them (render/sheet.py: CM_PER_POINT per point, at least MIN_SPACE_CM); parts
    given as strings share the question's points evenly for their space."""
    from symdl.render import sheet
    from symdl.input.spec import load_exam

    spec = tmp_path / "parts.toml"
    head = '[exam]\nid = "p"\ntitle = "Parts"\n[[question]]\nid = "Q1"\nkind = "graph"\npoints = 30\n' \
           "function = 'f = x^{2}'\n[question.values]\nx = '3'\n"
    spec.write_text(head + '[question.parts.a]\ntext = "Draw the graph."\npoints = 5\n'
                    '[question.parts.b]\ntext = "Differentiate it."\npoints = 25\n')
    exam = load_exam(spec)
    (q,) = sheet.questions(exam)
    assert [(p.label, p.text, p.points) for p in q.parts] == [("a", "Draw the graph.", 5), ("b", "Differentiate it.", 25)]
    assert q.parts[0].space_cm == pytest.approx(max(sheet.MIN_SPACE_CM, 5 * sheet.CM_PER_POINT))
    assert q.parts[1].space_cm == pytest.approx(min(sheet.MAX_SPACE_CM, 25 * sheet.CM_PER_POINT))
    tex = sheet.render(exam, [q])
    assert r"\textbf{a)} \textbf{(5 points)} Draw the graph." in tex
    assert r"\textbf{b)} \textbf{(25 points)} Differentiate it." in tex
    spec.write_text(head + '[question.parts]\na = "Draw it."\nb = "Differentiate it."\n')
    (q,) = sheet.questions(load_exam(spec))
    assert [p.points for p in q.parts] == [None, None]
    assert q.parts[1].space_cm == pytest.approx(15 * sheet.CM_PER_POINT)     # 30 points over two parts
    assert r"\textbf{b)} Differentiate it." in sheet.render(load_exam(spec), [q])


def test_derive_refuses_a_bad_sheet_field_and_writes_nothing(tmp_path):
    from symdl.errors import SpecError

    spec = tmp_path / "bad.toml"
    spec.write_text(default_spec().read_text().replace('given = ["learnables"]', 'given = ["bias"]'))
    shutil.copy(default_spec().parent / "q5-training-log.txt", tmp_path)
    with pytest.raises(SpecError) as err:
        derive(spec, tmp_path / "out", pdf=False)
    assert err.value.question == "Q4" and err.value.field == "layer.conv1_1.given"
    assert not (tmp_path / "out").exists()


@needs_tex
def test_each_question_opens_its_page_and_keeps_its_emphasis(di504):
    """No heading or lead-in left at a page's foot: questions 2-5 each open a page (pdftotext's form
    feed between pages); Q4's warning is bold and conv3_2's size and padding underlined as on the
    original; Q3 gives the softmax the question's text names."""
    folder, _, _, _ = di504
    text = pdf_text(folder / "exam-sheet.pdf")
    pages_text = text.split("\f")
    for number in (2, 3, 4, 5):
        page = next(p for p in pages_text if f"Question {number} (" in p)
        assert page.lstrip().startswith(f"Question {number} ("), number
    tex = (folder / "exam-sheet.tex").read_text()
    assert r"\textbf{Please read the parameters very carefully!}" in tex
    assert r"\underline{size: 3 x 2 x 128}" in tex and r"\underline{padding: [1 1 ; 1 1]}" in tex
    assert tex.count(r"\underline{") == 2
    assert r"P(y = k \mid \mathbf{x}) = \frac{e^{s_k}}{\sum_j e^{s_j}}" in tex


def test_emphasis_names_only_the_layers_parameters(tmp_path):
    from symdl.errors import SpecError
    from symdl.kinds import get
    from support import one_question

    body = ('[[question.layer]]\nname = "in"\ntype = "input"\nsize = [8, 8, 1]\n[[question.layer]]\nname = "c"\n'
            'type = "conv"\nfilters = 2\nsize = [3, 3]\nemphasis = ["stride"]\n')
    q = one_question(tmp_path, "architecture", body)
    q.values = get("architecture").schema.check(q)
    with pytest.raises(SpecError) as err:
        get("architecture").sheet(q)
    assert "layer.c.emphasis" in str(err.value) and "filters, size" in str(err.value)
