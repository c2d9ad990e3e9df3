"""The LaTeX answer key: Jinja2 templates for layout, the printer for every piece of math."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from symdl import kinds
from symdl.errors import ContractError
from symdl.notation import printer
from symdl.render import documents, fit
from symdl.solution import Tex, Text, check_audience, item_type, shown
from symdl.input import markup
from symdl.render.texsafe import breakable, escape, label_key, paragraph
from symdl.render.documents import DOCUMENTS, final_tex, footer_line

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"   # symdl/templates -> ../templates in the repository


def marked(text) -> Tex:
    """A plain-text field with its emphasis (``**bold**``, ``__underlined__``: symdl/input/markup.py)."""
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


@jinja2.pass_context
def paint(context, figure):
    """``figure`` drawn by its kind's TeX painter: the macro of the kind's partial (the template calling
    this) that the kind registers for the figure's name with the HTML's SVG painter (``Kind.figures``)."""
    kind = kinds.get(context.resolve("sol").kind)
    painters = kind.figures.get(figure.name)
    macro = context.resolve(painters[0]) if painters else None
    if not callable(macro):
        raise ContractError(f"kind {kind.name!r} has no TeX painter for its figure {figure.name!r} "
                            "(Kind.figures: {name: (macro of its partial, SVG function)})")
    return macro(figure)


def kind_partial(kind_name: str) -> str:
    """The template name of a kind's partial (its package's file, ``Kind.template``; see :func:`_kind_partial`)."""
    return f"kinds/{kind_name}.tex.j2"


_GENERIC_PARTIAL = '<% import "macros.tex.j2" as m %>\n<% call(fig) m.sections(q, sol) %><< paint(fig) | tex >><% endcall %>\n'
# "kinds/<name>.tex.j2": the kind's Kind.template; "kinds/<name>.sheet.tex.j2": its Kind.sheet_template
_PARTIAL_NAME = re.compile(r"kinds/([a-z][a-z0-9_]*)(\.sheet)?\.tex\.j2")


def _kind_partial(name):
    """Jinja2 FunctionLoader: a kind's partial, from the file its Kind names (a file of the kind's own
    package, built-in or installed); a kind with no partial of its own: the generic one (its sections)."""
    match = _PARTIAL_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        kind = kinds.get(match.group(1))
    except KeyError:
        return None
    path = kind.sheet_template if match.group(2) else kind.template
    if path is None:      # no sheet partial: not found (sheet_partial names the plain one instead)
        return None if match.group(2) else (_GENERIC_PARTIAL, name, lambda: True)
    path = Path(path)
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
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FunctionLoader(_kind_partial),
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
    env.globals.update(item_type=item_type, Tex=Tex, kind_partial=kind_partial, paint=paint, step_lines=step_lines,
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
