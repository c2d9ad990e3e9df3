"""What an LMS question shows: the question text (with its given data) and the model answer as feedback.

Both are HTML made from the same Solution as the answer key (symdl/render/html.py): the feedback
is the key's section of the question, model answers only, no JavaScript. Math is written as
``math`` says: "mathml" (latex2mathml, as the HTML key) or "tex" (the printer's LaTeX between
``\\( \\)``, for Moodle's MathJax filter: Moodle's HTML cleaner removes MathML from text that is
not trusted, which is the default).
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from symdl import kinds
from symdl.render import html

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "lms"
MATH = ("mathml", "tex")

_ENV = None


def _environment():
    global _ENV
    if _ENV is None:
        _ENV = html.environment(TEMPLATES)
        _ENV.filters["spec_math"] = lambda latex: html._mathml(latex)
    return _ENV


def given_items(result) -> list:
    """The question's data as the exam sheet shows it: ``solution.given``, else the kind's
    ``sheet(question)``; an empty list when neither is there (then the spec's math is shown)."""
    if result.solution.given:
        return list(result.solution.given)
    kind = result.kind or kinds.get(result.question.kind)
    if kind is not None and kind.sheet is not None:
        return list(kind.sheet(result.question) or [])
    return []


def spec_math(question) -> list:
    """(words, LaTeX) for the question's LaTeX values, as the spec writes them (top level and one
    table down), shown only when the kind gives no sheet: a formula as is, a symbol as ``W = ...``."""
    out = []
    for name, value in question.fields.items():
        inner = value.items() if isinstance(value, dict) else [(name, value)]
        for key, text in inner:
            if not (isinstance(text, str) and "\\" in text):
                continue
            if "=" in text:                        # a formula: shown as written
                out.append(("", text))
            elif re.fullmatch(r"[A-Za-z](_[A-Za-z0-9]+)?", key):
                out.append(("", f"{key} = {text}"))   # a symbol: W = ...
            else:
                out.append((f"{key.replace('_', ' ')} = ", text))
    return out


def question_text(result, blanks="", *, math="mathml", variant=None) -> str:
    """The question's HTML: its title and text, the given data, its parts, then ``blanks``."""
    given = given_items(result)
    with html.math_output(math):
        return _environment().get_template("question-text.html.j2").render(
            q=result.question, given=given, spec_math=[] if given else spec_math(result.question),
            blanks=Markup(blanks), variant=variant)


def feedback(result, *, math="mathml") -> str:
    """The model answer of the question as HTML (the key's section of it, model answers only)."""
    with html.math_output(math):
        return html.question(result, audience="model", checks=False)
