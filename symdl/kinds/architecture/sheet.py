"""The architecture question as the exam sheet shows it: the layer table with its given columns filled
(number, name, type, parameters; the input's size) and the derived ones left blank ("?") to fill, as on
the DI504 paper. A layer may name derived cells the paper gives as a worked example
(``given = ["learnables"]``): those are written from the layer's own fields, never from the derivation."""

from __future__ import annotations

from symdl.solution import Table, Text

from .fields import CONVENTION_NAMES, parse_layers
from .seqfields import SEQ_PARAMETERS, SEQ_TYPES

BLANK = "?"
# Layers without learnables (their cell "-"); an activation layer keeps the size of its input and
# the paper leaves its activations cell empty.
_NO_LEARNABLES = ("input", "activation", "softmax", "classification", "dropout", "flatten")
_ORDER = {"matlab": "height x width x channels", "keras": "height x width x channels",
          "pytorch": "channels x height x width"}
_PARAMETERS = ("filters", "nodes", "size", "padding", "stride", "dilation", "groups", "rate", "window",
               "alpha", "ceil_mode", "bias", "output_padding", "in_channels") + SEQ_PARAMETERS


def given(question) -> list:
    convention, specs = parse_layers(question)
    for spec in specs:
        _check_given(question, spec)
        _check_emphasis(question, spec)
    rows = [[spec.no, spec.name, spec.type_label, _parameters(spec), _activations(spec),
             _learnables(spec, convention)] for spec in specs]
    header = ["no.", "name", "type", "parameters", "activations (layer output)",
              "learnables (weights / biases)"]
    sequences = "; sequences positions x features" if any(s.type in SEQ_TYPES for s in specs) else ""
    return [Text(f"Sizes are written {_ORDER[convention]}{sequences} ({CONVENTION_NAMES[convention]} convention)."),
            Table(header, rows, role="layers")]


def _size(values) -> str:
    return " x ".join(str(v) for v in values)


def _bracket(values) -> str:
    return "[" + " ".join(str(v) for v in values) + "]"


def _text(key, value) -> str:
    if isinstance(value, list):
        return _size(value) if key == "size" else _bracket(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _parameters(spec) -> list:
    """The layer's own fields as the exam lists them, one per line ("-" when it has none)."""
    if spec.type == "input":
        return ["-"]
    emphasis = set(spec.raw.get("emphasis", ()))
    lines = [_marked(f"{key}: {_text(key, spec.raw[key])}", key in emphasis) for key in _PARAMETERS if key in spec.raw]
    return lines or ["-"]


def _marked(line, underline):
    """A parameter line, underlined (symdl/input/markup.py's __...__) where the exam underlines it."""
    return f"__{line}__" if underline else line


def _check_emphasis(question, spec):
    """``emphasis``: the parameters the exam underlines (a warning to read them carefully)."""
    keys = spec.raw.get("emphasis", [])
    own = [k for k in _PARAMETERS if k in spec.raw]
    if not isinstance(keys, list) or not all(isinstance(k, str) and k in own for k in keys):
        raise question.error(spec.field("emphasis"), f"layer '{spec.name}': a list of this layer's parameters "
                                                     f"to underline on the sheet ({', '.join(own) or 'none'})")


GIVEN_CELLS = ("learnables",)


def _check_given(question, spec):
    cells = spec.raw.get("given", [])
    if not isinstance(cells, list) or not all(isinstance(c, str) and c in GIVEN_CELLS for c in cells):
        raise question.error(spec.field("given"), f"layer '{spec.name}': a list of the cells the exam "
                                                  f"sheet fills in ({', '.join(GIVEN_CELLS)})")


def _given(spec) -> set:
    return set(spec.raw.get("given", ()))


def _activations(spec):
    if spec.type == "input":
        return _size(spec.size)
    if spec.type == "activation":
        return ""
    if spec.type == "classification" and spec.nodes is not None:
        return f"{spec.nodes} categories"
    return BLANK


def _learnables(spec, convention) -> list:
    if spec.type in _NO_LEARNABLES:
        return ["-"]
    if spec.type in SEQ_TYPES:
        return [f"Learnables: {BLANK}"]
    if ("learnables" in _given(spec) and spec.type == "conv" and spec.depth is not None
            and spec.groups == 1 and convention == "matlab"):     # MATLAB's k_h x k_w x C x F layout
        depth = spec.depth
        return [f"Weights: {_size([*spec.kernel, depth, spec.filters])}",
                f"Bias: {_size([1, 1, spec.filters])}" if spec.bias else "Bias: -"]
    return [f"Weights: {BLANK}", f"Bias: {BLANK}" if spec.bias else "Bias: -"]
