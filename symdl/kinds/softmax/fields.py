"""The softmax kind's fields: the schema (regularization, reading, loss choices declared once) and the
reader that turns a question into a plain ``Problem`` with its ``Case`` tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from symdl.notation.display import display_tex
from symdl.errors import LatexError
from symdl.input.latex import parse_matrix
from symdl.input.schema import Field, Schema, normalize_choice

REGULARIZATIONS = ("l1", "l2", "none")
READINGS = ("row", "all")
LOSSES = {"cross_entropy": "cross_entropy", "cross-entropy": "cross_entropy", "ce": "cross_entropy",
          "softmax": "cross_entropy", "hinge": "hinge", "svm": "hinge", "multiclass_svm": "hinge"}
LOSS_TITLES = {"cross_entropy": "cross-entropy", "hinge": "multiclass SVM (hinge)"}
CASE_KEYS = {"id", "x", "regularization", "label", "text"}
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


SCHEMA = Schema(
    Field("W", "value", help="N x D weights, row n holds class n's weights"),
    Field("B", "value", help="N biases (a column or a row)"),
    Field("case", "list", default=None, help="the input vectors, one [[question.case]] table each"),
    Field("score", "latex", default=None, help="the score formula as written on the exam"),
    Field("regularization", "text", default=None, choices=REGULARIZATIONS, what="regularization",
          help="the extra term of the score: l1, l2 or none"),
    Field("reading", "text", default="row", choices=READINGS, what="reading",
          help="row: class n adds its own row's norm; all: one norm over all of W"),
    Field("classes", "list", default=None, help="N class names"),
    Field("loss", "value", default=["cross_entropy"], choices={normalize_choice(k): v for k, v in LOSSES.items()},
          what="loss", many=True, help="cross_entropy and/or hinge, a string or a list"),
    Field("margin", "number", default=None, help="the hinge margin Delta (default 1)"),
    Field("notes", "list", default=None, help="notes on the question (misprints of the original, readings), for the instructor's verification report"),
)


@dataclass
class Case:
    id: str
    x: sp.Matrix
    regularization: str          # "l1", "l2" or "none" for this case
    label: int | None            # 0-based class index
    text: str


@dataclass
class Problem:
    W: sp.Matrix
    B: sp.Matrix
    regularization: str
    reading: str
    classes: list
    losses: list
    margin: object
    cases: list

    @property
    def N(self):
        return self.W.rows

    @property
    def D(self):
        return self.W.cols


def read(question) -> Problem:
    values = SCHEMA.values_of(question)
    W = question.matrix("W")
    N, D = W.shape
    if N < 2:
        raise question.error("W", "softmax needs at least two classes (rows of W)")
    if N > 26 or D > 64:
        raise question.error("W", "at most 26 classes and 64 inputs")
    B = question.matrix("B")
    if B.rows == 1 and B.cols == N and N > 1:
        B = B.T
    if B.shape != (N, 1):
        raise question.error("B", f"expected {N} biases (one per row of W), got a {B.rows}x{B.cols} matrix")
    reg = values.get("regularization")
    if reg is None:
        reg = "l1" if question.has("score") and "|" in question.get("score", str) else "none"
    if question.has("score"):
        display_tex(question, "score")
    classes = _classes(question, values.get("classes"), N)
    losses = list(values["loss"])
    margin = question.number("margin", default=sp.Integer(1))
    if margin < 0:
        raise question.error("margin", "the hinge margin must not be negative")
    if question.has("margin") and "hinge" not in losses:
        raise question.error("margin", "a margin needs the hinge loss")
    for index, note in enumerate(values.get("notes") or ()):
        if not isinstance(note, str) or not note.strip():
            raise question.error("notes", f"note #{index + 1} is not a sentence (a string)")
    tables = question.get("case", list, default=None)
    if not tables:
        raise question.error("case", "no [[question.case]] tables: name at least one input vector")
    cases, seen = [], set()
    for index, table in enumerate(tables, start=1):
        cases.append(_case(question, table, index, seen, reg, classes, N, D))
    return Problem(W, B, reg, values["reading"], classes, losses, margin, cases)


def _classes(question, classes, N):
    if classes is None:
        return [str(k + 1) for k in range(N)]
    if len(classes) != N or not all(isinstance(c, str) and c.strip() for c in classes):
        raise question.error("classes", f"expected {N} class names (strings), one per row of W")
    if len(set(classes)) != N:
        raise question.error("classes", "class names must be distinct")
    if any(len(c) > 24 for c in classes):
        raise question.error("classes", "class names of at most 24 characters")
    return classes


def _case(question, table, index, seen, reg, classes, N, D) -> Case:
    if not isinstance(table, dict):
        raise question.error("case", f"case #{index} is not a table")
    cid = table.get("id", None)
    if not isinstance(cid, str) or not _CASE_ID.fullmatch(cid):
        raise question.error(f"case #{index}.id", "each case needs an 'id' (letters, digits, '-', '_')")
    if cid in seen:
        raise question.error(f"case.{cid}.id", "duplicate case id")
    seen.add(cid)
    for key in table:
        if key not in CASE_KEYS:
            raise question.error(f"case.{cid}.{key}", "unknown key in a case (known: id, x, regularization, "
                                                     "label, text)")
    x = _case_x(question, table, cid, D)
    r = table.get("regularization", True)
    if isinstance(r, bool):
        case_reg = reg if r else "none"
    elif isinstance(r, str) and normalize_choice(r) in REGULARIZATIONS:
        case_reg = normalize_choice(r)
    else:
        raise question.error(f"case.{cid}.regularization", "expected true, false, or l1 / l2 / none")
    label = _label(question, table.get("label", None), cid, classes, N)
    text = table.get("text", "")
    if not isinstance(text, str):
        raise question.error(f"case.{cid}.text", "expected a string")
    return Case(cid, x, case_reg, label, text)


def _case_x(question, table, cid, D):
    if "x" not in table:
        raise question.error(f"case.{cid}.x", "missing input vector x")
    try:
        x = parse_matrix(table["x"])
    except LatexError as exc:
        raise question.error(f"case.{cid}.x", exc.message) from None
    if x.rows != 1 and x.cols != 1:
        raise question.error(f"case.{cid}.x", f"expected a vector, got a {x.rows}x{x.cols} matrix")
    x = sp.Matrix(x).reshape(len(x), 1)
    if x.rows != D:
        raise question.error(f"case.{cid}.x", f"x has {x.rows} entries but W has {D} columns")
    return x


def _label(question, label, cid, classes, N):
    """The true class as a 0-based index (None without a label)."""
    if label is None:
        return None
    if isinstance(label, bool):
        raise question.error(f"case.{cid}.label", "expected a class number or name")
    if isinstance(label, int):
        if not 1 <= label <= N:
            raise question.error(f"case.{cid}.label", f"class numbers run from 1 to {N}")
        return label - 1
    if isinstance(label, str) and label in classes:
        return classes.index(label)
    if isinstance(label, str) and label.strip().isdigit() and 1 <= int(label) <= N:
        return int(label) - 1
    raise question.error(f"case.{cid}.label", f"unknown class '{label}'")
