"""Text from a spec made inert in LMS files: no cloze blank, no HTML, no MathJax input, no character XML cannot carry.

What each LMS does with a question's HTML (docs/lms.md): Moodle's cloze parser reads
``{n:TYPE:...}`` anywhere in the raw question text and, inside a blank, ends an answer at an
unescaped ``~ # }`` (it unescapes only ``\\}`` and ``\\#``); Moodle replaces ``@@PLUGINFILE@@`` in
the raw text; both LMSs run MathJax over the page's text, which starts math at ``\\(``, ``\\[``,
``$$`` and ``\\begin{...}``. So in every text node that is not the printer's own math:

- ``{ } ~ # @`` are written as character references (the browser shows the character; Moodle's
  parsers, working on the raw text, never see it);
- a zero-width space follows every ``\\`` and ``$``, so no TeX delimiter or environment is left.

The printer's math (``math_output("tex")`` marks it with ``<span class="symdl-tex">``) is kept,
only a ``{digits:`` in it is spaced so that it cannot read as a cloze blank.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
_TEXT_REFS = {"{": "&#123;", "}": "&#125;", "~": "&#126;", "#": "&#35;", "@": "&#64;",
              "\\": "\\&#8203;", "$": "$&#8203;"}
_TEXT_CHARS = re.compile(r"&#?\w+;|[{}~#@\\$]")        # a reference already there is kept
_MATH = re.compile(r'<span class="symdl-tex">(.*?)</span>', re.S)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_CLOZE_IN_MATH = re.compile(r"\{(?=\d*:)")
# XML 1.0 allows tab, newline, carriage return and U+0020 up, less surrogates and U+FFFE/U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(text))


def text_node(text: str) -> str:
    """One HTML text node (already HTML-escaped) made inert, see the module's docstring."""
    return _TEXT_CHARS.sub(lambda m: _TEXT_REFS.get(m.group(0), m.group(0)), text)


def html(page: str) -> str:
    """An HTML fragment symdl made (tags of its templates, escaped text, marked printer math) with
    every text node made inert and the printer's math unmarked and kept."""
    out, last = [], 0
    for match in re.finditer(f"{_MATH.pattern}|{_TAG.pattern}", page, re.S):
        out.append(text_node(page[last:match.start()]))
        if match.group(1) is not None:                       # the printer's math
            out.append(_CLOZE_IN_MATH.sub("{ ", match.group(1)).replace("@@", "@ @"))
        else:
            out.append(match.group(0))
        last = match.end()
    out.append(text_node(page[last:]))
    return xml_text("".join(out))


def plain(text) -> str:
    """A plain-text field (a name, a title) made inert: a zero-width space after every ``\\`` and
    ``$`` (no TeX delimiter), ``@@`` broken, nothing XML cannot carry."""
    return xml_text(str(text).replace("\\", "\\" + ZWSP).replace("$", "$" + ZWSP).replace("@@", "@" + ZWSP + "@"))


def cloze(text: str) -> str:
    """HTML (already escaped and made inert) inside a cloze blank's answer or feedback: the
    characters that end one (``~ # }``), ``{`` and ``\\`` as character references."""
    refs = {"~": "&#126;", "}": "&#125;", "{": "&#123;", "\\": "&#92;"}
    return re.sub(r"[~}{\\]", lambda m: refs[m.group(0)], text)
