"""Text as LaTeX: plain text made safe (escape, breakable), a Text item's words and math (paragraph),
keys made of letters and digits (label_key).

Below every renderer: the documents' helpers, the LaTeX renderer, the sheet and class grading use it."""

from __future__ import annotations

import re

from symdl.notation import printer
from symdl.input.spec import printable
from symdl.render import fit
from symdl.solution import Tex, Text

_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
    # T1's ligatures would turn `` '' ?` !` into curly or inverted marks: print each as itself
    "`": r"\textasciigrave{}", "'": r"\textquotesingle{}",
    # and -- ,, into a dash and a low quote: a hyphen or comma followed by another stays apart
    "-": "-{}", ",": ",{}",
    "\u2014": "---", "\u2013": "--",     # the dashes themselves, written the TeX way
}
_ESCAPE_RE = re.compile("|".join(re.escape(k) + ("(?=[-\u2013\u2014])" if k == "-" else "(?=,)" if k == "," else "")
                                 for k in _ESCAPES))
# Source lines of the .tex stay far below TeX's input buffer (buf_size): a long text is put
# on several lines at its spaces, and a run of more than MAX_RUN characters without a space
# gets a break point every RUN_PIECE characters, each on a new source line. The break point
# stretches only where TeX breaks the line there (the two glues cancel otherwise), so a long
# run fills ragged lines instead of overfull ones that run off the page.
MAX_TEXT_LINE = 2000
MAX_RUN = 60
RUN_PIECE = 20
_BREAK = "\x00"         # control characters are removed first, so this one marks a break point
_BREAK_TEX = "\\hskip0pt plus1fil\\penalty0\\hskip0pt plus-1fil\\relax%\n"
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))
# Prose typography: a plain "..." pair printed with TeX's curly quotes, and ^T (a transpose
# written in words, "[1, 1]^T") as a superscript T; marked by control characters (removed
# from the text before) and put in after escaping.
_OPEN, _CLOSE, _SUP_T = "\x01", "\x02", "\x03"
# A name longer than MAX_NAME characters (count_include_pad=True, val_loss_change_per_epoch) may
# break after each of its underscores, so that it never sticks out of a line or a table column.
MAX_NAME = 20
_NAME_BREAK = "\x04"
_LONG_NAME = re.compile(r"\S{%d,}" % (MAX_NAME + 1))
_QUOTED = re.compile(r'"([^"\n]*)"')
_TRANSPOSE = re.compile(r"\^T(?![A-Za-z0-9])")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_MARKS = {_OPEN: "``", _CLOSE: "''", _SUP_T: r"\textsuperscript{T}", _NAME_BREAK: r"\allowbreak{}"}


def escape(text) -> Tex:
    """Plain text made safe for LaTeX: every character printed as itself, no ligature between."""

    text = str(text)
    if not text.isascii() or "\x7f" in text:
        text = printable(text)      # a character the fonts cannot print shows as [U+XXXX]
    text = _CONTROL.sub("", text)   # control characters dropped (not tab, not newline)
    text = _TRANSPOSE.sub(_SUP_T, _QUOTED.sub(_OPEN + r"\1" + _CLOSE, text))
    text = _LONG_NAME.sub(lambda m: re.sub(r"_(?=.)", "_" + _NAME_BREAK, m.group(0)), text)
    text = _LONG_RUN.sub(lambda m: _BREAK.join(m.group(0)[i:i + RUN_PIECE]
                                               for i in range(0, len(m.group(0)), RUN_PIECE)), text)
    tex = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text).replace(_BREAK, _BREAK_TEX)
    for mark, replacement in _MARKS.items():
        tex = tex.replace(mark, replacement)
    return Tex(_wrap(tex) if len(tex) > MAX_TEXT_LINE else tex)


_KEY_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYabcdefghijklmnopqrstuvwxyz0123456789")   # not Z: the escape


def label_key(text) -> Tex:
    """``text`` (an id, a part, layer, node or program name) as a key made of letters and digits
    alone: safe in every \\label, \\ref and \\pageref key and as a TikZ node name (no ``_``,
    ``.``, ``-``, ``:`` or brace). A letter or digit stays itself; any other character (and ``Z``)
    becomes ``Z<hex code>Z`` (``b_mixed`` -> ``bZ5fZmixed``), so different names never share a key."""
    return Tex("".join(ch if ch in _KEY_SAFE else f"Z{ord(ch):x}Z" for ch in str(text)))


def _wrap(tex: str) -> str:
    """``tex`` with every source line longer than MAX_TEXT_LINE broken at spaces (a newline
    reads as a space in TeX); escaped runs between spaces are shorter than the limit."""
    out = []
    for line in tex.split("\n"):
        while len(line) > MAX_TEXT_LINE:
            cut = line.rfind(" ", 0, MAX_TEXT_LINE + 1)
            if cut <= 0:
                break
            out.append(line[:cut])
            line = line[cut + 1:]
        out.append(line)
    return "\n".join(out)


def breakable(text, chars: int) -> Tex:
    """A name (``same_batch.change_per_epoch``) escaped, with a break point after each ``.`` too
    (escape gives one after each ``_``) when it is longer than ``chars`` characters (a narrow
    table column's width)."""
    tex = escape(text)
    if len(str(text)) <= chars:
        return tex
    return Tex(re.sub(r"\.(?=\S)", r".\\allowbreak{}", tex))


def paragraph(item: Text, display: bool = False) -> Tex:
    """A Text item: strings escaped, math objects printed inline. ``display`` (prose set as a
    paragraph of its own, where display math may stand): math holding a transposed row too wide
    to sit in the sentence (``_displayed``) is displayed on its own line instead, taking the
    punctuation after it along (as columns if even the line is too narrow)."""
    out, parts, i = [], list(item.parts), 0
    while i < len(parts):
        part = parts[i]
        i += 1
        if isinstance(part, str) and not isinstance(part, Tex):
            out.append(escape(part))
            continue
        math_tex = printer.tex(part)
        if not (display and _displayed(math_tex, "".join(out))):
            out.append("$" + math_tex + "$")
            continue
        after = parts[i] if i < len(parts) and isinstance(parts[i], str) and not isinstance(parts[i], Tex) else ""
        mark = after[:1] if after[:1] in (".", ",", ";", ":") else ""
        if mark:
            parts[i] = after[1:].lstrip()
        out.append(r"\[" + fit.fit(math_tex + mark) + r"\]")
    return Tex("".join(out))


def _displayed(math_tex: str, before: str) -> bool:
    """Whether inline math holding a transposed row should be displayed: the row takes more than a
    third of the line and would not end the paragraph's first line (what comes before it in the
    paragraph and the row together are wider than the line, or the row alone half the line);
    TeX can fit no justified line around such a box."""
    if not fit.has_rows(math_tex):
        return False
    width = fit.printed_width(math_tex)
    return width > fit.TEXT_WIDTH / 3 and (width > fit.TEXT_WIDTH / 2 or
                                           fit.printed_width(before) + width > fit.TEXT_WIDTH)
