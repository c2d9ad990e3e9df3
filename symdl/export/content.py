"""What an LMS question shows: the question text (with its given data) and the model answer as feedback.

Both are HTML made from the same Solution as the answer key (symdl/render/html.py): the feedback
is the key's section of the question, model answers only, no JavaScript, its figures as PNG files
(symdl.export.figures). Math is written as ``math`` says: "mathml" (latex2mathml, as the HTML key)
or "tex" (the printer's LaTeX between ``\\( \\)``, for the LMS's MathJax; docs/lms.md). Every page
goes through symdl.export.safe: spec text in it cannot become a blank, HTML or MathJax input.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import re
import signal
from pathlib import Path

from markupsafe import Markup, escape

from symdl import kinds
from symdl.export import figures, safe
from symdl.render import html
from symdl.solution import Table, Tex, Text
from symdl.export.answers import asked_names
from symdl.grading import rubric

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "lms"
MATH = ("mathml", "tex")

_ENV = None
_MATHLIKE = re.compile(r"\s*(?:[-+\d.\[(]|.*\\)", re.S)    # LaTeX, a bracket or a number: math


def _environment():
    global _ENV
    if _ENV is None:
        _ENV = html.environment(TEMPLATES)
    return _ENV


def given_items(result) -> list:
    """The question's data as the exam sheet shows it: ``solution.given``, else the kind's
    ``sheet(question)``; an empty list when neither is there (then the spec's data is shown)."""
    if result.solution.given:
        return list(result.solution.given)
    kind = result.kind or kinds.get(result.question.kind)
    if kind is not None and kind.sheet is not None:
        return online(list(kind.sheet(result.question) or []))
    return []


INLINE_ROWS = 200      # a handed-out table up to this many rows is shown whole in the question
_HANDOUT = "symdl-handout-link-{}"     # where the link to a handout's file goes (page() writes it)


def online(items) -> list:
    """The sheet's items for a student on line: data the paper hands out on pages of its own (a
    Table with role "handout": the whole training log) is a file attached to the question, and
    shown in it whole in place of the paper's excerpt when it has at most INLINE_ROWS rows (else
    the excerpt stays, led by a sentence pointing at the file)."""
    handouts = [it for it in items if getattr(it, "role", None) == "handout"]
    if not handouts:
        return items
    out = []
    for it in items:
        if getattr(it, "role", None) == "excerpt":
            if out and isinstance(out[-1], Text):
                out.pop()                                     # "the log's first 16 and last 8 rows; ..."
            for n, h in enumerate(handouts):
                if len(h.rows) <= INLINE_ROWS:
                    out += [Text(f"{h.caption}:"), dataclasses.replace(h, caption="", role="excerpt")]
                else:
                    out += [Text(f"{h.caption}, its first and last rows (the whole of it is the file below):"), it]
                out.append(Text(_HANDOUT.format(n)))
        elif getattr(it, "role", None) != "handout":
            out.append(it)
    return out


def handouts(result) -> list:
    """The tables the paper hands out on pages of their own (the whole training log)."""
    if result.solution.given:
        return []
    kind = result.kind or kinds.get(result.question.kind)
    if kind is None or kind.sheet is None:
        return []
    return [it for it in kind.sheet(result.question) or [] if getattr(it, "role", None) == "handout"]


def _handout_files(result, text, stem) -> tuple:
    """(``text`` with each handout's marker made a link to its file, {file name: bytes}): the
    table as tab-separated text, named by the question, its number and a hash of its content."""
    files = {}
    for n, table in enumerate(handouts(result)):
        lines = ["\t".join(str(c) for c in table.header)] + ["\t".join(str(c) for c in row) for row in table.rows]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        name = f"{figures.stem(stem)}-handout-{n + 1}-{hashlib.sha256(data).hexdigest()[:10]}.txt"
        files[name] = data
        link = (f'<p>The same as a file to download (tab-separated text, a row a line, {len(table.rows)} rows): '
                f'<a href="{figures.SRC}{name}">{name}</a></p>')
        text = text.replace(f"<p>{_HANDOUT.format(n)}</p>", link, 1)
    return text, files


def spec_given(question) -> list:
    """The question's data as the spec writes it, shown when the kind gives no sheet: each LaTeX
    value (top level and one table down; a formula as is, a symbol as ``W = ...``), and each list
    of tables (cases, layers) as a table with a column per key."""
    items = []
    for name, value in question.fields.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items.append(_spec_table(name, value))
            continue
        for key, text in (value.items() if isinstance(value, dict) else [(name, value)]):
            if not (isinstance(text, str) and _MATHLIKE.match(text)):
                continue
            if "=" in text:                                   # a formula: shown as written
                items.append(Text(Tex(text)))
            elif re.fullmatch(r"[A-Za-z](_[A-Za-z0-9]+)?", key):
                items.append(Text(Tex(f"{key} = {text}")))    # a symbol: W = ...
            else:
                items.append(Text(f"{key.replace('_', ' ')} = ", Tex(text)))
    return items


def _spec_table(name, rows) -> Table:
    header = list(dict.fromkeys(k for row in rows for k in row))
    def cell(v):
        if isinstance(v, str):
            return Tex(v) if "\\" in v or v.lstrip().startswith("[") else v
        return "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
    return Table(header=header, rows=[[cell(row.get(k)) for k in header] for row in rows], caption=name)


def question_text(result, blanks="", *, math="mathml", variant=None) -> str:
    """The question's HTML: its title and text, the given data, its parts, then ``blanks``."""
    given = given_items(result) or spec_given(result.question)
    with html.math_output(math):
        return safe.html(_environment().get_template("question-text.html.j2").render(
            q=result.question, given=given, blanks=Markup(blanks), variant=variant))


def feedback(result, *, math="mathml") -> str:
    """The model answer of the question as HTML (the key's section of it, model answers only)."""
    with html.math_output(math):
        return safe.html(html.question(result, audience="model", checks=False))


def fragment(value, *, math="mathml") -> str:
    """A label, a rubric item or a mistake's words (plain text or Text) as inert HTML."""
    with html.math_output(math):
        return safe.html(str(html.cell(value)))


def by_hand(result, *, math="mathml") -> tuple:
    """(what the student is asked to write, the grader's information) for what an LMS cannot mark:
    the rubric's items no blank asks (criteria, yes/no answers) with their points, then the
    grader's notes without points (accepted alternatives, the model answer's answers in words)."""
    sol, question = result.solution, result.question
    items = _by_hand_items(result, set(asked_names(result)), math)
    parts = [p for p, _, _ in question.part_list() if p and any(part == p for part, _, _ in items)]
    ask = ("<p>Explain your answers" + (" to parts " + ", ".join(f"({escape(n)})" for n in parts)
                                        if parts else "") + ": the reasoning, the verdicts and what you would do, "
           "as asked above. This part is marked by hand.</p>")
    lines = [f"<li>{f'({escape(part)}) ' if part else ''}{text} [{escape(_points_text(points))} pt]</li>"
             for part, text, points in items]
    for item in sol.rubric:
        if item.slug and not item.alternative:
            continue                                          # a criterion: listed above with its points
        where = f"({escape(item.part)}) " if item.part else ""
        lines.append(f"<li>{where}{'accepted: ' if item.alternative else ''}{fragment(item.text, math=math)}</li>")
    for meta in sol.meta.values():
        if meta.final and isinstance(meta.value, str):      # an answer in words: the model answer's
            label = fragment(meta.label, math=math) if meta.label is not None else escape(meta.name)
            lines.append(f"<li>{label} (model answer): {fragment(meta.value, math=math)}</li>")
    total = sum((points for _, _, points in items), 0)
    info = (f"<p>Rubric for what the quiz does not mark ({escape(_points_text(total))} points):</p><ul>"
            + "".join(lines) + "</ul>") if lines else "<p>Mark against the model answer (general feedback).</p>"
    return safe.html(ask), info


def _by_hand_items(result, asked, math) -> list:
    """(part, HTML, points) of every rubric item of ``result`` (symdl.grading.rubric) whose answer no blank
    asks: criteria in the kind's words, yes/no answers with their value."""
    from sympy.logic.boolalg import BooleanAtom


    sol, question = result.solution, result.question
    try:
        graded = rubric.items(question, sol)
    except Exception:  # noqa: BLE001 - a result made by hand without a rubric (a test): no items
        return []
    criteria = {(c.part, c.slug): c for c in sol.rubric if c.slug and not c.alternative}
    out = []
    for item in graded:
        if item.answer in asked:
            continue
        if item.answer is None:
            prefix = f"{question.id}." + (f"{item.part}." if item.part else "")
            crit = criteria.get((item.part, item.column[len(prefix):]))
            text = fragment(crit.text if crit is not None else item.text, math=math)
            if crit is not None and crit.model and crit.model != str(crit.text):
                text += f" (a full answer: {fragment(crit.model, math=math)})"
        else:
            meta = sol.meta[item.answer]
            value = rubric.entry_of(meta.value, item.entry)
            if isinstance(value, (bool, BooleanAtom)):
                value = "yes" if bool(value) else "no"
            label = fragment(meta.label, math=math) if meta.label is not None else escape(meta.name)
            text = f"{label}: {fragment(str(value), math=math)}"
        out.append((item.part, text, item.points))
    return out


def _points_text(points) -> str:
    from fractions import Fraction

    points = Fraction(points)
    return str(points.numerator) if points.denominator == 1 else f"{float(points):g}"


BLANKS = "<!--symdl:blanks-->"     # where a writer puts its blanks into a page's question text
PARALLEL_FROM = 8                   # variants from which the pages are rendered on two processes
_JOB = None                         # (items, math) for the forked workers


_KEPT: dict = {}                    # id(result) -> (result, math, variant, page): the pages made this run
MAX_KEPT = 20000


def page(result, *, math="mathml", variant=None) -> tuple:
    """(question text with the BLANKS marker, feedback, {file name: bytes}) of one question: the
    feedback's figures as <img> placeholders of their PNG (symdl.export.figures), the data handed
    out as a link placeholder in the text to its file; a page made before in this
    process for the same result object is reused (Moodle and Canvas exports of one run)."""
    kept = _KEPT.get(id(result))
    if kept is not None and kept[0] is result and kept[1:3] == (math, variant):
        return kept[3]
    stem = f"{result.question.id}-{variant}" if variant else result.question.id
    answer, files = figures.extract(feedback(result, math=math), stem)
    text, attached = _handout_files(result, question_text(result, BLANKS, math=math, variant=variant), stem)
    made = text, answer, {**files, **attached}
    _keep(result, math, variant, made)
    return made


def _keep(result, math, variant, made):
    if len(_KEPT) >= MAX_KEPT:
        _KEPT.clear()
    _KEPT[id(result)] = (result, math, variant, made)


def pages(items, *, math="mathml", workers=None) -> dict:
    """(item position, question id) -> page, for every question that asks a number.

    The pages of many variants are rendered by forked processes (two, or ``workers``), each
    inheriting ``items`` (nothing is pickled but the HTML coming back); in the given order.
    """
    global _JOB
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(items) >= PARALLEL_FROM else 1
    todo = [i for i in range(len(items)) if not all(_is_kept(r, math, items[i][0]) for r in items[i][2])]
    if workers < 2 or len(todo) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return {key: value for i in range(len(items)) for key, value in _item_pages(items, math, i)}
    _JOB = (items, math)
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet_worker) as pool:
            chunks = pool.map(_forked_pages, todo, chunksize=max(1, len(todo) // (4 * workers)))
    finally:
        _JOB = None
    for i, chunk in zip(todo, chunks):
        results = {r.question.id: r for r in items[i][2]}
        for (_, qid), made in chunk:
            _keep(results[qid], math, items[i][0], made)
    return {key: value for i in range(len(items)) for key, value in _item_pages(items, math, i)}


def _is_kept(result, math, variant) -> bool:
    kept = _KEPT.get(id(result))
    return kept is not None and kept[0] is result and kept[1:3] == (math, variant)


def _item_pages(items, math, i) -> list:

    variant, _, results = items[i]
    return [((i, r.question.id), page(r, math=math, variant=variant)) for r in results if asked_names(r)]


def _forked_pages(i) -> list:
    items, math = _JOB
    return _item_pages(items, math, i)


def _quiet_worker():
    """A worker leaves SIGINT to its parent and ends quietly on SIGTERM (the pool's own stop)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
