"""The conv kind's fields: the schema (operation and padding choices declared once), and the fields read
into a :class:`Problem` (input channels, kernels, stride, padding, dilation, upstream), checked."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdl.errors import LatexError
from symdl.input.latex import parse_number
from symdl.input.schema import Field, Schema, normalize_choice
from . import receptive

OPERATIONS = ("conv", "maxpool", "avgpool", "receptive_field")
DILATION_CONVENTIONS = ("spacing", "gaps")   # d: taps d apart (PyTorch, TF); gaps: d zeros between (cs231n)
PADDING_MODES = ("same", "valid")      # padding as a word; else integers
MAX_SIDE = 16          # input height / width
MAX_PADDED = 20        # padded height / width (the sheet prints the padded input)
MAX_CHANNELS = 4
MAX_FILTERS = 4
MAX_INT = 32           # stride, dilation, window, one side's padding
MAX_VALUE = 10 ** 6    # the magnitude of a bias entry (the matrices: Question.rational_matrix, the same bound)
ONLY = {"kernel": ("conv",), "filters": ("conv",), "bias": ("conv",), "window": ("maxpool", "avgpool"),
        "dilation": ("conv", "maxpool"), "layers": ("receptive_field",), "input_size": ("receptive_field",),
        "input": ("conv", "maxpool", "avgpool"), "stride": ("conv", "maxpool", "avgpool"),
        "padding": ("conv", "maxpool", "avgpool"), "upstream": ("conv", "maxpool", "avgpool"),
        "backward": ("conv", "maxpool", "avgpool")}


class _ChoiceField(Field):
    """A choice field whose error line names what it chooses ("unknown operation 'x' (known: ...)");
    ``numbers``: integers and lists pass through unchanged (checked by the reader)."""

    def __init__(self, name, type, default, choices, *, what, numbers=False, help=""):
        super().__init__(name, type, default, choices, help)
        object.__setattr__(self, "what", what)
        object.__setattr__(self, "numbers", numbers)

    def check(self, question, value):
        if self.numbers and not isinstance(value, str):
            return value
        if isinstance(value, str) and normalize_choice(value) not in self.choices:
            raise question.error(self.name, f"unknown {self.what} '{value.strip()}' (known: "
                                 f"{', '.join(repr(c) if self.numbers else c for c in self.choices.values())}"
                                 + (", an integer, [height, width] or [top, bottom, left, right])"
                                    if self.numbers else ")"))
        return super().check(question, value)


SCHEMA = Schema(
    _ChoiceField("operation", "text", "conv", OPERATIONS, what="operation",
                 help="conv (cross-correlation), maxpool, avgpool or receptive_field"),
    Field("input", "any", default=None, help="the input: a bmatrix, or a list of them (one per channel)"),
    Field("kernel", "any", default=None, help="conv: one filter's kernel (one bmatrix per input channel)"),
    Field("filters", "any", default=None, help="conv: a list of filters instead of 'kernel'"),
    Field("bias", "any", default=None, help="conv: one number per filter"),
    Field("window", "any", default=None, help="pools: the window, an integer or [height, width]"),
    Field("stride", "any", default=None, help="an integer or [height, width]; pools: default the window"),
    _ChoiceField("padding", "any", 0, PADDING_MODES, what="padding", numbers=True,
                 help="an integer, [height, width], [top, bottom, left, right], 'same' or 'valid'"),
    Field("dilation", "any", default=None, help="conv, maxpool: an integer or [height, width]"),
    Field("upstream", "any", default=None, help="the upstream gradient dL/dY, one matrix per output channel"),
    Field("backward", "any", default=None, help="true: the backward pass with dL/dY = 1"),
    Field("dilation_convention", "text", default="spacing", choices=DILATION_CONVENTIONS,
          what="dilation convention",
          help="spacing: dilation d puts the taps d apart (PyTorch, TensorFlow; 1 = ordinary); gaps: d zeros "
               "between the taps (cs231n; 0 = ordinary)"),
    Field("layers", "list", default=None,
          help="receptive_field: the layers, each { kernel, stride, padding, dilation }, an integer or [height, width]"),
    Field("input_size", "any", default=None,
          help="receptive_field: the input's side, or [height, width], for each layer's output size"),
)


def values_of(question) -> dict:
    """The question's fields as the schema checked them (checked here when not done yet)."""
    values = getattr(question, "values", None)
    return values if values else SCHEMA.check(question)


@dataclass
class Problem:
    """A convolution or pooling question, every number exact."""

    operation: str
    x: list                 # C input channels, each an H x W sp.Matrix
    kernels: list           # conv: F filters, each a list of C kh x kw matrices; pools: []
    bias: list              # conv: F exact numbers (0 when not given)
    has_bias: bool
    window: tuple           # (kh, kw)
    stride: tuple           # (sh, sw)
    dilation: tuple         # (dh, dw)
    pad: tuple              # (top, bottom, left, right)
    padding_mode: str       # "explicit", "same" or "valid"
    stride_default: bool    # pools: stride taken equal to the window (PyTorch's default)
    upstream: list | None   # one out_h x out_w matrix per output channel, or None
    upstream_ones: bool     # backward asked for without an upstream: dL/dY = 1 (L = sum of Y)
    dilation_gaps: bool = False   # the spec wrote dilation as the zeros between taps (cs231n)

    @property
    def C(self):
        return len(self.x)

    @property
    def F(self):
        return len(self.kernels) if self.operation == "conv" else self.C

    @property
    def in_size(self):
        return tuple(self.x[0].shape)

    @property
    def out_size(self):
        return tuple(out_side(n, p0 + p1, k, s, d) for n, p0, p1, k, s, d in zip(
            self.in_size, self.pad[0::2], self.pad[1::2], self.window, self.stride, self.dilation))


def out_side(n, padding, k, s, d):
    """floor((n + p_before + p_after - d (k - 1) - 1) / s) + 1, in integers."""
    return (n + padding - d * (k - 1) - 1) // s + 1


def _is_numeric_rows(value):
    return isinstance(value, list) and value and all(isinstance(r, list) and r and all(
        isinstance(c, (int, float, str)) and not isinstance(c, (bool, list)) for c in r) for r in value)


def _stack(question, name, value, what):
    """One matrix, or a list of matrices of one shape (one per channel)."""
    if isinstance(value, str) or _is_numeric_rows(value):
        mats = [question.rational_matrix(name, value)]
    elif isinstance(value, list) and value:
        mats = [question.rational_matrix(f"{name}[{i}]", v) for i, v in enumerate(value, start=1)]
    else:
        raise question.error(name, f"expected {what}: a bmatrix (or a list of them, one per channel)")
    for i, m in enumerate(mats[1:], start=2):
        if m.shape != mats[0].shape:
            raise question.error(f"{name}[{i}]", f"a {m.rows}x{m.cols} matrix where [1] is "
                                                  f"{mats[0].rows}x{mats[0].cols}: every channel has one shape")
    return mats


def _pair(question, name, default, low):
    value = question.get(name, (int, list), default=None)
    if value is None:
        return default
    items = value if isinstance(value, list) else [value, value]
    if len(items) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in items):
        raise question.error(name, "expected an integer or [height, width] integers")
    if not all(low <= v <= MAX_INT for v in items):
        raise question.error(name, f"expected integers from {low} to {MAX_INT}, got {value}")
    return tuple(items)


def _padding(question, value):
    question.get("padding", (int, list, str), default=0)      # its type, with the usual error line
    if isinstance(value, str):            # the schema made it one of PADDING_MODES
        return value, (0, 0, 0, 0)
    items = [value] if isinstance(value, int) else value
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in items) or len(items) not in (1, 2, 4):
        raise question.error("padding", "expected an integer, [height, width] or [top, bottom, left, right]")
    if not all(0 <= v <= MAX_INT for v in items):
        raise question.error("padding", f"zero-padding from 0 to {MAX_INT} per side")
    if len(items) == 1:
        items = items * 4
    elif len(items) == 2:
        items = [items[0], items[0], items[1], items[1]]
    return "explicit", tuple(items)


def _same(n, k, s, d):
    """'same' per side (TensorFlow/Keras rule): total max((ceil(n/s)-1)s + d(k-1)+1 - n, 0), extra after."""
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _kernels(question, C):
    if question.has("kernel") and question.has("filters"):
        raise question.error("filters", "give either 'kernel' (one filter) or 'filters' (a list), not both")
    if question.has("kernel"):
        filters = [_stack(question, "kernel", question.get("kernel"), "a kernel")]
        names = ["kernel"]
    elif question.has("filters"):
        raw = question.get("filters", list)
        if not raw or len(raw) > MAX_FILTERS:
            raise question.error("filters", f"expected 1 to {MAX_FILTERS} filters")
        names = [f"filters[{f}]" for f in range(1, len(raw) + 1)]
        filters = [_stack(question, n, v, "a filter") for n, v in zip(names, raw)]
    else:
        raise question.error("kernel", "missing required field (or give 'filters')")
    for name, kern in zip(names, filters):
        if len(kern) != C:
            raise question.error(name, f"{len(kern)} kernel channel(s) for an input of {C} channel(s): "
                                       "each filter needs one kernel per input channel")
        if kern[0].shape != filters[0][0].shape:
            raise question.error(name, "every filter must have the kernel size of the first")
    return filters, names[0]


def _bias(question, F):
    if not question.has("bias"):
        return [sp.Integer(0)] * F, False
    raw = question.get("bias", (int, float, str, list))
    items = raw if isinstance(raw, list) else [raw]
    if len(items) != F:
        raise question.error("bias", f"expected {F} bias value(s), one per filter, got {len(items)}")
    out = []
    for i, v in enumerate(items, start=1):
        try:
            out.append(parse_number(v))
        except LatexError as exc:
            raise question.error("bias" if len(items) == 1 else f"bias[{i}]", exc.message) from None
        if not out[-1].is_Rational or abs(out[-1]) > MAX_VALUE:
            raise question.error("bias" if len(items) == 1 else f"bias[{i}]", "expected a rational number "
                                 "within +-10^6")
    return out, True


def _only(question, op):
    for name, ops in ONLY.items():
        if question.has(name) and op not in ops:
            raise question.error(name, f"not a field of operation '{op}' (only of {', '.join(ops)})")


def is_receptive(question) -> bool:
    return values_of(question)["operation"] == "receptive_field"


def read_receptive(question):
    """A receptive-field question: the stack of layers (``receptive.Stack``)."""

    values = values_of(question)
    _only(question, values["operation"])
    return receptive.read(question, values["dilation_convention"] == "gaps")


def read(question) -> Problem:
    values = values_of(question)
    op = values["operation"]
    _only(question, op)
    if op == "receptive_field":
        raise question.error("operation", "a receptive field is read by receptive.read")
    x = _stack(question, "input", question.get("input"), "the input")
    if len(x) > MAX_CHANNELS:
        raise question.error("input", f"at most {MAX_CHANNELS} channels")
    H, W = x[0].shape
    if H > MAX_SIDE or W > MAX_SIDE:
        raise question.error("input", f"at most {MAX_SIDE}x{MAX_SIDE} per channel, got {H}x{W}")
    kernels, bias, has_bias, kfield = [], [], False, "window"
    if op == "conv":
        kernels, kfield = _kernels(question, len(x))
        bias, has_bias = _bias(question, len(kernels))
        window = tuple(kernels[0][0].shape)
    else:
        window = _pair(question, "window", None, 1)
        if window is None:
            raise question.error("window", "missing required field: the pooling window, e.g. 2 or [2, 2]")
    stride_default = op != "conv" and not question.has("stride")
    stride = _pair(question, "stride", (1, 1) if op == "conv" else window, 1)
    gaps = values["dilation_convention"] == "gaps"
    dilation = _pair(question, "dilation", (0, 0) if gaps else (1, 1), 0 if gaps else 1)
    if gaps:
        dilation = (dilation[0] + 1, dilation[1] + 1)
    mode, pad = _padding(question, values["padding"])
    if mode == "same":
        if op != "conv":
            raise question.error("padding", "'same' is offered for convolution only; give the pooling "
                                            "padding as integers")
        pad = _same(H, window[0], stride[0], dilation[0]) + _same(W, window[1], stride[1], dilation[1])
    if op != "conv" and any(2 * p > k for p, k in zip((pad[0], pad[1], pad[2], pad[3]),
                                                      (window[0], window[0], window[1], window[1]))):
        raise question.error("padding", "pooling padding must be at most half the window (PyTorch's rule), "
                                        f"got {list(pad)} for a {window[0]}x{window[1]} window")
    if H + pad[0] + pad[1] > MAX_PADDED or W + pad[2] + pad[3] > MAX_PADDED:
        raise question.error("padding", f"the padded input may be at most {MAX_PADDED}x{MAX_PADDED}")
    for axis, n, p, k, s, d in zip(("height", "width"), (H, W), (pad[0] + pad[1], pad[2] + pad[3]), window,
                                   stride, dilation):
        if n + p < d * (k - 1) + 1:
            raise question.error(kfield, f"the {'kernel' if op == 'conv' else 'window'} spans {d * (k - 1) + 1} "
                                         f"along the {axis} (dilation {d}), more than the padded input's {n + p}")
    problem = Problem(op, x, kernels, bias, has_bias, window, stride, dilation, pad, mode, stride_default,
                      None, False, gaps)
    if op == "maxpool" and not _windows_reach_input(problem):
        raise question.error("padding", "a pooling window would hold padding only: reduce the padding")
    problem.upstream, problem.upstream_ones = _upstream(question, problem)
    return problem


def _windows_reach_input(p):
    """True when every window holds at least one input entry (each axis on its own suffices)."""
    for n, before, k, s, d, out in zip(p.in_size, p.pad[0::2], p.window, p.stride, p.dilation, p.out_size):
        for i in range(out):
            if not any(before <= i * s + u * d < before + n for u in range(k)):
                return False
    return True


def _upstream(question, p):
    backward = question.get("backward", bool, default=None)
    if not question.has("upstream"):
        if backward:
            return [sp.ones(*p.out_size) for _ in range(p.F)], True
        return None, False
    if backward is False:
        raise question.error("backward", "backward = false contradicts the upstream gradient given")
    g = _stack(question, "upstream", question.get("upstream"), "the upstream gradient")
    if len(g) != p.F:
        raise question.error("upstream", f"{len(g)} upstream matrices for {p.F} output channel(s)")
    if g[0].shape != p.out_size:
        raise question.error("upstream", f"a {g[0].rows}x{g[0].cols} upstream gradient for a "
                                         f"{p.out_size[0]}x{p.out_size[1]} output")
    return g, False
