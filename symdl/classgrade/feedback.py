"""Each student's feedback as the instructor would write it: per question and part, every item
right or wrong, the derived mistake it matches, or credited by error carried forward; one HTML
page per student and one LaTeX document (one student a page) for printing."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "grade"

STATUS = {"right": "right", "partial": "partly right", "wrong": "wrong", "blank": "not answered",
          "carried": "right from your earlier answer", "criterion": "graded by hand", "problem": "not readable"}


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


def detail(mark, qid) -> str:
    """The sentence under an item: the mistake it matches, where a carried value came from, a problem."""
    said = []
    if mark.status == "carried":
        names = ", ".join(f"{qid} {name}" for name in mark.carried_from)
        said.append(f"Computed correctly from your own answer to {names} (error carried forward).")
    if mark.status == "problem":
        said.append(f"This is not read as a number ({mark.note}); it is graded as wrong.")
    if mark.mistake:
        said.append(f"Your value is what you get when you {_lower(mark.mistake)}.")
    if mark.note and mark.status != "problem":
        said.append(_sentence(mark.note))
    return " ".join(said)


def _lower(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def sections(grades, student) -> list:
    """[(question, earned, points, [(part, earned, points, [Line])])] for one student."""
    out, marks = [], iter(student.marks)
    for plan in grades.plans:
        q = plan.question
        parts, order = {}, []
        for item in plan.items:
            mark = next(marks)
            if item.part not in parts:
                parts[item.part] = []
                order.append(item.part)
            parts[item.part].append(Line(item.column, item.text, mark.written, points(mark.earned),
                                         points(item.points), STATUS[mark.status], mark.status, detail(mark, q.id)))
        total = sum((i.points for i in plan.items), Fraction(0))
        shown = [(part, points(student.parts.get((q.id, part), 0)),
                  points(sum((i.points for i in plan.items if i.part == part), Fraction(0))), parts[part])
                 for part in order]
        out.append((q, points(student.questions[q.id]), points(total), shown))
    return out


def maximum(grades) -> str:
    return points(sum((i.points for p in grades.plans for i in p.items), Fraction(0)))


def html(grades, student) -> str:
    """The student's feedback page (every text escaped, no script, nothing fetched)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("feedback.html.j2").render(
        exam=grades.exam, student=student, total=points(student.total), maximum=maximum(grades),
        sections=sections(grades, student), carry=grades.carry_forward)


def tex(grades) -> str:
    """Every student's feedback as one LaTeX document, one student from a new page."""
    from symdl.render import latex

    env = latex.environment()
    students = [(s, points(s.total), sections(grades, s)) for s in grades.students]
    return env.get_template("grade/feedback.tex.j2").render(
        exam=grades.exam, students=students, maximum=maximum(grades), carry=grades.carry_forward)
