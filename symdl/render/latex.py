"""The LaTeX answer key: Jinja2 templates for layout, the printer for every piece of math."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from symdl import printer
from symdl.solution import Figure, Math, Section, Step, Table, Tex, Text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"   # symdl/templates -> ../templates in the repository

_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))


def escape(text) -> Tex:
    """Plain text made safe for LaTeX: every special character printed as itself."""
    from symdl.spec import printable

    text = printable(str(text))     # a character the fonts cannot print shows as [U+XXXX]
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    text = text.replace("\u2014", "---").replace("\u2013", "--")
    return Tex(_ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text))


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


def paragraph(item: Text) -> Tex:
    """A Text item: strings escaped, math objects printed inline."""
    out = []
    for part in item.parts:
        if isinstance(part, str) and not isinstance(part, Tex):
            out.append(escape(part))
        else:
            out.append("$" + printer.tex(part) + "$")
    return Tex("".join(out))


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


def item_type(item) -> str:
    for cls, name in ((Step, "step"), (Text, "text"), (Math, "math"), (Table, "table"),
                      (Figure, "figure"), (Section, "section")):
        if isinstance(item, cls):
            return name
    raise TypeError(f"cannot render {type(item).__name__}")


def kind_partial(kind_name: str) -> str:
    """The template name of a kind's partial (served from the kind's own file when it has one)."""
    return f"kinds/{kind_name}.tex.j2"


def _registered_partial(name):
    """Jinja2 FunctionLoader: the partial of a kind registered with its own template file."""
    from symdl import kinds

    match = re.fullmatch(r"kinds/(.+)\.tex\.j2", name)
    kind = kinds.registered(match.group(1)) if match else None
    if kind is None or kind.template is None:
        return None
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


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja2 environment: LaTeX-friendly delimiters, StrictUndefined, escaping finalize."""
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
    env.filters.update(math=math, result=result, paragraph=paragraph, cell=cell,
                       esc=escape, item_type=item_type, tex=Tex)
    env.globals.update(item_type=item_type, Tex=Tex, kind_partial=kind_partial)
    return env


def render(exam, results) -> str:
    """The whole answer key as LaTeX source. ``results``: list of QuestionResult."""
    env = environment()
    return env.get_template("answer-key.tex.j2").render(exam=exam, results=results)
