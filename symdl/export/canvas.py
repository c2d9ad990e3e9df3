"""Canvas QTI 1.2 package (canvas-qti.zip) as Canvas exports a classic quiz: imsmanifest.xml at
the root, the assessment ``<id>/<id>.xml``, ``<id>/assessment_meta.xml`` and the figures.

Canvas's numerical question holds one number, so every number asked is its own item
(``numerical_question``), written as Canvas's exporter writes one: the shown value as the exact
answer inside ``<or>``, its range inside ``<and>``; a number whose tolerance the quiz page's
4-decimal input cannot reach is asked in a stated unit (symdl.export.asking). With variants each
number is a question group (a section whose ``selection_number`` is 1) holding that number's item
of every variant; Canvas draws one per student. Every item shows its variant's whole question; the
first item of a question carries the model answer as its general feedback, the others the value;
an essay item takes the points no number marks.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal, localcontext
from fractions import Fraction

from markupsafe import escape

from symdl.export import answers as answer_model
from symdl.export import asking, content, figures, safe
from symdl.export.spool import Spool, Spooled
from symdl.export.moodle import decimal_text

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
IMSMD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)     # every member's timestamp: the same bytes for the same spec


def ident(*parts) -> str:
    """A stable Canvas-style identifier ('g' and 32 hex digits) from names."""
    return "g" + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def variant_items(variant, exam, results, *, math="mathml", multiple_choice=False, pages=None) -> list:
    """[(key, points, item text)] of one variant, every number its questions ask: what a
    variant's process hands back."""
    return [entry for result in results
            for entry in _question_items(result, exam, variant, math, (pages or {}).get(result.question.id),
                                         multiple_choice)]


class Assembly(Spooled):
    """canvas-qti.zip from every variant's part (``variant_items``), added in variant order: with
    several variants a question group per number holding that number's item of every variant. The
    items wait on disk (symdl.export.spool): memory holds one variant's at a time."""

    def __init__(self, exam):
        self.exam, self.count, self.spool = exam, 0, Spool()

    def add(self, items: list):
        self.count += 1
        for key, points, item in items:
            if key[0] == FIGURE:
                if key not in self.spool.keys:          # a name is its content's hash: once is enough
                    self.spool.add(key, item)
                continue
            self.spool.add(key, item, info=points)

    def figure_names(self) -> list:
        return [key[1] for key in self.spool.keys if key[0] == FIGURE]

    def write(self, out):
        """The zip to the binary stream ``out`` (seekable), the assessment streamed into it."""
        exam = self.exam
        assessment = ident(exam.id, "assessment")
        skeleton, order, points = self._skeleton(assessment)
        with zipfile.ZipFile(out, "w") as archive:
            _member(archive, "imsmanifest.xml", manifest_xml(exam, assessment, self.figure_names()))
            with archive.open(_info(f"{assessment}/{assessment}.xml"), "w",
                              force_zip64=self.spool.size > ZIP64_FROM) as member:
                pieces = _MARKER.split(skeleton)
                member.write(pieces[0].encode("utf-8"))
                for n, text in zip(pieces[1::2], pieces[2::2]):
                    key, index = order[int(n)]          # index: one variant, each item its own run
                    self.spool.copy(key, member, index)
                    member.write(text.encode("utf-8"))
            _member(archive, f"{assessment}/assessment_meta.xml", meta_xml(exam, assessment, points))
            for name in self.figure_names():
                data = "".join(self.spool.texts((FIGURE, name)))
                archive.writestr(_info(FIGURE_FOLDER + name), base64.b64decode(data))

    def _skeleton(self, assessment):
        """(the assessment's XML with a marker per run of items, the runs as (key, item index or
        None for all of the key's items), the total points)."""
        exam = self.exam
        root = ET.Element("questestinterop", {"xmlns": QTI_NS, "xmlns:xsi": XSI,
                                              "xsi:schemaLocation": f"{QTI_NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
        quiz = _sub(root, "assessment", ident=assessment, title=safe.plain(exam.title))
        field = _sub(_sub(quiz, "qtimetadata"), "qtimetadatafield")
        _sub(field, "fieldlabel", "cc_maxattempts")
        _sub(field, "fieldentry", "1")
        section = _sub(quiz, "section", ident="root_section")
        order, total = [], 0
        chosen = {key[:2] for key, (_, entries) in self.spool.keys.items()
                  if key[0] != FIGURE and key[2] == CHOICE and len(entries) == self.count}
        for key, (points, entries) in self.spool.keys.items():
            if key[0] == FIGURE:
                continue
            if (key[2] == CHOICE) != (key[:2] in chosen):
                continue                     # a choice some variant lacks, or the numbers a choice replaces
            if self.count == 1:              # no variants: the items stand in the root section
                for index in range(len(entries)):
                    _sub(section, "symdl-items", n=str(len(order)))
                    order.append((key, index))
                    total += points
                continue
            _sub(_group(section, exam, key, points), "symdl-items", n=str(len(order)))
            order.append((key, None))
            total += points
        return _bytes(root).decode("utf-8"), order, total


ZIP64_FROM = 1 << 30          # parts past 1 GiB: the assessment may pass zip's 2 GiB, so ZIP64


def _info(name):
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _member(archive, name, data: bytes):
    archive.writestr(_info(name), data)


def _bytes(root) -> bytes:
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _sub(parent, tag, text=None, attrs=None, **attributes):
    node = ET.SubElement(parent, tag, {k: safe.xml_text(v) for k, v in {**(attrs or {}), **attributes}.items()})
    if text is not None:
        node.text = safe.xml_text(text)
    return node


def manifest_xml(exam, assessment, figure_names=()) -> bytes:
    root = ET.Element("manifest", {"identifier": ident(exam.id, "manifest"), "xmlns": CP_NS,
                                   "xmlns:imsmd": IMSMD_NS, "xmlns:xsi": XSI,
                                   "xsi:schemaLocation": f"{CP_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd "
                                                         f"{IMSMD_NS} http://www.imsglobal.org/xsd/imsmd_v1p2p2.xsd"})
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "IMS Content")
    _sub(metadata, "schemaversion", "1.1.3")
    title = _sub(_sub(_sub(metadata, "imsmd:lom"), "imsmd:general"), "imsmd:title")
    _sub(title, "imsmd:string", safe.plain(exam.title))
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    quiz = _sub(resources, "resource", identifier=assessment, type="imsqti_xmlv1p2")
    _sub(quiz, "file", href=f"{assessment}/{assessment}.xml")
    meta_id = ident(exam.id, "assessment_meta")
    _sub(quiz, "dependency", identifierref=meta_id)
    meta = _sub(resources, "resource", identifier=meta_id,
                type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                href=f"{assessment}/assessment_meta.xml")
    _sub(meta, "file", href=f"{assessment}/assessment_meta.xml")
    for name in figure_names:                 # each figure a web content resource, as Canvas exports files
        href = FIGURE_FOLDER + name
        figure = _sub(resources, "resource", identifier=ident(exam.id, "figure", name), type="webcontent", href=href)
        _sub(figure, "file", href=href)
    return _bytes(root)


def meta_xml(exam, assessment, points) -> bytes:
    """Canvas's quiz settings: an unpublished graded quiz, one attempt, correct answers hidden."""
    root = ET.Element("quiz", {"identifier": assessment, "xmlns": CANVAS_NS, "xmlns:xsi": XSI,
                               "xsi:schemaLocation": f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd"})
    _sub(root, "title", safe.plain(exam.title))
    _sub(root, "description", safe.html(f"<p>{escape(getattr(exam, 'course', '') or '')}</p>"))
    for tag, text in (("shuffle_answers", "true"), ("scoring_policy", "keep_highest"),
                      ("hide_results", ""), ("quiz_type", "assignment"),
                      ("points_possible", decimal_text(points)), ("require_lockdown_browser", "false"),
                      ("require_lockdown_browser_for_results", "false"),
                      ("require_lockdown_browser_monitor", "false"), ("show_correct_answers", "false"),
                      ("anonymous_submissions", "false"), ("could_be_locked", "false"),
                      ("allowed_attempts", "1"), ("one_question_at_a_time", "false"),
                      ("cant_go_back", "false"), ("available", "false"), ("one_time_results", "false"),
                      ("show_correct_answers_last_attempt", "false"),
                      ("only_visible_to_overrides", "false"), ("module_locked", "false")):
        _sub(root, tag, text)
    return _bytes(root)


def _group(section, exam, key, points):
    qid, name, index = key
    group = _sub(section, "section", ident=ident(exam.id, "group", *key), title=safe.plain(_title(qid, name, index)))
    selection = _sub(_sub(group, "selection_ordering"), "selection")
    _sub(selection, "selection_number", "1")
    _sub(_sub(selection, "selection_extension"), "points_per_item", decimal_text(points))
    return group


def _title(qid, name, index) -> str:
    return f"{qid} {name}" + (f"[{', '.join(str(i + 1) for i in index)}]" if isinstance(index, tuple) and index
                               else "")


def _question_items(result, exam, variant, math, page=None, multiple_choice=False):
    """((question, answer, index), points, item text) for every number the question asks, then an
    essay item for the points no number marks. With ``multiple_choice`` an answer with mistakes is
    also written as one multiple-choice item under (question, answer, CHOICE): ``Assembly`` keeps
    the choice when every variant has it, else the numbers (a group's items share one type)."""
    asked = answer_model.asked(result)
    if not asked:
        return
    qid = result.question.id
    text, model_answer, files = page or content.page(result, math=math, variant=variant)
    text = figures.refer(text.replace(content.BLANKS, ""), FIGURE_SRC)      # the handout's link
    model_answer = figures.refer(model_answer, FIGURE_SRC)
    for name, png in files.items():
        yield (FIGURE, name), None, figures.encoded(png)
    shares = item_points(asked)
    for n, answer in enumerate(asked):
        choice_points = sum(shares[(answer.name, b.index)] for b in answer.blanks)
        label = _label(answer, math)
        if multiple_choice and answer_model.has_choices(answer):
            key = (qid, answer.name, CHOICE)
            item_id = ident(exam.id, variant or "", qid, answer.name, CHOICE)
            note = model_answer if n == 0 else _note(label, "", answer_model.choice_text(
                answer.shape, [b.printed for b in answer.blanks]), "")
            yield key, choice_points, _item(item_id, _title(qid, answer.name, ()), f"{text}\n<p>Choose {label}.</p>",
                                            choice_points, "multiple_choice_question",
                                            _choice_response(item_id, answer_model.choices(answer), math), note)
        for m, blank in enumerate(answer.blanks):
            index = blank.index
            points = shares[(answer.name, index)]
            where = f" entry ({', '.join(str(i + 1) for i in index)})" if index else ""
            unit = asking.canvas_unit(blank.exact, Decimal(blank.tolerance))
            prompt = f"{text}\n<p>Enter {label}{where} {_precision(blank)}{_unit_words(unit)}.</p>"
            within = f" (accepted within ± {escape(blank.width)})" if blank.width != "0" else ""
            note = model_answer if n == 0 and m == 0 else _note(label, where, blank.shown, within)
            key = (qid, answer.name, index)
            item_id = ident(exam.id, variant or "", *key[:2], *index)
            yield key, points, _item(item_id, _title(qid, answer.name, index), prompt, points, "numerical_question",
                                     _numerical_response(blank, unit), note)
    total = answer_model.question_points(result)
    points = total - sum(shares.values()) if total is not None and answer_model.by_hand_points(result) > 0 else 0
    if points > 0:
        ask, info = content.by_hand(result, math=math)
        key = (qid, BY_HAND, ())
        item_id = ident(exam.id, variant or "", qid, BY_HAND)
        yield key, points, _item(item_id, f"{qid} {BY_HAND}", f"{text}\n{ask}", points, "essay_question",
                                 _ESSAY, info)


def item_points(asked) -> dict:
    """(answer name, blank index) -> the points of that number's item, as decimals Canvas holds
    (exact up to 7 places, else hundredths): each the difference of the rounded running totals, so
    the items of an answer add up to the rounded total at its end as its choice item does, and the
    numbers of a question to its rounded total (the essay item takes the rest of the exam points)."""
    out, total, shown = {}, Fraction(0), Fraction(0)
    for answer in asked:
        for blank in answer.blanks:
            total += blank.points                       # the rubric's points of the entry
            now = _held(total)
            out[(answer.name, blank.index)], shown = now - shown, now
    return out


def _held(x: Fraction) -> Fraction:
    return x if (x * 10**7).denominator == 1 else Fraction(round(x * 100), 100)


FIGURE = "@figure"                              # a figure's entry: (FIGURE, file name), its PNG in base64
FIGURE_FOLDER = "web_resources/figures/"           # where the zip holds them, as Canvas's export does
FIGURE_SRC = "$IMS-CC-FILEBASE$/figures/"          # how an item refers to one (Canvas's own form)
CHOICE = "choice"
BY_HAND = "marked by hand"
_ESSAY = ('<response_str ident="response1" rcardinality="Single"><render_fib><response_label ident="answer1" '
          'rshuffle="No" /></render_fib></response_str>\n', None)


def _note(label, where, shown, within) -> str:
    return (f"<p>{label}{where} = {safe.html(str(escape(shown)))}{within}; "
            f"the working is in the feedback of this question's first number.</p>")


def _precision(blank) -> str:
    return asking.precision_words([(blank.exact, Decimal(blank.tolerance))])


def _unit_words(k) -> str:
    """How a scaled number is typed: "in units of 10^-k", with an example (nothing for k = 0)."""
    if k == 0:
        return ""
    return (f", in units of 10<sup>-{k}</sup>: type the value times 10<sup>{k}</sup> "
            f"(a value of {asking.plain(Decimal(123).scaleb(-k))} is typed as 123)")


def _label(answer, math) -> str:
    label = answer.meta.label
    return content.fragment(label, math=math) if label is not None else \
        f"<code>{safe.html(str(escape(answer.name)))}</code>"


# An item is written as text, not built as an ElementTree: thousands of items of one shape, and
# ElementTree's pure-Python serializer took most of the export's time.
_MARKER = re.compile(r'[ ]*<symdl-items n="(\d+)" />\n?')      # split: the texts between runs, and each run's n


def _t(text) -> str:
    """XML character data (nothing XML cannot carry)."""
    return safe.xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _a(text) -> str:
    """An XML attribute value (between double quotes)."""
    return _t(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;")


def _item(item_id, title, prompt, points, question_type, response, feedback) -> str:
    fields = "".join(f"<qtimetadatafield><fieldlabel>{label}</fieldlabel><fieldentry>{_t(entry)}</fieldentry>"
                     f"</qtimetadatafield>\n"
                     for label, entry in (("question_type", question_type), ("points_possible", decimal_text(points)),
                                          ("original_answer_ids", "1"),
                                          ("assessment_question_identifierref", item_id + "q")))
    presentation, condition, *choices = response
    choices = choices[0] if choices else []
    if condition is None:           # an essay: marked by hand
        marking = '<respcondition continue="No"><conditionvar><other /></conditionvar></respcondition>\n'
    else:
        marking = (f'<respcondition continue="No"><conditionvar>{condition}</conditionvar>'
                   f'<setvar action="Set" varname="SCORE">100</setvar></respcondition>\n')
    marking = "".join(f'<respcondition continue="Yes"><conditionvar><varequal respident="response1">{choice_id}'
                      f'</varequal></conditionvar><displayfeedback feedbacktype="Response" '
                      f'linkrefid="{choice_id}_fb" /></respcondition>\n' for choice_id, _ in choices) + marking
    return (f'<item ident="{_a(item_id)}" title="{_a(safe.plain(title))}">\n<itemmetadata><qtimetadata>\n{fields}'
            f"</qtimetadata></itemmetadata>\n<presentation>\n"
            f'<material><mattext texttype="text/html">{_t(prompt)}</mattext></material>\n{presentation}'
            f"</presentation>\n<resprocessing>\n"
            f'<outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal" /></outcomes>\n'
            f'<respcondition continue="Yes"><conditionvar><other /></conditionvar>'
            f'<displayfeedback feedbacktype="Response" linkrefid="general_fb" /></respcondition>\n'
            f"{marking}</resprocessing>\n"
            f'<itemfeedback ident="general_fb"><flow_mat><material><mattext texttype="text/html">{_t(feedback)}'
            f"</mattext></material></flow_mat></itemfeedback>\n"
            + "".join(f'<itemfeedback ident="{choice_id}_fb"><flow_mat><material><mattext texttype="text/html">'
                      f"{_t(why)}</mattext></material></flow_mat></itemfeedback>\n" for choice_id, why in choices)
            + "</item>\n")


def _numerical_response(blank, unit=0) -> tuple:
    """(presentation, condition) as Canvas's own exporter writes a numerical answer: the key's
    display (in units of 10^-unit) as the exact answer inside ``<or>``, with its margin as a range
    inside ``<and>``: every value within the tolerance is accepted once the quiz page has rounded
    it to 4 decimals (asking.canvas_answer)."""
    presentation = ('<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal">'
                    '<response_label ident="answer1" /></render_fib></response_str>\n')
    exact, margin = asking.canvas_answer(blank.exact, blank.shown, Decimal(blank.tolerance), unit)
    condition = f'<varequal respident="response1">{_t(exact)}</varequal>'
    if margin != "0":
        low, high = bounds(exact, margin)
        condition += (f'<and><vargte respident="response1">{_t(low)}</vargte>'
                      f'<varlte respident="response1">{_t(high)}</varlte></and>')
    return presentation, f"<or>{condition}</or>"


def _choice_response(item_id, options, math="tex") -> tuple:
    """(presentation, condition, feedback per choice): the right value and each mistake as
    choices (shuffled by the quiz's shuffle_answers), each mistake with its explanation."""
    idents = [str(int(ident(item_id, n)[1:9], 16)) for n in range(len(options))]
    labels = "".join(f'<response_label ident="{choice_id}"><material><mattext texttype="text/plain">'
                     f"{_t(safe.plain(text))}</mattext></material></response_label>\n"
                     for choice_id, (_, text, _) in zip(idents, options))
    presentation = (f'<response_lid ident="response1" rcardinality="Single"><render_choice shuffle="Yes">\n'
                    f"{labels}</render_choice></response_lid>\n")
    feedback = [(choice_id, safe.html(str(escape(why)))) for choice_id, (_, _, why) in zip(idents, options) if why]
    return presentation, f'<varequal respident="response1">{idents[0]}</varequal>', feedback


def bounds(value: str, tolerance: str) -> tuple:
    """(value - tolerance, value + tolerance) as exact decimals."""
    with localcontext() as context:
        context.prec = 60
        v, t = Decimal(value), Decimal(tolerance)
        return _plain(v - t), _plain(v + t)


def _plain(x: Decimal) -> str:
    text = format(x.normalize(), "f") if abs(x.adjusted()) < 30 else str(x.normalize())
    return "0" if text in ("-0", "0") else text
