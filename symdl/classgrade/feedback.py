"""Each student's feedback as the instructor would write it: per question and part, every item
right or wrong, the derived mistake it matches, or credited by error carried forward; one HTML
page per student and one LaTeX document (one student a page) for printing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction
from pathlib import Path

from .score import words
from symdl.render import latex, texsafe
from symdl.render.documents import question_name

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "grade"

STATUS = {"right": "right", "partial": "partly right", "wrong": "wrong", "blank": "not answered",
          "carried": "right from your earlier answer", "criterion": "graded by hand", "problem": "not readable"}


@lru_cache(maxsize=4096)
def points(p: Fraction) -> str:
    """Points as a decimal: exact when it terminates, else to 4 decimal places."""
    p = Fraction(p)
    if p.denominator == 1:
        return str(p.numerator)
    d = p.denominator
    for prime in (2, 5):
        while d % prime == 0:
            d //= prime
    if d == 1:
        text = f"{float(p):.12f}".rstrip("0")
        return text.rstrip(".")
    return f"{float(p):.4f}"


@dataclass
class Line:
    """One item as the feedback shows it."""

    column: str
    what: str
    written: str
    earned: str
    points: str
    status: str
    state: str          # the Mark's status, for the page's colour
    detail: str


def detail(mark, plan) -> str:
    """The sentence under an item: the mistake it matches, where a carried value came from, a problem."""
    said = []
    if mark.status == "carried":
        names = " and ".join(words(plan, name) for name in mark.carried_from)
        said.append(f"Computed correctly from your own answer to {names} (error carried forward).")
    if mark.status == "problem":
        said.append(f"This is not read as a number ({mark.note}); it is graded as wrong.")
    if mark.mistake:
        said.append(f"This is the value of a common mistake: {_lower(mark.mistake)}.")
    if mark.note and mark.status != "problem":
        said.append(_sentence(mark.note))
    return " ".join(said)


def _lower(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _maxima(plan) -> tuple:
    """(the question's points, {part: its points}, parts in order) of a grading plan, made once."""
    cached = getattr(plan, "_feedback_maxima", None)
    if cached is None:
        parts = {}
        for item in plan.items:
            parts[item.part] = parts.get(item.part, Fraction(0)) + item.points
        cached = (sum(parts.values(), Fraction(0)), parts, list(parts))
        plan._feedback_maxima = cached
    return cached


def sections(grades, student, text=str) -> list:
    """[(question, earned, points, [(part, earned, points, [Line])])] for one student; ``text``
    turns each piece of text into what the template prints (the LaTeX escape, cached)."""
    out, marks = [], iter(student.marks)
    for plan in grades.plans:
        q = plan.question
        total, maxima, order = _maxima(plan)
        parts = {part: [] for part in order}
        for item in plan.items:
            mark = next(marks)
            parts[item.part].append(Line(text(item.column), text(item.text), text(mark.written),
                                         text(points(mark.earned)), text(points(item.points)),
                                         text(STATUS[mark.status]), mark.status, text(detail(mark, plan))))
        shown = [(part, text(points(student.parts.get((q.id, part), Fraction(0)))), text(points(maxima[part])),
                  parts[part]) for part in order]
        out.append((q, text(points(student.questions[q.id])), text(points(total)), shown))
    return out


def maximum(grades) -> str:
    return points(sum((i.points for p in grades.plans for i in p.items), Fraction(0)))


def _question_name(question) -> str:
    """The heading's name, as the exam numbers it ("1" for the id "Q1")."""
    return question_name(question)


_HTML = []       # the page's compiled template, made once


def html(grades, student) -> str:
    """The student's feedback page (every text escaped, no script, nothing fetched)."""
    if not _HTML:
        import jinja2

        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        _HTML.append(env.get_template("feedback.html.j2"))
    return _HTML[0].render(
        exam=grades.exam, student=student, total=points(student.total), maximum=maximum(grades),
        sections=sections(grades, student), carry=grades.carry_forward, question_name=_question_name)


def tex(grades) -> str:
    """Every student's feedback as one LaTeX document, one student from a new page."""
    env = latex.environment()
    escaped = lru_cache(maxsize=65536)(lambda t: latex.Tex(texsafe.escape(t)))
    students = [(s, points(s.total), sections(grades, s, escaped)) for s in grades.students]
    return env.get_template("grade/feedback.tex.j2").render(
        exam=grades.exam, students=students, maximum=maximum(grades), carry=grades.carry_forward,
        question_name=_question_name)
