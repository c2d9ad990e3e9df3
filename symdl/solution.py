"""What a solver returns: sections of steps, text, tables and figures, plus named answers.

Every item has an ``audience``: ``"model"`` (the model answer a student reads: the steps a
student is expected to show), ``"full"`` (the complete derivation, shown only with
``--detail full``) or ``"instructor"`` (checks, long analyses, how the spec was read: the
verification report only). An answer carries its part, a label, its unit, the digits shown,
whether it is a final answer (boxed and listed in the summary), and later its points,
tolerance and the mistakes students make (``Mistake``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Tex(str):
    """A string that is already LaTeX (made by the printer); never escaped again."""


@dataclass
class Step:
    """One line of working: words, the closed form, the numbers substituted, the result.

    ``lhs`` names the quantity; ``formula`` is the closed form (symbols); ``substituted`` is
    the same formula with the numbers put in and left unevaluated; ``result`` is the value.
    Each math field holds a SymPy object or a :class:`Tex` string made by the printer.
    """

    text: str
    lhs: Any = None
    formula: Any = None
    substituted: Any = None
    result: Any = None
    relation: str | None = None   # overrides '=' / '\approx' before the result when given
    boxed: bool = False           # the result is a final answer: boxed in the model answer
    audience: str = "model"


@dataclass
class Text:
    """A paragraph: plain strings (escaped when rendered) interleaved with math objects."""

    parts: tuple
    boxed: bool = False           # a final answer in words: framed in the model answer
    audience: str = "model"

    def __init__(self, *parts, boxed=False, audience="model"):
        self.parts = tuple(parts)
        self.boxed = boxed
        self.audience = check_audience(audience)


@dataclass
class Math:
    """A displayed equation given as a SymPy object or Tex."""

    body: Any
    boxed: bool = False
    audience: str = "model"


@dataclass
class Table:
    """A table: header cells and rows of cells (plain strings or math objects)."""

    header: list
    rows: list
    caption: str = ""
    align: str | None = None      # LaTeX column spec; default left-aligned columns
    small: bool = False
    role: str | None = None       # what the table is (e.g. "layers"); the kind's partial lays it out by it
    audience: str = "model"


@dataclass
class Figure:
    """A drawing; ``name`` selects the painters its kind registers for it (Kind.figures: a macro of the
    kind's template partial for the PDF, an SVG function for the HTML), ``data`` feeds them."""

    name: str
    data: dict
    caption: str = ""
    audience: str = "model"


@dataclass
class Section:
    """A part of the answer (a sub-question, or a topic), holding steps and other items."""

    title: str
    items: list = field(default_factory=list)
    part: str | None = None
    role: str | None = None       # what the section is (e.g. "layer": one layer's working)
    audience: str = "model"

    def add(self, *items):
        """Append ``items``; in a "full" or "instructor" section an item left at "model" takes
        the section's audience (it belongs to that document with its section)."""
        if self.audience != "model":
            for item in items:
                if getattr(item, "audience", "model") == "model":
                    item.audience = self.audience
        self.items.extend(items)
        return self


AUDIENCES = ("model", "full", "instructor")


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r} is not one of {AUDIENCES}")
    return audience


def only(audience, *items):
    """``items`` marked for ``audience`` ("full": the complete derivation; "instructor": the
    verification report); returns them as a list, for ``section.add(*only("full", a, b))``."""
    check_audience(audience)
    for item in items:
        item.audience = audience
    return list(items)


def shown(item, audience: str) -> bool:
    """Whether ``item`` appears in the document for ``audience``: the model answers show
    "model" items; the full derivation "model" and "full"; the verification report
    "instructor" items only (and the sections holding them)."""
    own = getattr(item, "audience", "model")
    if audience == "model":
        return own == "model"
    if audience == "full":
        return own in ("model", "full")
    if isinstance(item, Section):
        return own == "instructor" or any(shown(i, "instructor") for i in item.items)
    return own == "instructor"


@dataclass
class Mistake:
    """A common mistake and the value it produces, derived by the kind's own engine with one
    thing done wrong (``why``: what the student did)."""

    name: str
    value: Any
    why: str = ""


@dataclass
class Answer:
    """One named answer and what the documents say of it.

    ``label`` names it in the summary and the rubric (SymPy object, display object or plain
    text); ``digits``: significant digits shown (None: the printer's rule / exact);
    ``final``: boxed in the model answer and listed on page 1; ``graded``: whether the exam asks
    for it (None: when it is final and a number or a yes/no; text answers are graded by criteria);
    ``weight``: its share of the part's points under the derived rule (None: 1).
    Filled in after solving (symdl.grading, symdl.grading.rubric): ``figures`` (the answer policy's
    significant figures for it), ``tolerance`` ({"abs", "rel"}: the policy's interval),
    ``points`` (the sum of its rubric items' points, exact), ``mistakes`` (list of Mistake).
    """

    name: str
    value: Any
    part: str | None = None
    label: Any = None
    unit: str | None = None
    digits: int | None = None
    final: bool = False
    points: Any = None
    tolerance: dict | None = None
    mistakes: list = field(default_factory=list)
    words: str | None = None       # a yes/no as the documents word it ("yes, but slowly")
    graded: bool | None = None
    weight: Any = None
    figures: int | None = None


@dataclass
class RubricItem:
    """A criterion of a part (an idea a full answer contains: an explanation, a drawing, a verdict
    in words), an accepted alternative, or a note for the grader.

    A criterion (``slug`` given, not ``alternative``) carries points: ``points`` when the kind
    fixes them (rare: the spec's ``rubric`` table usually does), else a share of the part by
    ``weight`` (symdl.grading.rubric); ``model`` is the sentence a full answer would write. Without a slug
    (or as an alternative) the item is advice to the grader and carries no points.
    """

    part: str | None
    text: Any                     # plain text or Text: what the idea is
    points: Any = None
    alternative: bool = False     # an accepted alternative answer or reading, not a credit item
    slug: str | None = None       # a criterion's id within its part ("dead-now")
    weight: Any = 1               # its share under the derived rule
    model: str = ""               # the model sentence (plain text)


@dataclass
class Solution:
    """Everything a solver derived for one question."""

    question_id: str
    kind: str
    sections: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)      # stable name -> exact value, bool or str
    assumptions: list = field(default_factory=list)  # sentences stated on the sheet
    meta: dict = field(default_factory=dict)         # stable name -> Answer (part, label, ...)
    rubric: list = field(default_factory=list)       # RubricItem, in order
    given: list = field(default_factory=list)        # the question's data as the exam sheet shows it (items)
    ties: list | None = None                          # where a kink ties at the exam's point (None: not tracked)

    def section(self, title, part=None, role=None, audience="model") -> Section:
        sec = Section(title=title, part=part, role=role, audience=check_audience(audience))
        self.sections.append(sec)
        return sec

    def answer(self, name, value, *, part=None, label=None, unit=None, digits=None, final=False):
        """Record an answer; returns ``value``. ``final`` answers are boxed and summarised."""
        if name in self.answers:
            raise ValueError(f"answer {name!r} set twice")
        self.answers[name] = value
        self.meta[name] = Answer(name, value, part=part, label=label, unit=unit, digits=digits, final=final)
        return value

    def describe(self, name, **changes):
        """Set what the documents say of an answer recorded earlier (part, label, unit, digits,
        final, points, tolerance)."""
        answer = self.meta[name]
        for key, value in changes.items():
            if not hasattr(answer, key) or key in ("name", "value", "mistakes"):
                raise TypeError(f"an answer has no setting {key!r}")
            setattr(answer, key, value)
        return answer

    def credit(self, part, text, points=None, *, alternative=False):
        """A note for the grader of ``part`` (no points), or an accepted alternative answer."""
        self.rubric.append(RubricItem(part, text, points, alternative))

    def criterion(self, part, slug, text, model="", *, weight=1, points=None):
        """A criterion of ``part``: an idea a full answer contains (``text``), the model sentence
        that states it (``model``), its weight in the part's points (or fixed ``points``)."""
        if any(c.slug == slug and c.part == part for c in self.rubric):
            raise ValueError(f"criterion {slug!r} of part {part} set twice")
        self.rubric.append(RubricItem(part, text, points, False, slug, weight, model))

    def finals(self, part=None) -> list:
        """The final answers (Answer), of one part or of all, in the order they were recorded."""
        return [a for a in self.meta.values() if a.final and (part is None or a.part == part)]

    def assume(self, sentence):
        if sentence not in self.assumptions:
            self.assumptions.append(sentence)


def item_type(item) -> str:
    """The name a renderer dispatches a Solution item on: step, text, math, table, figure, section."""
    for cls, name in ((Step, "step"), (Text, "text"), (Math, "math"), (Table, "table"),
                      (Figure, "figure"), (Section, "section")):
        if isinstance(item, cls):
            return name
    raise TypeError(f"cannot render {type(item).__name__}")
