"""The answer key as one HTML page: the same Solution, math as MathML, no JavaScript, no network.

Math is printed once, by symdl's LaTeX printer, and converted to presentation MathML with
latex2mathml, so the page and the PDF show the same formulas. Figures are drawn as inline SVG
(render/svg.py), each as the PDF draws it; a figure without a drawing is described by its caption.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from symdl.notation import printer
from symdl.render import svg
from symdl.solution import Step, Tex, Text, check_audience, item_type, shown
from symdl.input import markup
from symdl.render.documents import (_label_math, footer_line, given_math, part_boxed_texts, part_finals,
    question_name, value_parts)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "html"

# The PDF's layout inside one formula (line breaks and alignment points of long sums, outside
# any matrix) means nothing in a page that wraps by itself: it is dropped.
_LAYOUT_TOKEN = re.compile(r"\\begin\{[a-z*]+\}|\\end\{[a-z*]+\}|\\\\|(?<!\\)&|\\q?quad\b")


def _unlayout(latex: str) -> str:
    """``latex`` without the alignment points and line breaks that lie outside environments."""
    out, depth, last, pending_break = [], 0, 0, False
    for match in _LAYOUT_TOKEN.finditer(latex):
        token = match.group(0)
        out.append(latex[last:match.start()])
        last = match.end()
        if token.startswith("\\begin"):
            depth += 1
        elif token.startswith("\\end"):
            depth -= 1
        elif depth == 0 and token in ("\\\\", "&"):
            pending_break = pending_break or token == "\\\\"
            out.append(" ")
            continue
        elif depth == 0 and pending_break:          # the indent after a broken line
            pending_break = False
            continue
        pending_break = False
        out.append(token)
    out.append(latex[last:])
    return "".join(out)


# How math is written: "mathml" (the page), or "tex": the printer's LaTeX between \\( \\) or \\[ \\]
# as escaped text, for a site whose HTML cleaner drops MathML but whose MathJax filter typesets TeX.
_MATH_OUTPUT = contextvars.ContextVar("symdl_html_math_output", default="mathml")


@contextlib.contextmanager
def math_output(kind: str):
    """Within the block, every formula is written as ``kind`` ("mathml" or "tex")."""
    if kind not in ("mathml", "tex"):
        raise ValueError(f"math output {kind!r} is not 'mathml' or 'tex'")
    token = _MATH_OUTPUT.set(kind)
    try:
        yield
    finally:
        _MATH_OUTPUT.reset(token)


def _mathml(latex: str, display: bool = False) -> Markup:
    """LaTeX math (printer output) as a MathML element; as code when it cannot be converted."""
    latex = _unlayout(latex)
    if _MATH_OUTPUT.get() == "tex":      # marked: the LMS export tells it from spec text (export/safe.py)
        return Markup('<span class="symdl-tex">') + escape(f"\\[{latex}\\]" if display else f"\\({latex}\\)") \
            + Markup("</span>")
    return _converted(latex, display)


@functools.lru_cache(maxsize=4096)
def _converted(latex: str, display: bool) -> Markup:
    """latex2mathml's MathML for ``latex`` (kept: the same closed forms recur in every variant)."""
    from latex2mathml.converter import convert

    latex = _unlayout(latex).replace(r"\mathbb{1}", r"\mathbf{1}")   # the same indicator as the PDF
    latex = _ARRAY_SPEC.sub(lambda m: r"\begin{array}{" + re.sub(r"@\{[^{}]*\}", "", m.group(1)) + "}", latex)
    latex = _TEXT_SIZE.sub(r"\\text{", latex)
    latex = _OPERATOR_NAMES.sub(lambda m: rf"\operatorname{{{m.group(1)}}}", latex)
    try:
        mathml = convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - latex2mathml raises many types; the formula stays readable
        return Markup('<code class="tex">') + escape(latex) + Markup("</code>")
    return Markup(_one_number(mathml))


# An array's column spec with @{} (no padding) and a font size inside \text: the PDF's layout, which
# latex2mathml would print as text ("@ l @", "\scriptsize").
_ARRAY_SPEC = re.compile(r"\\begin\{array\}\{((?:[^{}]|\{[^{}]*\})*)\}")
_TEXT_SIZE = re.compile(r"\\text\{\\(?:tiny|scriptsize|footnotesize|small|normalsize)\s*")
# Operator names latex2mathml 3.x leaves as a literal "\arg" identifier: written as \operatorname.
_OPERATOR_NAMES = re.compile(r"\\(arg|deg|det|dim|gcd|hom|ker|Pr)(?![A-Za-z])")
# A number with thousands separators ("12{,}864") comes out of latex2mathml as three tokens
# (12, a comma operator, 864): joined into one <mn>, as the PDF sets it.
_GROUPED = re.compile(r"<mn>(\d+(?:,\d{3})*)</mn><mrow><mo>&#x0002C;</mo></mrow><mn>(\d{3}(?:\.\d+)?)</mn>")


def _one_number(mathml: str) -> str:
    while True:
        joined = _GROUPED.sub(r"<mn>\1,\2</mn>", mathml)
        if joined == mathml:
            return mathml
        mathml = joined


def math(value, display=False) -> Markup:
    """A SymPy object or printer-made Tex as MathML."""
    return _mathml(printer.tex(value), display)


def result(value) -> Markup:
    """'= v' or '≈ v' for a result value."""
    relation, body = printer.value_tex(value)
    return _mathml(f"{relation} {body}")


def paragraph(item: Text) -> Markup:
    """A Text item: strings escaped, math objects as inline MathML."""
    out = Markup("")
    for part in item.parts:
        if isinstance(part, str) and not isinstance(part, Tex):
            out += plain(part)
        else:
            out += math(part)
    return out


def text(value) -> Markup:
    """A step's words or a caption: plain text escaped, Text with its math."""
    if value is None:
        return Markup("")
    if isinstance(value, Text):
        return paragraph(value)
    if isinstance(value, Tex):
        return _mathml(value)
    return plain(value)


def cell(value) -> Markup:
    """A table cell: text escaped, math as MathML."""
    # latex.cell tells the same cases apart; every branch is the format's own, nothing to share
    if isinstance(value, Tex):
        return _mathml(value) if value else Markup("")
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Text):
        return paragraph(value)
    if isinstance(value, bool):
        return escape("yes" if value else "no")
    return math(value)


def step_lines(step: Step) -> list:
    """The lines of a step as (left side, '= body') pairs of MathML; the left side on the first."""
    lines = [_mathml(f"= {printer.tex(body)}") for body in (step.formula, step.substituted) if body is not None]
    if step.result is not None:
        lines.append(_mathml(f"{step.relation} {printer.tex(step.result)}") if step.relation
                     else result(step.result))
    lhs = math(step.lhs) if step.lhs is not None else Markup("")
    return [(lhs if i == 0 else Markup(""), line) for i, line in enumerate(lines)]




_TRANSPOSE = re.compile(r"\^T(?![A-Za-z0-9])")


def plain(value) -> Markup:
    """Plain text escaped, a transpose written as the spec writes it ("W^T") set as a superscript T."""
    return Markup(_TRANSPOSE.sub("<sup>T</sup>", str(escape(str(value)))))


def marked(value) -> Markup:
    """A plain-text field with its emphasis (``**bold**``, ``__underlined__``: symdl/input/markup.py)."""
    if value is None:
        return Markup("")
    return Markup(markup.html(str(value), plain))


def _given_math(question) -> list:

    return given_math(question)


def _question_name(question) -> str:

    return question_name(question)


def final(answer) -> Markup:
    """A final answer as the summary shows it: its label, then its value framed (words as the body words them)."""
    label = answer.label if answer.label is not None else answer.name
    label_math = _label_math(answer)
    head = math(label) if label_math is not None else text(label)
    relation, body = value_parts(answer.value, answer.digits)
    if relation is None:
        shown_words = answer.words if answer.words is not None else body
        mark = " " if str(label).rstrip().endswith(("?", ":")) else ": "      # "can it learn again?" asks alone
        return head + Markup(mark + '<span class="box">') + escape(shown_words) + Markup("</span>")
    unit = rf"\,\text{{{answer.unit}}}" if answer.unit else ""
    value = _mathml(f"{body}{unit}")
    if label_math is not None:
        return head + Markup(" ") + _mathml(relation) + Markup(' <span class="box">') + value + Markup("</span>")
    lead = _mathml(r"\approx") + Markup(" ") if relation != "=" else Markup("")
    return head + Markup(": ") + lead + Markup('<span class="box">') + value + Markup("</span>")


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """HTML templates with autoescaping; every piece of math goes through the filters above."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(math=math, result=result, paragraph=paragraph, cell=cell, text=text,
                       item_type=item_type, step_lines=step_lines, final=final, marked=marked,
                       question_name=_question_name, given_math=_given_math)
    env.tests["shown_to"] = shown
    env.filters["svg"] = _svg_figure
    return env


def _svg_figure(figure, kind) -> Markup:
    """A figure drawn as inline SVG by the painter its kind registers for it (render/svg.py)."""
    return svg.draw(figure, kind)


def render(exam, results, audience: str = "model") -> str:
    """The answer key as one HTML page: the items of ``audience`` (the model answers by
    default, as the PDF). ``results``: list of QuestionResult."""
    return _environment().get_template("answer-key.html.j2").render(
        exam=exam, results=results, audience=check_audience(audience), footer_line=footer_line(results),
        part_finals=part_finals, part_boxed_texts=part_boxed_texts)


_ENVIRONMENT = None


def _environment():
    """The environment, made once per process (an export renders every variant's questions)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        _ENVIRONMENT = environment()
    return _ENVIRONMENT


def question(result, audience="model", checks=False) -> str:
    """One question's section of the page (``audience`` "model": the model answers; ``checks``:
    with the line on the independent recomputation)."""
    return _environment().get_template("question.html.j2").render(r=result, audience=check_audience(audience),
                                                                  checks=checks)
