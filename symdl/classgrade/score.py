"""One student's grade: every rubric item judged as written, the derived mistake it matches, and
error carried forward (the kind's derivation re-run from the student's own earlier values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from symdl.grading import rubric
from symdl.errors import SymdlError

from . import cells
from .values import degenerate, numbers, shaped, substituted


@dataclass
class Mark:
    """What one item earned and why: status is right, partial, wrong, blank, carried, criterion or problem."""

    item: object
    earned: Fraction
    status: str
    written: str = ""
    mistake: str = ""               # the derived mistake's sentence (Mistake.why) the value matches
    carried_from: tuple = ()        # the earlier answers (names) a carried value was computed from
    note: str = ""                  # why nothing was carried forward to it (a degenerate earlier answer)


@dataclass
class Plan:
    """One question made ready for grading: its items, right values, dependents and mistake views."""

    question: object
    solution: object
    kind: object
    items: list
    by_answer: dict = field(default_factory=dict)      # answer -> [Item]
    right: dict = field(default_factory=dict)          # answer -> {entry: Fraction}
    deps: dict = field(default_factory=dict)           # answer -> answers recomputed from it
    mistakes: dict = field(default_factory=dict)       # answer -> [(Mistake, solution view)]
    cache: dict = field(default_factory=dict)          # carried values and views, by the values given
    judged: dict = field(default_factory=dict)         # (column, value) -> (share, why, mistake): as written


def plan(question, solution, kind, carry_forward=True) -> Plan:
    """The items of ``question`` (symdl.grading.rubric.items) with what grading needs of each answer."""
    p = Plan(question, solution, kind, list(rubric.items(question, solution)))
    for item in p.items:
        if item.answer is not None:
            p.by_answer.setdefault(item.answer, []).append(item)
    for name in p.by_answer:
        answer = solution.meta[name]
        p.right[name] = numbers(answer.value)
        p.mistakes[name] = [(m, substituted(solution, {name: m.value})) for m in answer.mistakes
                            if _comparable(answer.value, m.value, p.right[name])]
    if carry_forward and kind.carry is not None:
        for name in p.by_answer:
            if p.right[name] is not None:
                found = kind.carry(question, solution, {name: solution.answers[name]})
                p.deps[name] = (set(found) & set(p.by_answer)) - {name}
    return p


def _read(p: Plan, item, text):
    """(value, problem): the student's cell as the item takes it; a cell it cannot take is a problem."""
    try:
        if item.answer is None:
            return cells.number(text), ""
        if isinstance(p.solution.meta[item.answer].value, bool):
            return cells.yes_no(text), ""
        if whole(p, item):
            return cells.entries(text), ""
        return cells.number(text), ""
    except cells.NotANumber as exc:
        return None, str(exc)


def whole(p: Plan, item) -> bool:
    """An item graded on a whole vector, matrix or shape (one cell holds every entry)."""
    value = rubric.entry_of(p.solution.meta[item.answer].value, item.entry)
    return isinstance(value, (list, tuple, sympy.MatrixBase))


def _entries_of(p: Plan, name, items, values) -> dict:
    """{entry: the student's number} of answer ``name`` from its items' cells (a whole-value cell
    spread over the entries it holds, in the answer's order); None where a cell is blank or too short."""
    student = {}
    for i in items:
        v = values.get(i.column)
        if isinstance(v, tuple):
            under = [e for e in p.right[name] if e[:len(i.entry)] == i.entry]
            if len(v) == len(under):
                student.update(zip(under, v))
            else:
                student[i.entry] = None
        else:
            student[i.entry] = v
    return student


def grade(p: Plan, row) -> tuple:
    """([Mark] in the order of the items, [(column, text, why)] problems) of one student's row."""
    marks, problems, values = {}, [], {}
    for item in p.items:
        text = (row.cells.get(item.column) or "").strip()
        value, problem = _read(p, item, text)
        if problem:
            problems.append((item.column, text, problem))
            marks[item.column] = Mark(item, Fraction(0), "problem", text, note=problem)
            continue
        if item.answer is None:
            marks[item.column] = Mark(item, value or Fraction(0), "criterion" if value is not None else "blank", text)
            continue
        values[item.column] = value
        key = (item.column, value)
        if key not in p.judged:
            share, why = rubric.judge(p.question, p.solution, item, value)
            p.judged[key] = (share * item.points, why, _mistake(p, item, value) if why not in ("right", "blank") else "")
        earned, why, mistake = p.judged[key]
        marks[item.column] = Mark(item, earned, why, text, mistake=mistake)
    if p.deps:
        _carry(p, marks, values)
    return [marks[i.column] for i in p.items], problems


def _comparable(right_value, mistaken, right_numbers) -> bool:
    """A mistake the student's answer can be matched with: a yes/no against a yes/no, a number
    against a number of the same shape (a text answer is graded by its criteria, not matched)."""
    if isinstance(right_value, bool):
        return isinstance(mistaken, bool)
    return right_numbers is not None and (numbers(mistaken) or {}).keys() == right_numbers.keys()


def _mistake(p: Plan, item, value) -> str:
    """The sentence of the first derived mistake whose value the student's matches (within the policy)."""
    for mistake, view in p.mistakes.get(item.answer, ()):
        if rubric.judge(p.question, view, item, value)[1] == "right":
            return mistake.why or mistake.name
    return ""


def _short(item_points, mark) -> bool:
    return mark.earned < item_points and mark.status not in ("blank", "problem")


def _given(p: Plan, marks, values):
    """({answer: the student's whole value} to carry forward from, {answer: why not})."""
    given, refused = {}, {}
    for name, deps in p.deps.items():
        items = p.by_answer[name]
        if not deps or all(marks[i.column].earned >= i.points for i in items):
            continue
        if not any(_short(i.points, marks[i.column]) for d in deps for i in p.by_answer[d]):
            continue
        student = _entries_of(p, name, items, values)
        if any(v is None for v in student.values()):
            refused[name] = "it is blank or not a number"
        elif student.keys() != p.right[name].keys():
            continue
        else:
            why = degenerate(student, p.right[name])
            if why:
                refused[name] = why
            else:
                given[name] = student
    return given, refused


def _carry(p: Plan, marks, values):
    """Credit every item that is right when judged against the value the kind recomputes from the
    student's own earlier answers (the higher of the two scores stays); say where nothing is carried."""
    given, refused = _given(p, marks, values)
    if given:
        key = tuple(sorted((name, tuple(sorted(v.items()))) for name, v in given.items()))
        if key not in p.cache:
            p.cache[key] = _recompute(p, given)
        for name, view in p.cache[key].items():
            sources = [a for a in given if name in p.deps.get(a, ())]
            sources = tuple(a for a in sources if not any(b in p.deps[a] for b in sources if b != a))
            for item in p.by_answer[name]:
                mark = marks[item.column]
                if not _short(item.points, mark):
                    continue
                share, why = rubric.judge(p.question, view, item, values[item.column])
                if share * item.points > mark.earned:
                    mark.earned, mark.status, mark.carried_from, mark.mistake = \
                        share * item.points, "carried", sources, ""
    for name, why in refused.items():
        for dep in sorted(p.deps[name]):
            for item in p.by_answer[dep]:
                mark = marks[item.column]
                if mark.status != "carried" and mark.earned < item.points and not mark.note:
                    mark.note = f"nothing carried forward from your answer to {words(p, name)}: {why}"


def words(p: Plan, name) -> str:
    """An answer as the feedback names it: its label when that is plain words, else its name."""
    label = p.solution.meta[name].label
    return f"{label} ({p.question.id})" if type(label) is str else f"{p.question.id} {name}"


def _recompute(p: Plan, given) -> dict:
    """{answer: solution view with the recomputed value} for each graded answer the kind recomputes."""
    student = {name: shaped(p.solution.answers[name], v) for name, v in given.items()}
    try:
        found = p.kind.carry(p.question, p.solution, student)
    except (SymdlError, ValueError, ArithmeticError):
        return {}                   # the student's values lead nowhere the derivation can go
    return {name: substituted(p.solution, {name: value}) for name, value in found.items() if name in p.by_answer}
