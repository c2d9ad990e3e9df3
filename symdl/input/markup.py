"""Emphasis in the spec's plain-text fields: ``**bold**`` and ``__underlined__``, nothing else.

An exam's warning ("**Please read the parameters very carefully!**") and its underlined values
survive onto the sheet, the key and the HTML page. The text between the markers is escaped by each
format as any plain text is (a marker never lets LaTeX or HTML through); a marker without its
closing twin is printed as written. Outputs without emphasis (answers.json, plain text) use
:func:`plain`.
"""

from __future__ import annotations

import re

# a run of ** or __ closed by the same marker, not empty, not starting or ending with a space
_SPAN = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
STYLES = {"**": "bold", "__": "underline"}


def spans(text: str) -> list:
    """``text`` as [(style, words)] with style None, "bold" or "underline" (markers removed)."""
    out, last = [], 0
    for match in _SPAN.finditer(text):
        if match.start() > last:
            out.append((None, text[last:match.start()]))
        out.append((STYLES[match.group(1)], match.group(2)))
        last = match.end()
    if last < len(text):
        out.append((None, text[last:]))
    return out


def plain(text: str) -> str:
    """``text`` without its emphasis markers."""
    return "".join(words for _, words in spans(text))


def has_emphasis(text) -> bool:
    return isinstance(text, str) and _SPAN.search(text) is not None


def latex(text: str, escape) -> str:
    """LaTeX of ``text``: each span escaped by ``escape``, bold as \\textbf, underline as \\underline
    (which does not break across lines: meant for a value or a few words)."""
    out = []
    for style, words in spans(text):
        body = escape(words)
        out.append(body if style is None else rf"\textbf{{{body}}}" if style == "bold" else rf"\underline{{{body}}}")
    return "".join(out)


def html(text: str, escape) -> str:
    """HTML of ``text``: each span escaped by ``escape``, bold as <strong>, underline as <u>."""
    out = []
    for style, words in spans(text):
        body = str(escape(words))
        out.append(body if style is None else f"<strong>{body}</strong>" if style == "bold" else f"<u>{body}</u>")
    return "".join(out)
