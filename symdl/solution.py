"""What a solver returns: sections of steps, text, tables and figures, plus named answers."""

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


@dataclass
class Text:
    """A paragraph: plain strings (escaped when rendered) interleaved with math objects."""

    parts: tuple

    def __init__(self, *parts):
        self.parts = tuple(parts)


@dataclass
class Math:
    """A displayed equation given as a SymPy object or Tex."""

    body: Any


@dataclass
class Table:
    """A table: header cells and rows of cells (plain strings or math objects)."""

    header: list
    rows: list
    caption: str = ""
    align: str | None = None      # LaTeX column spec; default left-aligned columns
    small: bool = False
    role: str | None = None       # what the table is (e.g. "layers"); the kind's partial lays it out by it


@dataclass
class Figure:
    """A drawing; ``name`` selects the macro in the kind's template partial, ``data`` feeds it."""

    name: str
    data: dict
    caption: str = ""


@dataclass
class Section:
    """A part of the answer (a sub-question, or a topic), holding steps and other items."""

    title: str
    items: list = field(default_factory=list)
    part: str | None = None
    role: str | None = None       # what the section is (e.g. "layer": one layer's working)

    def add(self, *items):
        self.items.extend(items)
        return self


@dataclass
class Solution:
    """Everything a solver derived for one question."""

    question_id: str
    kind: str
    sections: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)      # stable name -> exact value, bool or str
    assumptions: list = field(default_factory=list)  # sentences stated on the sheet

    def section(self, title, part=None, role=None) -> Section:
        sec = Section(title=title, part=part, role=role)
        self.sections.append(sec)
        return sec

    def answer(self, name, value):
        if name in self.answers:
            raise ValueError(f"answer {name!r} set twice")
        self.answers[name] = value
        return value

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
