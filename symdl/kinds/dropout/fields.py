"""The dropout kind's fields: the input, the drop (or keep) probability, the mask, the scaling
convention and the upstream gradient, read into a :class:`Dropout` with every number exact."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdl.errors import LatexError
from symdl.input.latex import parse_number
from symdl.input.schema import Field, Schema

MODES = ("train", "eval", "both")
SCALINGS = ("inverted", "vanilla")
MAX_ENTRIES = 64

SCHEMA = Schema(
    Field("input", "any", help="the layer's input x: a bmatrix (a vector or a matrix)"),
    Field("drop", "number", default=None, help="the probability of dropping a unit (PyTorch's p, Keras's rate)"),
    Field("keep", "number", default=None, help="instead of drop: the probability of keeping a unit (cs231n's p)"),
    Field("mask", "any", default=None, help="the training mask: 1 kept, 0 dropped, the input's shape"),
    Field("mode", "text", default="both", choices=MODES, what="mode", help="train, eval or both"),
    Field("scaling", "text", default="inverted", choices=SCALINGS, what="scaling",
          help="inverted: 1/(1-p) at training (PyTorch, Keras); vanilla: (1-p) at test time"),
    Field("upstream", "any", default=None, help="dL/dy, the input's shape"),
)


@dataclass
class Dropout:
    """A dropout question, every number exact."""

    x: sp.Matrix
    drop: sp.Rational          # p, the probability of dropping
    keep_given: bool           # the question gave the keep probability
    mask: sp.Matrix | None
    mode: str
    scaling: str
    upstream: sp.Matrix | None

    @property
    def train(self):
        return self.mode in ("train", "both")

    @property
    def eval(self):
        return self.mode in ("eval", "both")


def _probability(question, values):
    if (values["drop"] is None) == (values["keep"] is None):
        raise question.error("drop", "give the drop probability (drop) or the keep probability (keep), one of them")
    name = "drop" if values["drop"] is not None else "keep"
    try:
        v = parse_number(values[name])
    except LatexError as exc:
        raise question.error(name, exc.message) from None
    if not v.is_Rational:
        raise question.error(name, "expected a rational number (a decimal or a fraction)")
    if name == "drop" and not 0 <= v < 1:
        raise question.error("drop", "a drop probability from 0 up to (not including) 1")
    if name == "keep" and not 0 < v <= 1:
        raise question.error("keep", "a keep probability above 0, at most 1")
    return (v if name == "drop" else 1 - v), name == "keep"


def read(question) -> Dropout:
    values = dict.fromkeys(SCHEMA.names) | SCHEMA.values_of(question)
    x = question.rational_matrix("input", max_entries=MAX_ENTRIES)
    drop, keep_given = _probability(question, values)
    mode = values["mode"]
    mask = None
    if question.has("mask"):
        if mode == "eval":
            raise question.error("mask", "evaluation drops nothing: a mask belongs to mode 'train' or 'both'")
        mask = question.rational_matrix("mask", max_entries=MAX_ENTRIES)
        if mask.shape != x.shape:
            raise question.error("mask", f"a {mask.rows}x{mask.cols} mask for a {x.rows}x{x.cols} input")
        if not all(v in (0, 1) for v in mask):
            raise question.error("mask", "every entry is 1 (kept) or 0 (dropped)")
        if drop == 0 and any(v == 0 for v in mask):
            raise question.error("mask", "with drop probability 0 no unit is dropped")
    elif mode != "eval":
        raise question.error("mask", "missing required field: training drops the units the mask marks 0 "
                                     "(or ask mode = 'eval')")
    upstream = None
    if question.has("upstream"):
        upstream = question.rational_matrix("upstream", max_entries=MAX_ENTRIES)
        if upstream.shape != x.shape:
            raise question.error("upstream", f"a {upstream.rows}x{upstream.cols} gradient for a "
                                             f"{x.rows}x{x.cols} input")
    return Dropout(x, drop, keep_given, mask, mode, values["scaling"], upstream)
