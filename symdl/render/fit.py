"""How wide printed LaTeX comes out, estimated, and a line too wide for the page made narrower
by writing its transposed rows (``[a & b & c]^T``) as the columns they stand for."""

from __future__ import annotations

import re

TEXT_WIDTH = 483.7          # pt: A4 less two 2 cm margins (preamble.tex.j2)

# Widths in points at 10 pt (Computer Modern, display math), rounded up a little: an estimate is
# only asked whether a line fits, and a line near the margin is better turned into columns.
_DIGIT, _LETTER, _CAPITAL, _PUNCT, _FENCE = 5.0, 5.3, 7.6, 2.8, 3.9
_RELATION, _BINARY, _MINUS = 13.4, 12.2, 7.8
_SPACES = {r"\,": 1.7, r"\:": 2.2, r"\;": 2.8, r"\!": -1.7, "\\ ": 3.3, "~": 3.3, r"\quad": 10.0,
           r"\qquad": 20.0, r"\enspace": 5.0, r"\thinspace": 1.7}
_RELATIONS = {"=", "<", ">", r"\approx", r"\le", r"\leq", r"\ge", r"\geq", r"\ne", r"\neq", r"\to",
              r"\in", r"\equiv", r"\sim", r"\mapsto", r"\rightarrow", r"\Rightarrow", ":"}
_BINARIES = {"+", r"\pm", r"\mp", r"\times", r"\odot", r"\otimes", r"\oplus", r"\circ", r"\ast", "*"}
_TRANSPARENT = {r"\mathbf", r"\mathsf", r"\mathrm", r"\mathit", r"\mathbb", r"\mathcal", r"\bm",
                r"\boldsymbol", r"\displaystyle", r"\textstyle", r"\hat", r"\bar", r"\tilde", r"\vec",
                r"\dot", r"\overline", r"\underline", r"\widehat", r"\widetilde", r"\relax",
                r"\mathstrut", r"\phantom", r"\left", r"\right", r"\middle"}
_SIZED = {r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr"}
_WIDE_SYMBOLS = {r"\sum": 14.4, r"\prod": 12.8, r"\int": 8.0, r"\infty": 10.0, r"\cdots": 13.4,
                 r"\ldots": 13.4, r"\dots": 13.4, r"\cdot": 7.2, r"\lVert": 5.0, r"\rVert": 5.0,
                 r"\|": 5.0, r"\lvert": 2.8, r"\rvert": 2.8, r"\partial": 5.7}
_TEXT = {r"\text", r"\textbf", r"\textit", r"\textrm", r"\mbox", r"\textsf", r"\texttt"}
_SIZES = {r"\tiny": 0.5, r"\scriptsize": 0.7, r"\footnotesize": 0.8, r"\small": 0.9, r"\normalsize": 1.0}
_TOKEN = re.compile(r"\\[a-zA-Z]+\*?|\\.|[{}&$^_~]|\s+|[^\s\\{}&$^_~]")


def widest_math(tex: str, scale: float = 1.0) -> float:
    """The estimated width of the widest ``$...$`` piece of ``tex`` (text and inline math): what
    cannot be broken across lines; 0 without math."""
    return max((printed_width(piece, scale) for piece in re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", tex, re.S)),
               default=0.0)


def printed_width(tex: str, scale: float = 1.0) -> float:
    """An estimate, in points, of the width of ``tex`` (math, or text with ``$...$`` math) set at
    10 pt, ``scale`` times that (0.9 for \\small): a matrix as its widest entries, fractions as
    their wider part, sub- and superscripts smaller, alignment marks ``&`` taking no room, and
    several lines (``\\\\`` at the top level) as the widest one."""
    tokens = _TOKEN.findall(tex)
    lines, _ = _rows(tokens, 0, top=True)
    return scale * max(sum(cells) for cells in lines)


def _rows(tokens, i, top=False, math=True):
    """The cells of each row up to a closing ``}`` or ``\\end`` (or the end): [[width, ...], ...]."""
    rows, cells, width, operand, size = [], [], 0.0, False, 1.0
    while i < len(tokens):
        t = tokens[i]
        if t == "}" or t == r"\end":
            break
        if t in _SIZES:                 # a size switch holds to the end of its group
            size = _SIZES[t]
            i += 1
            continue
        if t == "&":
            cells.append(width if top else width + 10.0)     # a matrix's column sep; none in align
            width, operand = 0.0, False
            i += 1
            continue
        if t == r"\\":
            rows.append(cells + [width])
            cells, width, operand = [], 0.0, False
            i += 1
            if i < len(tokens) and tokens[i].startswith("["):       # \\[2pt]
                while i < len(tokens) and tokens[i] != "]":
                    i += 1
                i += 1
            continue
        w, i, operand, math = _atom(tokens, i, operand, math)
        width += size * w
    rows.append(cells + [width])
    return rows, i


def _group(tokens, i, math=True):
    """The width of the ``{...}`` group or single token at ``i``; the index after it."""
    while i < len(tokens) and tokens[i].isspace():
        i += 1
    if i < len(tokens) and tokens[i] == "{":
        rows, i = _rows(tokens, i + 1, math=math)
        return max(sum(r) for r in rows), i + 1
    w, i, _, _ = _atom(tokens, i, False, math)
    return w, i


def _name(tokens, i):
    """The text of a ``{...}`` group at ``i`` (an environment's name, an array's columns, braces
    inside balanced); the index after it."""
    depth, j = 0, i
    while j < len(tokens):
        depth += {"{": 1, "}": -1}.get(tokens[j], 0)
        if depth == 0:
            break
        j += 1
    return "".join(tokens[i + 1:j]), j + 1


def _atom(tokens, i, operand, math):
    """(width, next index, whether an operand ends here, math mode) of the item at ``i``."""
    t = tokens[i]
    i += 1
    if t == "$":
        return 0.0, i, operand, not math
    if t.isspace():
        return (0.0 if math else 3.3), i, operand, math
    if not math and not t.startswith("\\") and t not in "{}^_":
        return (_DIGIT if len(t) == 1 else 3.3 * len(t)) * (0.6 if t in ".,;:'!" else 1), i, True, math
    if t == "{":
        rows, i = _rows(tokens, i, math=math)
        return max(sum(r) for r in rows), i + 1, True, math
    if t in "^_":
        w, i = _group(tokens, i)
        return 0.72 * w, i, True, math
    if t == r"\begin":
        env, i = _name(tokens, i)
        if env == "array" or env.startswith("tabular"):
            _, i = _name(tokens, i)
        rows, i = _rows(tokens, i)
        if i < len(tokens):
            _, i = _name(tokens, i + 1)
        widest = sum(max(r[k] for r in rows if k < len(r)) for k in range(max(len(r) for r in rows)))
        return widest + (10.0 if env in ("bmatrix", "pmatrix", "vmatrix", "cases") else 0.0), i, True, math
    if t in (r"\frac", r"\dfrac", r"\tfrac", r"\binom"):
        a, i = _group(tokens, i)
        b, i = _group(tokens, i)
        return max(a, b) * (0.72 if t == r"\tfrac" else 1.0) + 2.4, i, True, math
    if t == r"\sqrt":
        w, i = _group(tokens, i)
        return w + 8.3, i, True, math
    if t == r"\boxed" or t == r"\fbox":
        w, i = _group(tokens, i, math=t == r"\boxed")
        return w + 6.8, i, True, math
    if t in _TEXT:
        w, i = _group(tokens, i, math=False)
        return w, i, True, math
    if t == r"\operatorname":
        w, i = _group(tokens, i, math=False)
        return w + 1.7, i, True, math
    if t in _SIZED:
        return 4.6, i, False, math
    if t in _SPACES:
        return _SPACES[t], i, operand, math
    if t in _TRANSPARENT or t.startswith((r"\hskip", r"\penalty", r"\hfil", r"\label", r"\tag")):
        return 0.0, i, operand, math
    if t in _RELATIONS:
        return _RELATION, i, False, math
    if t in _BINARIES:
        return _BINARY, i, False, math
    if t == "-":
        return (_BINARY if operand else _MINUS), i, False, math
    if t in _WIDE_SYMBOLS:
        return _WIDE_SYMBOLS[t], i, t not in (r"\sum", r"\prod", r"\cdot"), math
    if t.startswith("\\") and len(t) > 2:      # a function name (\ln, \max) or a symbol (\alpha)
        known = t[1:] in ("ln", "log", "exp", "max", "min", "tanh", "sin", "cos", "arg", "sign", "det", "diag")
        return (5.0 * len(t[1:]) + 1.7 if known else 6.0), i, True, math
    if t in "([":
        return _FENCE, i, False, math
    if t in ")]|/":
        return _FENCE if t != "|" else _PUNCT, i, True, math
    if t in ".,;'":
        return _PUNCT + (1.7 if t == "," else 0.0), i, True, math
    if t.isdigit():
        return _DIGIT, i, True, math
    return (_CAPITAL if t.isupper() else _LETTER), i, True, math


# A column vector printed as a transposed row: ``\left[\begin{matrix}a & b\end{matrix}\right]^T``
# (also ^{T} and the summary's ^{\mathsf{T}}), or a long one wrapped onto lines of a
# ``\begin{array}{l}a \quad b \\ c\end{array}`` inside the brackets.
_ROW = re.compile(r"\\left\[\\begin\{matrix\}((?:(?!\\end\{matrix\}|\\\\|\\begin).)*)\\end\{matrix\}\\right\]"
                  r"\^(?:T|\{T\}|\{\\mathsf\{T\}\})", re.S)
_WRAPPED = re.compile(r"\\left\[\\begin\{array\}\{l\}((?:(?!\\end\{array\}|\\begin).)*)\\end\{array\}\\right\]"
                      r"\^(?:T|\{T\}|\{\\mathsf\{T\}\})", re.S)


def _column(entries) -> str:
    return r"\left[\begin{matrix}" + r" \\ ".join(e.strip() for e in entries) + r"\end{matrix}\right]"


def columns(tex: str) -> str:
    """``tex`` with every transposed row vector written as a column."""
    tex = _WRAPPED.sub(lambda m: _column(re.split(r"\\quad|\\\\", m.group(1))), tex)
    return _ROW.sub(lambda m: _column(m.group(1).split("&")), tex)


def has_rows(tex: str) -> bool:
    """Whether ``tex`` holds a transposed row vector that ``columns`` would turn."""
    return bool(_ROW.search(tex) or _WRAPPED.search(tex))


def needs_columns(lines, room: float = TEXT_WIDTH, scale: float = 1.0) -> bool:
    """Whether the displayed ``lines`` (printed LaTeX, one line each) should have their transposed
    rows written as columns: one holds a row wrapped onto several lines (read line by line, its
    signs look like subtractions), or one that holds a row runs past ``room`` points."""
    if any(_WRAPPED.search(line) for line in lines):
        return True
    return any(_ROW.search(line) and printed_width(line, scale) > room for line in lines)


def fit(tex: str, room: float = TEXT_WIDTH, scale: float = 1.0) -> str:
    """``tex`` (one displayed line) as it is, or with its rows as columns when ``needs_columns``."""
    return columns(tex) if needs_columns([tex], room, scale) else tex


_BREAK = re.compile(r"\s*\\\\ &\\q?quad\s*")       # an aligned sum's own line break, \\ &\qquad
CONTINUED = 20.0                                     # pt: a continued line's \qquad


def _terms(tex: str) -> list:
    """``tex`` cut before each + and - that joins two terms at its top level (outside braces,
    \\left...\\right and environments): the pieces, each but the first starting with its sign."""
    pieces, start, depth = [], 0, 0
    for m in _TOKEN.finditer(tex):
        t = m.group(0)
        if t in ("{", r"\left", r"\begin"):
            depth += 1
        elif t in ("}", r"\right", r"\end"):
            depth -= 1
        elif depth == 0 and t in "+-" and tex[m.start() - 1:m.start()] == " " and tex[m.end():m.end() + 1] == " ":
            pieces.append(tex[start:m.start()].strip())
            start = m.start()
    pieces.append(tex[start:].strip())
    return [p for p in pieces if p]


def wrap(tex: str, indent: float = 0.0, room: float = TEXT_WIDTH) -> str:
    """An aligned body (``indent``: the width before it on its line, the left side and ``=``) as it
    is when every line of it fits in ``room``, else its sum broken again at its top-level + and -
    into lines that fit (continued lines after ``\\\\ &\\qquad``); unchanged when no cut helps."""
    lines = _BREAK.split(tex)
    if all(printed_width(line) + indent + (CONTINUED if k else 0.0) <= room for k, line in enumerate(lines)):
        return tex
    terms = _terms(" ".join(lines))
    if len(terms) < 2:
        return tex
    out, line = [], terms[0]
    for term in terms[1:]:
        if printed_width(line + " " + term) + indent + (CONTINUED if out else 0.0) > room:
            out.append(line)
            line = term
        else:
            line += " " + term
    out.append(line)
    return r" \\ &\qquad ".join(out)


def fits(tex: str, indent: float = 0.0, room: float = TEXT_WIDTH) -> bool:
    """Whether every line of an aligned body fits in ``room`` after ``indent``."""
    return all(printed_width(line) + indent + (CONTINUED if k else 0.0) <= room
               for k, line in enumerate(_BREAK.split(tex)))
