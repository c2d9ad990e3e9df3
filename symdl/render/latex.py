"""The LaTeX answer key: Jinja2 templates for layout, the printer for every piece of math."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from symdl import printer
from symdl.render import fit
from symdl.solution import Tex, Text, item_type

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"   # symdl/templates -> ../templates in the repository

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
    from symdl.spec import printable

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


def breakable(text, chars: int) -> Tex:
    """A name (``same_batch.change_per_epoch``) escaped, with a break point after each ``.`` too
    (escape gives one after each ``_``) when it is longer than ``chars`` characters (a narrow
    table column's width)."""
    tex = escape(text)
    if len(str(text)) <= chars:
        return tex
    return Tex(re.sub(r"\.(?=\S)", r".\\allowbreak{}", tex))


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


def marked(text) -> Tex:
    """A plain-text field with its emphasis (``**bold**``, ``__underlined__``: symdl/markup.py)."""
    from symdl import markup

    if text is None:
        return Tex("")
    return Tex(markup.latex(str(text), escape))


def _finalize(value):
    """Every ``<< value >>`` passes here: Tex goes through, anything else is escaped."""
    if isinstance(value, Tex):
        return value
    if value is None:
        return ""
    return escape(value)


def math(value) -> Tex:
    """Inline LaTeX (no $) for a SymPy object or Tex."""
    return printer.tex(value)


def result(value) -> Tex:
    """'= v' or '\\approx v' for a result value."""
    relation, body = printer.value_tex(value)
    return Tex(f"{relation} {body}")


def boxed_result(value) -> Tex:
    """'= \\boxed{v}' or '\\approx \\boxed{v}': a final answer's result."""
    relation, body = printer.value_tex(value)
    return Tex(rf"{relation} \boxed{{{body}}}")


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


def prose(item: Text) -> Tex:
    """A Text item as a paragraph of its own (paragraph with display=True)."""
    return paragraph(item, display=True)


def cell(value) -> Tex:
    """A table cell: text escaped, math printed."""
    if isinstance(value, Tex):
        return Tex("$" + value + "$") if value else value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Text):
        return paragraph(value)
    if isinstance(value, bool):
        return escape("yes" if value else "no")
    return Tex("$" + printer.tex(value) + "$")




ONE_LINE_CHARS = 48          # a step whose pieces print to fewer visible characters fits on one line
_MACRO = re.compile(r"\\[a-zA-Z]+|[{}&^_ ]|\\[,;!]")


def one_line(step) -> bool:
    """Whether ``lhs = formula = substituted = result`` of ``step`` fits on one line: its printed
    pieces hold no matrix or multi-line environment and few visible characters (estimated from the
    LaTeX with its macros and braces left out), so the model answer need not stack them."""
    pieces = [p for p in (step.lhs, step.formula, step.substituted, step.result) if p is not None]
    if len(pieces) < 2:
        return False
    printed = [printer.tex(p) for p in pieces]
    if any(r"\begin" in t or r"\\" in t for t in printed):
        return False
    return sum(len(_MACRO.sub("", t)) for t in printed) <= ONE_LINE_CHARS


def step_lines(step, audience: str = "model") -> dict:
    """The printed pieces of a step shown as aligned lines: ``lead`` (its left side), ``bodies``
    (the formula and the numbers substituted, one line each) and ``result`` (with its relation,
    boxed when final; None without a result). When its widest line would run past the margin,
    the transposed rows of every piece are written as columns (render/fit.py), all of them, so
    that the vectors of one step read the same way; a body's sum too long for its lines is broken
    again at its + and -; and the numbers substituted, when even then too wide, are left out."""
    lead = math(step.lhs) if step.lhs is not None else Tex("")
    substituted = math(step.substituted) if step.substituted is not None else None
    bodies = [math(b) for b in (step.formula,) if b is not None] + ([substituted] if substituted is not None else [])
    shown = None
    if step.result is not None:
        boxed = step.boxed and audience != "instructor"
        if step.relation:
            value = math(step.result)
            shown = Tex(step.relation + (rf"\boxed{{{value}}}" if boxed else value))
        else:
            shown = boxed_result(step.result) if boxed else result(step.result)
    lines = [lead + " = " + b for b in bodies] + ([lead + " " + shown] if shown is not None else [])
    if fit.needs_columns(lines):
        lead, shown = Tex(fit.columns(lead)), None if shown is None else Tex(fit.columns(shown))
        bodies = [Tex(fit.columns(b)) for b in bodies]
    indent = fit.printed_width(lead + " =")
    bodies = [Tex(fit.wrap(b, indent)) for b in bodies]
    if substituted is not None and shown is not None and not fit.fits(bodies[-1], indent):
        bodies = bodies[:-1]        # numbers that no line can hold (a matrix of long sums): formula = result
    return {"lead": lead, "bodies": bodies, "result": shown}


def fitted(tex, room: float = fit.TEXT_WIDTH, scale: float = 1.0) -> Tex:
    """Displayed math (or a line of text and math) as it is when it fits in ``room`` points at
    ``scale`` times 10 pt, else with its transposed rows written as columns."""
    return Tex(fit.fit(tex, room, scale))


def final_texts(answers, room: float, scale: float = 1.0) -> list:
    """The summary's final answers (documents.final_tex, vectors as transposed rows), each as
    Tex; when one of them is wider than ``room`` points, the vectors of all of them as columns."""
    from symdl.render.documents import final_tex

    texts = [final_tex(a, compact=True) for a in answers]
    if fit.needs_columns(texts, room, scale):
        texts = [Tex(fit.columns(t)) for t in texts]
    return texts


def wide_table(table) -> bool:
    """Whether a Table may come out wider than the line (estimated from its printed cells, with
    some margin): the table macro then measures it and scales it to the line if it is. ``table``:
    a Table, or a dict of its fields (a kind's partial builds some)."""
    get = table.get if isinstance(table, dict) else lambda name: getattr(table, name)
    widths = {}
    for row in [get("header"), *get("rows")]:
        for k, value in enumerate(row):
            widths[k] = max(widths.get(k, 0.0), fit.printed_width(cell(value)))
    scale = 0.9 if get("small") else 1.0
    return scale * (sum(widths.values()) + 12.0 * len(widths)) > 0.85 * fit.TEXT_WIDTH


def kind_partial(kind_name: str) -> str:
    """The template name of a kind's partial (served from the kind's own file when it has one)."""
    return f"kinds/{kind_name}.tex.j2"


_GENERIC_PARTIAL = '<% import "macros.tex.j2" as m %>\n<% call(fig) m.sections(q, sol) %><% endcall %>\n'


def _registered_partial(name):
    """Jinja2 FunctionLoader: the partial of a kind registered with its own template file."""
    from symdl import kinds

    match = re.fullmatch(r"kinds/(.+)\.tex\.j2", name)
    kind = kinds.registered(match.group(1)) if match else None
    if kind is None or kind.name in kinds.BUILTIN:
        return None
    if kind.template is None:          # a kind with no figures of its own: its sections, as every kind's
        return _GENERIC_PARTIAL, name, lambda: True
    path = Path(kind.template)
    return path.read_text(encoding="utf-8"), str(path), lambda: True


def _bytecode_cache():
    """Compiled templates kept between runs (keyed by template source, so never stale);
    None when no cache folder can be written, which only costs compile time."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "symdl" / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return None
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def environment(templates: Path = TEMPLATES, audience: str = "model") -> jinja2.Environment:
    """The Jinja2 environment: LaTeX-friendly delimiters, StrictUndefined, escaping finalize.
    ``audience`` (a global every template and imported macro sees) selects what is shown."""
    from symdl.render import documents
    from symdl.solution import check_audience, shown

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FunctionLoader(_registered_partial),
                                    jinja2.FileSystemLoader(str(templates))]),
        block_start_string="<%", block_end_string="%>",
        variable_start_string="<<", variable_end_string=">>",
        comment_start_string="<#", comment_end_string="#>",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined, finalize=_finalize, autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(math=math, result=result, boxed_result=boxed_result, paragraph=paragraph, prose=prose,
                       cell=cell, breakable=breakable, label_key=label_key,
                       esc=escape, item_type=item_type, tex=Tex, one_line=one_line, fit=fitted, marked=marked)
    env.globals.update(item_type=item_type, Tex=Tex, kind_partial=kind_partial, step_lines=step_lines,
                       final_texts=final_texts, wide_table=wide_table,
                       printed_width=fit.printed_width, widest_math=fit.widest_math,
                       **documents.template_globals(check_audience(audience)))
    env.tests["shown_to"] = shown
    return env


# No source line of the answer key is longer than this (TeX's buf_size is 200000 characters)
MAX_SOURCE_LINE = 4000
_COMMENT = re.compile(r"(?<!\\)(?:\\\\)*%")
_BREAKABLE = re.compile(r" |(?<=\\\\)|(?<=&)")


def render(exam, results, document: str = "model") -> str:
    """One document as LaTeX source: "model" (the model answers, answer-key.tex), "full" (the
    complete derivation), "grading" (the rubric) or "verification". ``results``: QuestionResult list."""
    from symdl.render.documents import DOCUMENTS, footer_line

    template, audience = DOCUMENTS[document]
    env = environment(audience=audience)
    tex = env.get_template(template).render(exam=exam, results=results, footer_line=footer_line(results))
    tex = tex.replace(r"\mathbb{1}", r"\mathbf{1}")     # msbm has no blackboard 1: a garbage glyph
    if all(len(line) <= MAX_SOURCE_LINE for line in tex.split("\n")):
        return tex
    return "\n".join(short_lines(line) for line in tex.split("\n"))


def short_lines(line: str, limit: int = MAX_SOURCE_LINE) -> str:
    """``line`` put on several source lines of at most ``limit`` characters where it can be
    broken without changing what TeX reads: at a space, or after ``\\\\`` or ``&`` (a line end
    reads as a space). A line with a comment is left whole."""
    if len(line) <= limit or _COMMENT.search(line):
        return line
    out, start = [], 0
    while len(line) - start > limit:
        cut = None
        for m in _BREAKABLE.finditer(line, start + 1, start + limit + 1):
            cut = m
        if cut is None:
            break
        out.append(line[start:cut.start()])
        start = cut.end() if cut.group(0) == " " else cut.start()
    out.append(line[start:])
    return "\n".join(out)
