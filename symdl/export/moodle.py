"""Moodle XML: a category per question holding one Moodle question per variant (a pool a quiz's
random question draws from), numerical for a lone number, cloze for vectors, matrices and several
answers, the model answer as general feedback; with ``multiple_choice`` the derived mistakes are
the distractors.

Moodle's numerical tolerance is absolute (its "nominal" type): the value is accepted within
[value - tolerance, value + tolerance]; so is a cloze NUMERICAL blank ``{w:NUMERICAL:=value:tolerance}``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction

from markupsafe import escape

from symdl.export import answers as answer_model
from symdl.export import content
from symdl.export.spool import Spool, Spooled
from symdl.render import html

PENALTY = "0.3333333"         # Moodle's default penalty per wrong try (interactive behaviours)


def variant_questions(variant, exam, results, *, multiple_choice=False, math="tex", pages=None) -> dict:
    """question id -> the Moodle question element of one variant, serialized as it stands in the
    quiz (None when the question asks no number): what a variant's process hands back."""
    out = {}
    for result in results:
        element = question(result, exam, variant, multiple_choice=multiple_choice, math=math,
                           page=(pages or {}).get(result.question.id))
        out[result.question.id] = None if element is None else _in_quiz(element)
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
        self.spool = Spool()

    def add(self, part: dict):
        self.count += 1
        for qid, text in part.items():
            if text is not None:
                self.spool.add(qid, "\n  " + text)

    def write(self, out):
        """The XML (UTF-8) to the binary stream ``out``: the bytes ElementTree writes for the whole quiz."""
        exam = self.exam
        out.write(b"<?xml version='1.0' encoding='utf-8'?>\n<quiz>")
        for qid in self.question_ids:
            category = ET.Element("question", type="category")
            _text(ET.SubElement(category, "category"), f"$course$/{_path_part(exam.id)}/{_path_part(qid)}")
            info = ET.SubElement(category, "info", format="html")
            _text(info, f"{exam.title}: question {qid}" + (f", {self.count} variants" if self.count > 1 else ""))
            out.write(("\n  " + _in_quiz(category)).encode("utf-8"))
            if qid in self.spool.keys:
                self.spool.copy(qid, out)
        out.write(b"\n</quiz>\n")


def _path_part(name: str) -> str:
    """A category path component: Moodle splits the path at '/' (a literal one is written '//')."""
    return str(name).replace("/", "//")


def question(result, exam, variant=None, *, multiple_choice=False, math="tex", page=None):
    """One Moodle question element for ``result`` (None when the question asks no number);
    ``page``: its (question text, feedback) from content.pages, rendered here when not given."""
    asked = answer_model.asked(result)
    if not asked:
        return None
    choices = multiple_choice and any(a.mistakes for a in asked)
    qid = result.question.id
    if len(asked) == 1 and asked[0].shape == ():
        kind = "multichoice" if choices else "numerical"
        blanks = ""
    else:
        kind = "cloze"
        blanks = _cloze_blanks(asked, multiple_choice, math)
    element = ET.Element("question", type=kind)
    _text(ET.SubElement(element, "name"), f"{qid} variant {variant}" if variant else qid)
    text, feedback = page or content.page(result, math=math, variant=variant)
    _html(element, "questiontext", text.replace(content.BLANKS, blanks))
    _html(element, "generalfeedback", feedback)
    if kind != "cloze":
        ET.SubElement(element, "defaultgrade").text = decimal_text(asked[0].points)
    ET.SubElement(element, "penalty").text = PENALTY
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = f"{exam.id}-{qid}" + (f"-{variant}" if variant else "")
    if kind == "numerical":
        _numerical(element, asked[0])
    elif kind == "multichoice":
        _multichoice(element, asked[0])
    return element


def _numerical(element, answer):
    blank = answer.blanks[0]
    node = ET.SubElement(element, "answer", fraction="100", format="moodle_auto_format")
    _text(node, blank.value)
    _html(node, "feedback", "")
    ET.SubElement(node, "tolerance").text = blank.tolerance
    ET.SubElement(element, "unitgradingtype").text = "0"
    ET.SubElement(element, "unitpenalty").text = "0.1000000"
    ET.SubElement(element, "showunits").text = "3"        # no units asked
    ET.SubElement(element, "unitsleft").text = "0"


def _multichoice(element, answer):
    ET.SubElement(element, "single").text = "true"
    ET.SubElement(element, "shuffleanswers").text = "true"
    ET.SubElement(element, "answernumbering").text = "abc"
    for fraction, text, why in answer_model.choices(answer):
        node = ET.SubElement(element, "answer", fraction=fraction, format="html")
        _text(node, str(escape(text)))
        _html(node, "feedback", str(escape(why)))


def _cloze_blanks(asked, multiple_choice, math) -> str:
    """The blanks of a cloze question as HTML: one line (or table) per answer asked."""
    weights = _weights(asked)
    lines = []
    with html.math_output(math):
        for answer in asked:
            label = _label(answer)
            if multiple_choice and answer.mistakes:
                options = "~".join(f"%{fraction}%{_cloze_escape(text)}" + (f"#{_cloze_escape(why)}" if why else "")
                                   for fraction, text, why in answer_model.choices(answer))
                weight = sum(weights[(answer.name, b.index)] for b in answer.blanks)
                lines.append(f"<p>{label}: {{{weight}:MULTICHOICE_S:{options}}}</p>")
                continue
            cells = {b.index: f"{{{weights[(answer.name, b.index)]}:NUMERICAL:={b.value}:{b.tolerance}}}"
                     for b in answer.blanks}
            lines.append(f"<p>{label}:" + (f" {cells[()]}</p>" if answer.shape == () else "</p>"
                                           + _grid(answer.shape, cells)))
    return "\n".join(lines)


def _grid(shape, cells) -> str:
    """A vector as one column of blanks, a matrix as its rows."""
    rows = [[cells[(i,)]] for i in range(shape[0])] if len(shape) == 1 else \
        [[cells[(i, j)] for j in range(shape[1])] for i in range(shape[0])]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table border="1" cellpadding="4" style="border-collapse: collapse"><tbody>{body}</tbody></table>'


def _label(answer) -> str:
    label = answer.meta.label
    text = str(html.cell(label)) if label is not None else f"<code>{escape(answer.name)}</code>"
    if answer.meta.unit:
        text += f" ({escape(answer.meta.unit)})"
    return text


def _weights(asked) -> dict:
    """(answer, index) -> the blank's integer cloze weight: the points per blank in least integers."""
    points = {(a.name, b.index): a.points / len(a.blanks) for a in asked for b in a.blanks}
    scale = math.lcm(*(p.denominator for p in points.values()))
    numbers = {k: int(p * scale) for k, p in points.items()}
    divisor = math.gcd(*numbers.values()) or 1
    return {k: max(1, n // divisor) for k, n in numbers.items()}


def _cloze_escape(text: str) -> str:
    """A cloze answer or feedback with Moodle's special characters (} # ~ / " \\) escaped."""
    return "".join("\\" + c if c in '}#~/"\\' else c for c in str(text))


def decimal_text(value: Fraction) -> str:
    """Points as Moodle writes them (a decimal with up to 7 places)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.7f}"


def _text(parent, text):
    ET.SubElement(parent, "text").text = text


def _html(parent, tag, text):
    node = ET.SubElement(parent, tag, format="html")
    ET.SubElement(node, "text").text = text
    return node
