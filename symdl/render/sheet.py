"""The exam sheet the students get: title, course, date, instructions, every question with its text,
its given values (each kind's ``Kind.sheet``), its parts and points, and space to answer.

It reads the spec alone (never a Solution): nothing derived can reach it. ``python -m symdl sheet``
writes ``OUT/<exam id>-sheet/``; ``derive`` writes the same two files beside the answer key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from symdl.notation import given as g
from symdl.errors import BuildError, SymdlError
from symdl.input.spec import default_spec, load_exam
from symdl.render import latex, pdf as pdf_render
from symdl.render.latex import cell, marked
from symdl.solution import Tex
from symdl import kinds, outdir

TEX = "exam-sheet.tex"
PDF = "exam-sheet.pdf"
CM_PER_POINT = 0.42        # answer space per point of a part (or of a question without parts)
MIN_SPACE_CM = 2.5
DEFAULT_SPACE_CM = 5.0     # a part when the question gives no points
MAX_SPACE_CM = 20.0        # one part never asks for more than most of a page


@dataclass
class SheetPart:
    label: str
    text: str
    points: object
    space_cm: float


@dataclass
class SheetQuestion:
    """A question as the sheet shows it: the question (id, title, text, points), its given items
    (Text, Math, Table with blank cells), its parts, and the space left below a question without parts."""

    question: object
    items: list
    parts: list
    space_cm: float
    handouts: list = field(default_factory=list)   # tables handed out whole, on pages after the questions


def questions(exam) -> list:
    """Every question's sheet items, from the kind's ``sheet`` hook over the checked fields."""
    out = []
    for question in exam.questions:
        kind = kinds.get(question.kind)
        try:
            question.values = kind.schema.check(question)
            items = list(kind.sheet(question)) if kind.sheet is not None else []
        except SymdlError as exc:
            exc.locate(question)
            raise
        out.append(_sheet_question(question, items))
    return out


def _space(points) -> float:
    return min(MAX_SPACE_CM, max(MIN_SPACE_CM, float(points) * CM_PER_POINT))


def _sheet_question(question, items) -> SheetQuestion:
    parts = list(question.parts.items())
    part_points = getattr(question, "part_points", {}) or {}
    given_points = [part_points.get(label, g.part_points(p)) for label, p in parts]
    share = (question.points / len(parts)) if (parts and question.points) else None
    sheet_parts = []
    for (label, part), points in zip(parts, given_points):
        basis = points if points is not None else share
        sheet_parts.append(SheetPart(str(label), g.part_text(part), points,
                                     _space(basis) if basis is not None else DEFAULT_SPACE_CM))
    space = 0.0 if parts else (_space(question.points) if question.points else DEFAULT_SPACE_CM)
    handouts = [it for it in items if getattr(it, "role", None) == "handout"]
    shown_items = [it for it in items if getattr(it, "role", None) != "handout"]
    return SheetQuestion(question, shown_items, sheet_parts, space, handouts)


def sheet_cell(value):
    """A table cell of the sheet: a list of lines stacked in the cell, anything else as the key's cell."""
    if isinstance(value, (list, tuple)):
        return Tex(r" \newline ".join(sheet_cell(v) for v in value))
    if isinstance(value, str) and not isinstance(value, Tex):
        return marked(value)                 # plain text, with the exam's emphasis (**bold**, __underlined__)
    return cell(value)


def sheet_partial(kind_name: str) -> str:
    """The template a question's kind sets its own sheet tables with (macros named after the tables'
    roles): its package's file (``Kind.sheet_template``, served by render/latex.py's loader) when the
    kind has one, else one with no macros."""
    return f"kinds/{kind_name}.sheet.tex.j2" if kinds.get(kind_name).sheet_template is not None \
        else "sheet/plain.tex.j2"


def render(exam, sheet_questions) -> str:
    """The exam sheet as LaTeX source."""
    env = latex.environment()
    env.filters["sheet_cell"] = sheet_cell
    env.globals["sheet_partial"] = sheet_partial
    tex = env.get_template("exam-sheet.tex.j2").render(exam=exam, questions=sheet_questions)
    if all(len(line) <= latex.MAX_SOURCE_LINE for line in tex.split("\n")):
        return tex
    return "\n".join(latex.short_lines(line) for line in tex.split("\n"))


def sources(exam) -> dict:
    """File name -> text: the sheet's LaTeX."""
    return {TEX: render(exam, questions(exam))}


def build_pdf(folder: Path, timeout: float = 300):
    """Build ``folder/exam-sheet.pdf`` from its .tex (render/pdf.py's safe build); the BuildError or None."""
    import contextlib


    try:
        pdf_render.build(Path(folder) / TEX, timeout=timeout)
    except BuildError as exc:
        with contextlib.suppress(OSError):
            (Path(folder) / PDF).unlink()
        pdf_render.clean(Path(folder), "exam-sheet")
        return exc
    pdf_render.clean(Path(folder), "exam-sheet")
    return None


def write(spec=None, out="out", *, pdf=True, data_dirs=(), progress=None):
    """Write ``OUT/<exam id>-sheet/``: exam-sheet.tex, exam-sheet.pdf and the manifest; return the folder.

    Staged, put in the manifest and moved into place as ``derive`` does (an older folder is
    replaced only when it holds nothing but what symdl wrote). Bad input: nothing written.
    """
    exam = load_exam(spec or default_spec(), data_dirs=data_dirs)
    out = Path(out)
    outdir.check_out(out, out / f"{exam.id}-sheet")
    files = sources(exam)

    def fill(staging):
        outdir.write_files(staging, files)
        if pdf and pdf_render.tex_available():
            if progress:
                progress("building the exam sheet's PDF with latexmk")
            return build_pdf(staging)
        return None

    final, error = outdir.publish(out, f"{exam.id}-sheet", fill, what="the exam sheet")
    if error is not None:
        log = getattr(error, "log", None)                # TeX's log, kept beside the .tex
        raise BuildError(f"{error.message}; no PDF, {TEX}{' and ' + log if log else ''} written to {final}")
    return final
