"""Moodle XML: a category per question holding one Moodle question per variant (a pool a quiz's
random question draws from), numerical for a lone number, cloze for anything else (and for every
question with ``multiple_choice``, so that a pool has one type: a dropdown per answer whose mistakes
give choices in every variant), the model answer as general feedback with its figures as files; and
a category of essay questions for the points no blank marks, the rubric as the grader's information.

Moodle's numerical tolerance is absolute (its "nominal" type): the shown value is accepted within
± width; so is a cloze NUMERICAL blank ``{w:NUMERICAL:=shown:width}`` (symdl.export.asking).

Marks: Moodle gives a cloze question the sum of its blanks' integer weights as its mark (it ignores
``<defaultgrade>``), so every mark of the file is k times its exam points, one k for the whole file:
the least integer making every blank's weight whole (1 when the rubric's points are whole). A
variant's part carries each mark as a marker (its exact points); ``Assembly`` knows k once every
variant is in, and writes the marks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

from markupsafe import escape

from symdl.export import answers as answer_model
from symdl.export import asking, content, figures, safe
from symdl.export.spool import Spool, Spooled

PENALTY = "0.3333333"         # Moodle's default penalty per wrong try (interactive behaviours)


def variant_questions(variant, exam, results, *, multiple_choice=False, math="tex", pages=None) -> dict:
    """question id -> the Moodle question element of one variant, serialized as it stands in the
    quiz (None when the question asks no number), and (question id, "by hand") -> the essay
    question of the parts no blank marks: what a variant's process hands back."""
    out = {}
    for result in results:
        page = (pages or {}).get(result.question.id)
        element = question(result, exam, variant, multiple_choice=multiple_choice, math=math, page=page)
        out[result.question.id] = None if element is None else _in_quiz(element)
        essay = by_hand_question(result, exam, variant, math=math, page=page)
        if essay is not None:
            out[(result.question.id, "by hand")] = _in_quiz(essay)
    return out


def _in_quiz(element) -> str:
    """An element as ElementTree writes a child of ``<quiz>`` indented by two spaces."""
    ET.indent(element, space="  ", level=1)
    return ET.tostring(element, encoding="unicode")


class Assembly(Spooled):
    """moodle.xml from every variant's part (``variant_questions``), added in variant order: a
    category per question holding that question of every variant. The parts wait on disk
    (symdl.export.spool), so memory holds one variant's at a time."""

    def __init__(self, exam, question_ids):
        self.exam, self.question_ids, self.count = exam, list(question_ids), 0
        self.spool, self.choices, self.k = Spool(), {}, 1

    def add(self, part: dict):
        self.count += 1
        for key, text in part.items():
            if text is not None:
                self.spool.add(key, "\n  " + text)
                if not isinstance(key, tuple):      # which answers may be a dropdown in every variant
                    found = set(_CHOICE.findall(text))
                    self.choices[key] = found if key not in self.choices else self.choices[key] & found

    def _pool(self, qid):
        """Every variant's question ``qid``, each answer a dropdown only when it is one in every
        variant (a pool's questions have one structure), else its numerical blanks."""
        keep = self.choices.get(qid, set())
        for text in self.spool.texts(qid):
            yield _ALTERNATIVES.sub(lambda m: m.group(2) if m.group(1) in keep else m.group(3), text)

    def _texts(self, key):
        return self._pool(key) if key in self.spool.keys and not isinstance(key, tuple) else \
            self.spool.texts(key) if key in self.spool.keys else ()

    def _scale(self) -> int:
        """k: the least integer making every mark of the file (as written: dropdowns kept or not) whole."""
        k = 1
        for qid in self.question_ids:
            for key in (qid, (qid, "by hand")):
                for text in self._texts(key):
                    k = answer_model.scale((Fraction(m) for m in _MARK.findall(text)), k)
        return k

    def marks(self, text: str) -> str:
        """``text`` with every mark marker written as k x its points (a whole number)."""
        return _MARK.sub(lambda m: decimal_text(Fraction(m.group(1)) * self.k), text)

    def write(self, out):
        """The XML (UTF-8) to the binary stream ``out``: the bytes ElementTree writes for the whole quiz."""
        exam = self.exam
        self.k = self._scale()
        out.write(b"<?xml version='1.0' encoding='utf-8'?>\n<quiz>")
        for qid in self.question_ids:
            category = ET.Element("question", type="category")
            _text(ET.SubElement(category, "category"), _category_path(exam, qid))
            info = ET.SubElement(category, "info", format="html")
            _text(info, safe.html(str(escape(f"{exam.title}: question {qid}"
                                              + (f", {self.count} variants" if self.count > 1 else "")
                                              + _points_note(exam, qid, self.k)))))
            out.write(("\n  " + _in_quiz(category)).encode("utf-8"))
            for text in self._texts(qid):
                out.write(self.marks(text).encode("utf-8"))
            if (qid, "by hand") in self.spool.keys:
                out.write(("\n  " + _in_quiz(_category(exam, qid, BY_HAND, f"{exam.title}: question {qid}, "
                                                        "the parts marked by hand"))).encode("utf-8"))
                for text in self._texts((qid, "by hand")):
                    out.write(self.marks(text).encode("utf-8"))
        out.write(b"\n</quiz>\n")


BY_HAND = "marked by hand"
_CHOICE = re.compile(r"@@symdl-choice:(\d+)@@")
_MARK = re.compile(r"@@symdl-mark:(\d+(?:/\d+)?)@@")
_ALTERNATIVES = re.compile(r"@@symdl-choice:(\d+)@@(.*?)@@symdl-or:\1@@(.*?)@@symdl-end:\1@@", re.S)


def _mark(points) -> str:
    """A mark as a variant's part writes it: its exact points, made k x points by ``Assembly``."""
    return f"@@symdl-mark:{Fraction(points)}@@"


def _points(value) -> Fraction:
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _points_note(exam, qid, k=1) -> str:
    question = next((q for q in exam.questions if q.id == qid), None)
    if question is None or question.points is None:
        return ""
    points = _points(question.points)
    note = f"; {decimal_text(points)} points in the exam, with its parts marked by hand (their own category)"
    if k == 1:
        return note
    total = sum((_points(q.points) for q in exam.questions if q.points is not None), Fraction(0))
    return (note + f"; in Moodle every question of this file is marked {k} times its exam points (this "
            f"question {decimal_text(points * k)} in all, the exam {decimal_text(total * k)}): when you build "
            f"the quiz, set its Maximum grade to {decimal_text(total)}, the exam's total")


def _category_path(exam, qid, suffix=None) -> str:
    return f"$course$/{_path_part(exam.id)}/{_path_part(qid)}" + (f" ({suffix})" if suffix else "")


def _category(exam, qid, suffix, info):
    category = ET.Element("question", type="category")
    _text(ET.SubElement(category, "category"), _category_path(exam, qid, suffix))
    _text(ET.SubElement(category, "info", format="html"), safe.html(str(escape(info))))
    return category


def _path_part(name: str) -> str:
    """A category path component: Moodle splits the path at '/' (a literal one is written '//')."""
    return str(name).replace("/", "//")


def question(result, exam, variant=None, *, multiple_choice=False, math="tex", page=None):
    """One Moodle question element for ``result`` (None when the question asks no number);
    ``page``: its (question text, feedback) from content.pages, rendered here when not given.
    A lone number is a numerical question; anything else, and every question when
    ``multiple_choice`` (so that a pool's variants share one type), a cloze question."""
    asked = answer_model.asked(result)
    if not asked:
        return None
    qid = result.question.id
    kind = "numerical" if len(asked) == 1 and asked[0].shape == () and not multiple_choice else "cloze"
    if kind == "numerical":
        blanks = f"<p>Give {_label(asked[0], math)} {_precision(asked[0])}.</p>"
    else:
        blanks = _cloze_blanks(asked, multiple_choice, math)
    points = sum((b.points for a in asked for b in a.blanks), Fraction(0))
    element = _head(kind, qid, exam, variant, page or content.page(result, math=math, variant=variant), blanks,
                    points)
    if kind == "numerical":
        _numerical(element, asked[0])
    return element


def by_hand_question(result, exam, variant=None, *, math="tex", page=None):
    """An essay question worth the points no blank marks (answer_model.by_hand_points), the
    rubric's text as the grader's information; None when every point is marked by the quiz."""
    points = answer_model.by_hand_points(result)
    if points <= 0:
        return None
    qid = result.question.id
    ask, info = content.by_hand(result, math=math)
    text, feedback, files = page or content.page(result, math=math, variant=variant)
    attached = {name: data for name, data in files.items() if name in text}     # the handout, not the figures
    element = _head("essay", f"{qid} by hand", exam, variant, (text, figures.dropped(feedback), attached), ask,
                    points)
    for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15"),
                       ("attachments", "0"), ("attachmentsrequired", "0")):
        ET.SubElement(element, tag).text = value
    _html(element, "graderinfo", info)
    _html(element, "responsetemplate", "")
    return element


def _head(kind, qid, exam, variant, page, blanks, points=None):
    """A question element's common part: name, text (the page with its blanks), feedback, mark."""
    text, feedback, files = page
    element = ET.Element("question", type=kind)
    _text(ET.SubElement(element, "name"), safe.plain(f"{qid} variant {variant}" if variant else qid))
    question_node = _html(element, "questiontext", figures.refer(text, "@@PLUGINFILE@@/").replace(content.BLANKS, blanks))
    node = _html(element, "generalfeedback", figures.refer(feedback, "@@PLUGINFILE@@/"))
    for name, data in files.items():       # a file of the text's own file area (the handout) or the feedback's
        file = ET.SubElement(question_node if name in text else node, "file", name=name, path="/",
                             encoding="base64")
        file.text = figures.encoded(data)
    if points is not None:
        ET.SubElement(element, "defaultgrade").text = _mark(points)
    ET.SubElement(element, "penalty").text = PENALTY if kind != "essay" else "0"
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = safe.plain(f"{exam.id}-{qid}" + (f"-{variant}" if variant else ""))
    return element


def _numerical(element, answer):
    blank = answer.blanks[0]
    node = ET.SubElement(element, "answer", fraction="100", format="moodle_auto_format")
    _text(node, blank.shown)
    _html(node, "feedback", "")
    ET.SubElement(node, "tolerance").text = blank.width
    ET.SubElement(element, "unitgradingtype").text = "0"
    ET.SubElement(element, "unitpenalty").text = "0.1000000"
    ET.SubElement(element, "showunits").text = "3"        # no units asked
    ET.SubElement(element, "unitsleft").text = "0"


def _precision(answer) -> str:
    return asking.precision_words([(b.exact, asking.Decimal(b.tolerance)) for b in answer.blanks])


def _cloze_blanks(asked, multiple_choice, math) -> str:
    """The blanks of a cloze question as HTML: one line (or table) per answer asked; with
    ``multiple_choice`` an answer with mistakes is written both as a dropdown and as numbers
    (``Assembly`` keeps the dropdown when every variant of the question has one)."""
    lines = []
    for n, answer in enumerate(asked):
        label = _label(answer, math)
        cells = {b.index: f"{{{_mark(b.points)}:NUMERICAL:={b.shown}:{b.width}}}"
                 for b in answer.blanks}
        numbers = f"<p>{label} ({_precision(answer)}):" + (f" {cells[()]}</p>" if answer.shape == () else "</p>"
                                                          + _grid(answer.shape, cells))
        if multiple_choice and answer_model.has_choices(answer):
            options = "~".join(f"%{fraction}%{safe.cloze(_choice_html(text))}"
                               + (f"#{safe.cloze(_choice_html(why))}" if why else "")
                               for fraction, text, why in answer_model.choices(answer))
            weight = _mark(sum((b.points for b in answer.blanks), Fraction(0)))
            numbers = (f"@@symdl-choice:{n}@@<p>{label}: {{{weight}:MULTICHOICE_S:{options}}}</p>"
                       f"@@symdl-or:{n}@@{numbers}@@symdl-end:{n}@@")
        lines.append(numbers)
    return "\n".join(lines)


def _choice_html(text) -> str:
    return safe.html(str(escape(text)))


def _grid(shape, cells) -> str:
    """A vector as one column of blanks, a matrix as its rows."""
    rows = [[cells[(i,)]] for i in range(shape[0])] if len(shape) == 1 else \
        [[cells[(i, j)] for j in range(shape[1])] for i in range(shape[0])]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table border="1" cellpadding="4" style="border-collapse: collapse"><tbody>{body}</tbody></table>'


def _label(answer, math) -> str:
    label = answer.meta.label
    text = content.fragment(label, math=math) if label is not None else f"<code>{safe.html(str(escape(answer.name)))}</code>"
    if answer.meta.unit:
        text += f" ({safe.html(str(escape(answer.meta.unit)))})"
    return text


def decimal_text(value: Fraction) -> str:
    """Points as Moodle writes them (a decimal with up to 7 places)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.7f}"


def _text(parent, text):
    ET.SubElement(parent, "text").text = safe.xml_text(text)


def _html(parent, tag, text):
    node = ET.SubElement(parent, tag, format="html")
    ET.SubElement(node, "text").text = safe.xml_text(text)
    return node
