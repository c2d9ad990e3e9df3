"""The architecture kind: every layer's activation size and learnables in closed form (DI504 Q4).

A spec lists the layers of a network (``[[question.layer]]`` tables) in one of three
conventions (MATLAB, PyTorch, Keras). The solver walks the layers in order; for every
windowed layer and every spatial axis it writes the output-size formula
``floor((n + p_before + p_after - d(k - 1) - 1)/s) + 1`` symbolically, substitutes the
numbers unevaluated and evaluates with integer arithmetic; then it counts weights, biases,
multiply-accumulates and activation memory. The independent route (``independent``) pushes a
zero tensor of the real spatial size through a numpy sliding-window implementation of each
layer and counts the elements of the arrays such an implementation allocates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import sympy

from symdl.printer import substitute, tex
from symdl.solution import Section, Solution, Step, Table, Tex, Text

FIELDS = {"convention", "layer", "bytes_per_value"}
TOLERANCE = 1e-12
checks_note = ("Every layer's output size was recomputed by passing a zero tensor of the real "
               "spatial size through a numpy sliding-window implementation of the layer, and "
               "every learnable count by counting the elements of the arrays it allocates.")

CONVENTIONS = ("matlab", "pytorch", "keras")
CONVENTION_NAMES = {"matlab": "MATLAB", "pytorch": "PyTorch", "keras": "Keras"}

# Canonical layer types and the spellings accepted for each (lower case, no '-', '_', ' ').
TYPE_ALIASES = {
    "input": ("input", "imageinput", "featureinput", "data"),
    "conv": ("conv", "convolution", "conv2d", "convolution2d", "groupedconv", "groupedconvolution"),
    "tconv": ("tconv", "transposedconv", "transposedconvolution", "convtranspose", "convtranspose2d",
              "conv2dtranspose", "deconv", "deconvolution", "transposedconv2d"),
    "maxpool": ("maxpool", "maxpooling", "maxpool2d", "maxpooling2d"),
    "avgpool": ("avgpool", "averagepool", "averagepooling", "avgpool2d", "averagepooling2d",
                "avgpooling"),
    "gap": ("gap", "globalavgpool", "globalaveragepool", "globalaveragepooling",
            "globalaveragepooling2d", "globalavgpool2d"),
    "fc": ("fc", "fullyconnected", "linear", "dense", "innerproduct"),
    "batchnorm": ("batchnorm", "bn", "batchnormalization", "batchnorm2d", "batchnorm1d"),
    "dropout": ("dropout",),
    "norm": ("crosschannelnormalization", "lrn", "localresponsenorm", "localresponsenormalization"),
    "flatten": ("flatten",),
    "softmax": ("softmax",),
    "classification": ("classification", "classificationoutput", "classoutput", "output"),
}
ACTIVATIONS = {
    "relu": "Rectified Linear Unit", "rectifiedlinearunit": "Rectified Linear Unit",
    "leakyrelu": "Leaky ReLU", "clippedrelu": "Clipped ReLU", "relu6": "ReLU6", "elu": "ELU",
    "selu": "SELU", "gelu": "GELU", "sigmoid": "Sigmoid", "tanh": "Tanh", "swish": "Swish",
    "silu": "SiLU", "softplus": "Softplus", "hardswish": "Hard swish", "mish": "Mish",
}
_TYPE_OF = {alias: canon for canon, aliases in TYPE_ALIASES.items() for alias in aliases}
_TYPE_OF.update({alias: "activation" for alias in ACTIVATIONS})

DISPLAY = {
    "input": "Input", "conv": "Convolution", "tconv": "Transposed convolution",
    "maxpool": "Max-Pooling", "avgpool": "Average pooling", "gap": "Global average pooling",
    "fc": "Fully Connected", "batchnorm": "Batch normalization", "dropout": "Dropout",
    "flatten": "Flatten", "softmax": "Soft-max", "classification": "Classification Output",
    "norm": "Cross-channel normalization",
}

_COMMON_LAYER_FIELDS = {"no", "name", "type", "note"}
LAYER_FIELDS = {
    "input": {"size"},
    "conv": {"filters", "size", "padding", "stride", "dilation", "groups", "bias", "in_channels"},
    "tconv": {"filters", "size", "padding", "stride", "dilation", "groups", "bias", "output_padding"},
    "maxpool": {"size", "padding", "stride", "dilation", "ceil_mode"},
    "avgpool": {"size", "padding", "stride", "ceil_mode"},
    "gap": set(),
    "fc": {"nodes", "bias"},
    "batchnorm": set(),
    "activation": {"alpha"},
    "dropout": {"rate"},
    "norm": {"window"},
    "flatten": set(),
    "softmax": {"nodes"},
    "classification": {"nodes"},
}

MAX_DIM = 10**7        # refuse absurd sizes (one axis, one count) rather than hang
MAX_VALUES = 10**10    # values of one activation
MAX_AREA = 10**7       # H x W positions of one activation (the check pushes a zero map this big)
WORK_LIMIT = 3 * 10**7  # window taps the check multiplies out; past it the window view's shape is read


# ---------------------------------------------------------------------------------------------
# Display-only functions: SymPy nodes that never evaluate, printed as the exam writes them.
# ---------------------------------------------------------------------------------------------
class Floor(sympy.Function):
    """floor(x) kept unevaluated (SymPy's own floor evaluates its argument's assumptions)."""

    nargs = 1

    def _symdl_latex(self, printer):
        return r"\left\lfloor " + printer._print(self.args[0]) + r" \right\rfloor"


class Ceil(sympy.Function):
    """ceil(x) kept unevaluated."""

    nargs = 1

    def _symdl_latex(self, printer):
        return r"\left\lceil " + printer._print(self.args[0]) + r" \right\rceil"


class MaxOf(sympy.Function):
    """max(a, b) kept unevaluated."""

    def _symdl_latex(self, printer):
        return r"\max\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)"


def S(name):
    return sympy.Symbol(name, integer=True)


I = sympy.Integer


# ---------------------------------------------------------------------------------------------
# Parsing the spec into layer records (shared by both routes; shapes are not computed here).
# ---------------------------------------------------------------------------------------------
@dataclass
class LayerSpec:
    """One ``[[question.layer]]`` table, read and checked, before any shape is known."""

    index: int
    no: str
    name: str
    type: str                 # canonical type
    type_label: str           # as displayed in the table
    raw: dict
    note: str = ""
    size: tuple = ()          # input: the shape as written in the convention
    kernel: tuple = ()        # (k_h, k_w)
    depth: int | None = None  # filter depth given with the kernel size (conv)
    in_channels: int | None = None
    filters: int | None = None
    stride: tuple = (1, 1)
    dilation: tuple = (1, 1)
    padding: object = (0, 0, 0, 0)   # (t, b, l, r) or "same"
    padding_text: str = ""
    groups: int = 1
    bias: bool = True
    ceil: bool = False
    output_padding: tuple = (0, 0)
    nodes: int | None = None
    extra: dict = field(default_factory=dict)

    def field(self, key):
        return f"layer.{self.name}.{key}"


def convention_of(question) -> str:
    value = question.get("convention", str, "matlab").strip().lower()
    if value not in CONVENTIONS:
        raise question.error("convention", f"unknown convention '{value}' (use matlab, pytorch or keras)")
    return value


def _int(question, where, value, *, minimum=0, what="a whole number"):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise question.error(where, f"expected {what}, got {type(value).__name__}")
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d+(\.0*)?", text):
            raise question.error(where, f"expected {what}, got '{value}'")
        value = int(float(text)) if "." in text else int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise question.error(where, f"expected {what}, got {value}")
        value = int(value)
    if value < minimum:
        raise question.error(where, f"must be at least {minimum}, got {value}")
    if value > MAX_DIM:
        raise question.error(where, f"{value} is too large (limit {MAX_DIM})")
    return value


def _int_list(question, where, value, *, minimum=0):
    """An int, a list of ints, or a string such as '[1 1]', '200 x 1 x 1' or '(2, 2)'."""
    if isinstance(value, (list, tuple)):
        return [_int(question, where, v, minimum=minimum) for v in value]
    if isinstance(value, str):
        text = value.strip().strip("[]()").strip()
        if ";" in text:
            raise question.error(where, f"did not expect ';' in '{value}'")
        parts = [p for p in re.split(r"[\s,x×*]+", text) if p]
        if not parts:
            raise question.error(where, f"no numbers in '{value}'")
        return [_int(question, where, p, minimum=minimum) for p in parts]
    return [_int(question, where, value, minimum=minimum)]


def _pair(question, where, value, *, minimum, label):
    values = _int_list(question, where, value, minimum=minimum)
    if len(values) == 1:
        return values[0], values[0]
    if len(values) != 2:
        raise question.error(where, f"{label} needs 1 or 2 numbers, got {len(values)}")
    return values[0], values[1]


def _padding(question, spec: LayerSpec, value, convention):
    """(t, b, l, r), 'same' or 'valid' from the spec's padding as the exam writes it."""
    where = spec.field("padding")
    if isinstance(value, str) and value.strip().strip("'\"").lower() in ("same", "valid"):
        mode = value.strip().strip("'\"").lower()
        return "same" if mode == "same" else (0, 0, 0, 0)
    if convention == "keras":
        raise question.error(where, f"layer '{spec.name}': Keras padding is 'valid' or 'same', got {value!r}")
    rows = None
    if isinstance(value, str) and ";" in value:
        text = value.strip().strip("[]").strip()
        rows = [_int_list(question, where, r) for r in text.split(";")]
    elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        rows = [_int_list(question, where, r) for r in value]
    if rows is not None:
        if convention != "matlab":
            raise question.error(where, f"layer '{spec.name}': the [t b ; l r] form is MATLAB's; "
                                        "PyTorch padding is symmetric: give p or [p_h, p_w]")
        if len(rows) != 2 or any(len(r) != 2 for r in rows):
            raise question.error(where, f"layer '{spec.name}': expected [t b ; l r], got {value!r}")
        return rows[0][0], rows[0][1], rows[1][0], rows[1][1]
    values = _int_list(question, where, value)
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return values[0], values[0], values[1], values[1]
    if len(values) == 4:
        if convention != "matlab":
            raise question.error(where, f"layer '{spec.name}': PyTorch padding is symmetric: "
                                        "give p or [p_h, p_w]")
        return tuple(values)
    raise question.error(where, f"layer '{spec.name}': padding needs 1, 2 or 4 numbers "
                                "(or [t b ; l r]), got {len(values)}")


def _display_value(value):
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return str(value)


def parse_layers(question):
    """The spec's layers as LayerSpec records, every field checked; errors name the layer."""
    convention = convention_of(question)
    tables = question.get("layer", list)
    if not tables or not all(isinstance(t, dict) for t in tables):
        raise question.error("layer", "expected one or more [[question.layer]] tables")
    specs, names = [], set()
    for index, table in enumerate(tables):
        label = f"layer[{index + 1}]"
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            raise question.error(f"{label}.name", "every layer needs a name (a string)")
        name = name.strip()
        if name in names or name == "total":   # 'total' names the totals' answers (total.learnables, ...)
            raise question.error(f"layer.{name}.name", f"duplicate layer name '{name}'" if name in names else
                                 "the name 'total' is reserved for the totals (total.learnables, ...)")
        names.add(name)
        type_raw = table.get("type")
        if not isinstance(type_raw, str):
            raise question.error(f"layer.{name}.type", f"layer '{name}': missing 'type' (a string)")
        key = re.sub(r"[\s_\-]+", "", type_raw.lower())
        canon = _TYPE_OF.get(key)
        if canon is None:
            raise question.error(f"layer.{name}.type", f"layer '{name}': unknown layer type '{type_raw}'")
        for k in table:
            if k not in _COMMON_LAYER_FIELDS | LAYER_FIELDS[canon]:
                raise question.error(f"layer.{name}.{k}", f"layer '{name}': unknown field for a "
                                                          f"{canon} layer")
        no = table.get("no", "")
        note = table.get("note", "")
        if not isinstance(no, (str, int)) or isinstance(no, bool) or not isinstance(note, str):
            raise question.error(f"layer.{name}.no", f"layer '{name}': 'no' and 'note' are strings")
        label_text = ACTIVATIONS.get(key) if canon == "activation" else DISPLAY[canon]
        spec = LayerSpec(index=index, no=str(no), name=name, type=canon, type_label=label_text,
                         raw=table, note=note.strip())
        _read_fields(question, spec, table, convention)
        specs.append(spec)
    if specs[0].type != "input":
        raise question.error(specs[0].field("type"), "the first layer must be the input layer")
    for spec in specs[1:]:
        if spec.type == "input":
            raise question.error(spec.field("type"), f"layer '{spec.name}': only the first layer may be an input")
    return convention, specs


def _read_fields(question, spec, table, convention):
    t = spec.type
    f = spec.field
    if t == "input":
        if "size" not in table:
            raise question.error(f("size"), f"layer '{spec.name}': the input layer needs a size")
        size = _int_list(question, f("size"), table["size"], minimum=1)
        if len(size) not in (1, 3):
            order = "[C, H, W]" if convention == "pytorch" else "[H, W, C]"
            raise question.error(f("size"), f"layer '{spec.name}': input size is {order} or [n], "
                                            f"got {len(size)} numbers")
        spec.size = tuple(size)
        return
    if t in ("conv", "tconv"):
        if "filters" not in table:
            raise question.error(f("filters"), f"layer '{spec.name}': a convolution needs 'filters'")
        spec.filters = _int(question, f("filters"), table["filters"], minimum=1)
        if "size" not in table:
            raise question.error(f("size"), f"layer '{spec.name}': a convolution needs the filter 'size'")
        size = _int_list(question, f("size"), table["size"], minimum=1)
        if len(size) == 1:
            size = size * 2
        if len(size) not in (2, 3):
            raise question.error(f("size"), f"layer '{spec.name}': filter size is [k_h, k_w] or "
                                            f"[k_h, k_w, depth], got {len(size)} numbers")
        spec.kernel = (size[0], size[1])
        spec.depth = size[2] if len(size) == 3 else None
        spec.groups = _int(question, f("groups"), table.get("groups", 1), minimum=1)
        bias = table.get("bias", True)
        if not isinstance(bias, bool):
            raise question.error(f("bias"), f"layer '{spec.name}': bias is true or false")
        spec.bias = bias
        if "in_channels" in table:
            spec.in_channels = _int(question, f("in_channels"), table["in_channels"], minimum=1)
        if spec.filters % spec.groups:
            raise question.error(f("groups"), f"layer '{spec.name}': {spec.filters} filters cannot be "
                                              f"split into {spec.groups} groups")
        if t == "tconv":
            if convention in ("matlab", "keras") and spec.groups != 1:
                raise question.error(f("groups"), f"layer '{spec.name}': {CONVENTION_NAMES[convention]}'s "
                                                  "transposed convolution has no groups")
            if "output_padding" in table:
                if convention != "pytorch":
                    raise question.error(f("output_padding"), f"layer '{spec.name}': output_padding is a "
                                                              "PyTorch option")
                spec.output_padding = _pair(question, f("output_padding"), table["output_padding"],
                                            minimum=0, label="output_padding")
    if t in ("maxpool", "avgpool"):
        if "size" not in table:
            raise question.error(f("size"), f"layer '{spec.name}': a pooling layer needs its 'size'")
        spec.kernel = _pair(question, f("size"), table["size"], minimum=1, label="pool size")
        if table.get("ceil_mode", False):
            if convention != "pytorch":
                raise question.error(f("ceil_mode"), f"layer '{spec.name}': ceil_mode is a PyTorch option")
            if not isinstance(table["ceil_mode"], bool):
                raise question.error(f("ceil_mode"), f"layer '{spec.name}': ceil_mode is true or false")
            spec.ceil = True
    if t in ("conv", "tconv", "maxpool", "avgpool"):
        default_stride = spec.kernel if (t in ("maxpool", "avgpool") and convention != "matlab") else (1, 1)
        spec.stride = (_pair(question, f("stride"), table["stride"], minimum=1, label="stride")
                       if "stride" in table else default_stride)
        if "dilation" in table:
            if t == "maxpool" and convention != "pytorch":
                raise question.error(f("dilation"), f"layer '{spec.name}': pooling dilation is a PyTorch option")
            if t == "tconv" and convention == "matlab":
                raise question.error(f("dilation"), f"layer '{spec.name}': MATLAB's transposed "
                                                    "convolution has no dilation")
            spec.dilation = _pair(question, f("dilation"), table["dilation"], minimum=1, label="dilation")
        if "padding" in table:
            spec.padding = _padding(question, spec, table["padding"], convention)
            raw = table["padding"]
            spec.padding_text = raw.strip() if isinstance(raw, str) else _display_value(raw)
        if spec.padding == "same":
            if convention == "pytorch" and t != "conv":
                raise question.error(f("padding"), f"layer '{spec.name}': PyTorch accepts padding='same' "
                                                   "for convolutions only")
            if convention == "pytorch" and spec.stride != (1, 1):
                raise question.error(f("padding"), f"layer '{spec.name}': PyTorch refuses padding='same' "
                                                   "with a stride other than 1")
        if t == "tconv" and convention == "pytorch":
            for axis, (op, s, d) in enumerate(zip(spec.output_padding, spec.stride, spec.dilation)):
                if op >= max(s, d):
                    raise question.error(f("output_padding"), f"layer '{spec.name}': output_padding must "
                                                              "be smaller than the stride or the dilation")
    if t in ("fc",):
        if "nodes" not in table:
            raise question.error(f("nodes"), f"layer '{spec.name}': a fully connected layer needs 'nodes'")
        spec.nodes = _int(question, f("nodes"), table["nodes"], minimum=1)
        bias = table.get("bias", True)
        if not isinstance(bias, bool):
            raise question.error(f("bias"), f"layer '{spec.name}': bias is true or false")
        spec.bias = bias
    if t in ("softmax", "classification") and "nodes" in table:
        spec.nodes = _int(question, f("nodes"), table["nodes"], minimum=1)
    if t == "dropout" and "rate" in table:
        rate = table["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise question.error(f("rate"), f"layer '{spec.name}': the dropout rate is a number in [0, 1)")
        spec.extra["rate"] = rate


# ---------------------------------------------------------------------------------------------
# Shapes in each convention
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """An activation: H x W x C, or a flat vector of C values (``flat``)."""

    h: int
    w: int
    c: int
    flat: bool = False

    @property
    def numel(self):
        return self.h * self.w * self.c


def shape_list(shape: Shape, convention) -> list:
    """The activation's shape as written in ``convention``."""
    if shape.flat:
        return [1, 1, shape.c] if convention == "matlab" else [shape.c]
    if convention == "pytorch":
        return [shape.c, shape.h, shape.w]
    return [shape.h, shape.w, shape.c]


def input_shape(size, convention) -> Shape:
    if len(size) == 1:
        return Shape(1, 1, size[0], flat=True)
    if convention == "pytorch":
        c, h, w = size
    else:
        h, w, c = size
    return Shape(h, w, c)


def conv_weight_shape(convention, kh, kw, cin, f, groups) -> list:
    cg = cin // groups
    if convention == "pytorch":
        return [f, cg, kh, kw]
    if convention == "matlab" and groups > 1:
        return [kh, kw, cg, f // groups, groups]
    return [kh, kw, cg, f]


def conv_bias_shape(convention, f, groups) -> list:
    if convention == "matlab":
        return [1, 1, f // groups, groups] if groups > 1 else [1, 1, f]
    return [f]


def tconv_weight_shape(convention, kh, kw, cin, f, groups) -> list:
    if convention == "pytorch":
        return [cin, f // groups, kh, kw]
    return [kh, kw, f, cin]          # MATLAB and Keras: k_h x k_w x F x C_in


def fc_weight_shape(convention, n_in, n_out) -> list:
    return [n_in, n_out] if convention == "keras" else [n_out, n_in]


def fc_bias_shape(convention, n_out) -> list:
    return [n_out, 1] if convention == "matlab" else [n_out]


def channel_vector_shape(convention, c) -> list:
    return [1, 1, c] if convention == "matlab" else [c]


# ---------------------------------------------------------------------------------------------
# The symbolic derivation
# ---------------------------------------------------------------------------------------------
AXES = {
    "h": dict(n=S(r"H_{\mathrm{in}}"), out=S(r"H_{\mathrm{out}}"), p0=S("p_t"), p1=S("p_b"), k=S("k_h"), s=S("s_h"),
              d=S("d_h"), P=S("P_h"), op=S("o_h"), word="height", rows="rows", end0="top",
              end1="bottom"),
    "w": dict(n=S(r"W_{\mathrm{in}}"), out=S(r"W_{\mathrm{out}}"), p0=S("p_l"), p1=S("p_r"), k=S("k_w"), s=S("s_w"),
              d=S("d_w"), P=S("P_w"), op=S("o_w"), word="width", rows="columns", end0="left",
              end1="right"),
}
C_in, C_out, F, G = S(r"C_{\mathrm{in}}"), S(r"C_{\mathrm{out}}"), S("F"), S("G")
N_in, N_out = S(r"n_{\mathrm{in}}"), S(r"n_{\mathrm{out}}")
N_W, N_b, N_L, MACS = S("N_W"), S("N_b"), S("N"), S(r"\mathrm{MACs}")
_CACHE = {}


def _formula(kind, axis):
    """The closed-form formula ``kind`` for ``axis`` ('h' or 'w'), built once, never evaluated."""
    key = (kind, axis)
    if key in _CACHE:
        return _CACHE[key]
    a = AXES[axis]
    n, p0, p1, k, s, d, P = a["n"], a["p0"], a["p1"], a["k"], a["s"], a["d"], a["P"]
    with sympy.evaluate(False):
        if kind == "floor":            # no dilation: floor((n + p0 + p1 - k)/s) + 1
            expr = sympy.Add(Floor(sympy.Mul(sympy.Add(n, p0, p1, sympy.Mul(-1, k)), sympy.Pow(s, -1))), 1)
        elif kind == "floor_d":
            inner = sympy.Add(n, p0, p1, sympy.Mul(-1, d, sympy.Add(k, -1)), -1)
            expr = sympy.Add(Floor(sympy.Mul(inner, sympy.Pow(s, -1))), 1)
        elif kind == "ceil":
            expr = sympy.Add(Ceil(sympy.Mul(sympy.Add(n, p0, p1, sympy.Mul(-1, k)), sympy.Pow(s, -1))), 1)
        elif kind == "ceil_d":
            inner = sympy.Add(n, p0, p1, sympy.Mul(-1, d, sympy.Add(k, -1)), -1)
            expr = sympy.Add(Ceil(sympy.Mul(inner, sympy.Pow(s, -1))), 1)
        elif kind == "same_out":         # 'same': ceil(n/s)
            expr = Ceil(sympy.Mul(n, sympy.Pow(s, -1)))
        elif kind == "same_total":       # total 'same' padding
            expr = MaxOf(sympy.Add(sympy.Mul(sympy.Add(a["out"], -1), s), sympy.Mul(d, sympy.Add(k, -1)), 1,
                                   sympy.Mul(-1, n)), I(0))
        elif kind == "same_total_1":     # total 'same' padding, no dilation
            expr = MaxOf(sympy.Add(sympy.Mul(sympy.Add(a["out"], -1), s), k, sympy.Mul(-1, n)), I(0))
        elif kind == "same_before":
            expr = Floor(sympy.Mul(P, sympy.Pow(2, -1)))
        elif kind == "same_after":
            expr = sympy.Add(P, sympy.Mul(-1, p0))
        elif kind.startswith("tconv_torch"):   # (n - 1)s - p0 - p1 + d(k - 1) + 1 [+ o]
            tail = [sympy.Mul(d, sympy.Add(k, -1)), 1] if "_d" in kind else [k]
            if "_o" in kind:
                tail.append(a["op"])
            expr = sympy.Add(sympy.Mul(sympy.Add(n, -1), s), sympy.Mul(-1, p0), sympy.Mul(-1, p1), *tail)
        elif kind == "tconv_matlab":     # (n - 1)s + k - p0 - p1
            expr = sympy.Add(sympy.Mul(sympy.Add(n, -1), s), k, sympy.Mul(-1, p0), sympy.Mul(-1, p1))
        elif kind == "tconv_same":       # n s
            expr = sympy.Mul(n, s)
        elif kind == "tconv_keras_valid_1":  # n s + max(k - s, 0)
            expr = sympy.Add(sympy.Mul(n, s), MaxOf(sympy.Add(k, sympy.Mul(-1, s)), I(0)))
        elif kind == "tconv_keras_valid":  # n s + max(d(k-1) + 1 - s, 0)
            expr = sympy.Add(sympy.Mul(n, s), MaxOf(sympy.Add(sympy.Mul(d, sympy.Add(k, -1)), 1,
                                                              sympy.Mul(-1, s)), I(0)))
        else:
            raise KeyError(kind)
    _CACHE[key] = expr
    return expr


def _product(*factors):
    with sympy.evaluate(False):
        return sympy.Mul(*factors)


def _sum(*terms):
    with sympy.evaluate(False):
        return sympy.Add(*terms)


def _ratio(a, b):
    with sympy.evaluate(False):
        return sympy.Mul(a, sympy.Pow(b, -1))


def dims_tex(dims) -> Tex:
    """'k_h \\times k_w \\times ...' for a shape of symbols and numbers (each printed by the printer)."""
    return Tex(r" \times ".join(tex(I(d) if isinstance(d, int) else d) for d in dims))


def shape_tex(dims) -> Tex:
    """'3001 \\times 33 \\times 1' for a shape list (numbers printed by the printer)."""
    if not dims:
        return Tex(r"\text{none}")
    return Tex(r" \times ".join(tex(I(v)) for v in dims))


def _plural(n, word):
    return f"{n} {word}" if n != 1 else f"1 {word[:-1] if word.endswith('s') else word}"


@dataclass
class LayerResult:
    spec: LayerSpec
    inp: Shape
    out: Shape
    weights: list = field(default_factory=list)
    bias: list = field(default_factory=list)
    weight_count: int = 0
    bias_count: int = 0
    non_learnable: int = 0
    macs: int = 0
    steps: list = field(default_factory=list)

    @property
    def learnables(self):
        return self.weight_count + self.bias_count


class _Deriver:
    """Walks the layers once, writing every step."""

    def __init__(self, question, convention):
        self.q = question
        self.convention = convention

    def error(self, spec, key, message):
        return self.q.error(spec.field(key), f"layer '{spec.name}': {message}")

    # -- one spatial axis of a windowed layer -------------------------------------------------
    def window_axis(self, spec, axis, n, k, s, d, padding, items):
        """Output length along ``axis``; appends the steps; returns (out, p0, p1)."""
        a = AXES[axis]
        eff = d * (k - 1) + 1
        if padding == "same":
            # the pads that make the output ceil(n/s), the odd one at the end
            total_kind = "same_total_1" if d == 1 else "same_total"
            target = -(-n // s)
            values = {a["n"]: I(n), a["s"]: I(s), a["k"]: I(k), a["d"]: I(d), a["out"]: I(target)}
            total = max((target - 1) * s + eff - n, 0)
            items.append(Text(f"'same' padding along the {a['word']}: the output is ceil(n/s) long; the total "
                              f"padding P is what that takes, the {a['end0']} gets half of it rounded down, the "
                              f"{a['end1']} the rest."))
            items.append(Step(f"'same' output {a['word']}", lhs=a["out"], formula=_formula("same_out", axis),
                              substituted=substitute(_formula("same_out", axis), values), result=I(target)))
            items.append(Step("total padding", lhs=a["P"], formula=_formula(total_kind, axis),
                              substituted=substitute(_formula(total_kind, axis), values), result=I(total)))
            p0 = total // 2
            p1 = total - p0
            items.append(Step(f"{a['end0']} padding", lhs=a["p0"], formula=_formula("same_before", axis),
                              substituted=substitute(_formula("same_before", axis), {a["P"]: I(total)}),
                              result=I(p0)))
            items.append(Step(f"{a['end1']} padding", lhs=a["p1"], formula=_formula("same_after", axis),
                              substituted=substitute(_formula("same_after", axis),
                                                     {a["P"]: I(total), a["p0"]: I(p0)}),
                              result=I(p1)))
        else:
            p0, p1 = padding
        span = n + p0 + p1
        # with ceil_mode a last window may hang past the end: PyTorch only needs one window
        if eff > span + ((s - 1) if spec.ceil else 0):
            what = f"kernel {a['word']} {k}" + (f" (dilated to {eff})" if d != 1 else "")
            raise self.error(spec, "size", f"{what} exceeds the padded input {a['word']} {span}")
        kind = ("ceil" if spec.ceil else "floor") + ("" if d == 1 else "_d")
        values = {a["n"]: I(n), a["p0"]: I(p0), a["p1"]: I(p1), a["k"]: I(k), a["s"]: I(s), a["d"]: I(d)}
        inner = span - eff
        if spec.ceil:
            out = -(-inner // s) + 1
        else:
            out = inner // s + 1
        expr = _formula(kind, axis)
        rem = inner % s
        dropped = spec.ceil and rem and (out - 1) * s >= n + p0
        first = S(r"\tilde{" + a["out"].name[0] + "}" + a["out"].name[1:]) if dropped else a["out"]
        items.append(Step(f"output {a['word']}", lhs=first, formula=expr,
                          substituted=substitute(expr, values), result=I(out)))
        if spec.ceil and rem:
            if dropped:
                items.append(Text(f"ceil_mode: the last window would start at padded index {(out - 1) * s}, "
                                  f"past the input and the {a['end0']} padding ({n} + {p0} = {n + p0}), "
                                  "so PyTorch drops it:"))
                items.append(Step("last window dropped", lhs=a["out"], formula=_sum(first, -1),
                                  substituted=substitute(_sum(first, -1), {first: I(out)}), result=I(out - 1)))
                out -= 1
            else:
                items.append(Text(f"ceil_mode: the stride {s} does not divide {inner}; rounding up keeps "
                                  f"a last window that hangs {s - rem} {a['rows']} past the "
                                  f"{a['end1']} edge (it sees only what is inside)."))
        elif rem:
            items.append(Text(f"The stride {s} does not divide {span} - {eff} = {inner}: the floor drops "
                              f"{_plural(rem, a['rows'])} at the {a['end1']} of the padded input "
                              f"that no window reaches (remainder {inner} mod {s} = {rem})."))
        return out, p0, p1

    def tconv_axis(self, spec, axis, n, k, s, d, padding, op, items):
        a = AXES[axis]
        values = {a["n"]: I(n), a["k"]: I(k), a["s"]: I(s), a["d"]: I(d), a["op"]: I(op)}
        eff = d * (k - 1) + 1
        if padding == "same":
            kind, out = "tconv_same", n * s
        elif self.convention == "keras":
            kind, out = "tconv_keras_valid" + ("_1" if d == 1 else ""), n * s + max(eff - s, 0)
        else:
            p0, p1 = padding
            values.update({a["p0"]: I(p0), a["p1"]: I(p1)})
            if self.convention == "matlab":
                kind, out = "tconv_matlab", (n - 1) * s + k - p0 - p1
            else:
                kind = "tconv_torch" + ("_d" if d != 1 else "") + ("_o" if op else "")
                out = (n - 1) * s - p0 - p1 + eff + op
        if out < 1:
            raise self.error(spec, "padding", f"the cropping leaves no output {a['word']} ({out})")
        expr = _formula(kind, axis)
        items.append(Step(f"output {a['word']}", lhs=a["out"],
                          formula=expr, substituted=substitute(expr, values), result=I(out)))
        return out

    # -- layers ---------------------------------------------------------------------------------
    def layer(self, spec: LayerSpec, inp: Shape) -> LayerResult:
        t = spec.type
        items = []
        r = LayerResult(spec, inp, inp, steps=items)
        conv = self.convention
        if t == "input":
            r.out = input_shape(spec.size, conv)
            items.append(Text("The input's size is given: ", shape_tex(shape_list(r.out, conv)), "."))
            return r
        if t in ("conv", "tconv", "maxpool", "avgpool") and inp.flat:
            raise self.error(spec, "type", "a windowed layer needs a spatial input, got a flat vector "
                                           f"of {inp.c} values")
        if t == "conv":
            return self.conv(spec, inp, r, items)
        if t == "tconv":
            return self.tconv(spec, inp, r, items)
        if t in ("maxpool", "avgpool"):
            kh, kw = spec.kernel
            if conv == "pytorch":
                for (p0, p1), k, d, word in ((spec.padding[:2], kh, spec.dilation[0], "height"),
                                             (spec.padding[2:], kw, spec.dilation[1], "width")):
                    limit = k // 2      # torch checks k // 2 >= pad, dilation or not
                    if p0 > limit:
                        raise self.error(spec, "padding", f"PyTorch refuses padding {p0} larger than half "
                                                          f"the kernel {word} ({limit})")
            items.append(Text(f"{spec.type_label}: each {kh} x {kw} window of every channel gives one "
                              "value; the channels pass through, nothing is learned."))
            h, _, _ = self.window_axis(spec, "h", inp.h, kh, spec.stride[0], spec.dilation[0],
                                       spec.padding if spec.padding == "same" else spec.padding[:2], items)
            w, _, _ = self.window_axis(spec, "w", inp.w, kw, spec.stride[1], spec.dilation[1],
                                       spec.padding if spec.padding == "same" else spec.padding[2:], items)
            r.out = Shape(h, w, inp.c)
            items.append(Step("channels unchanged", lhs=C_out, formula=C_in, result=I(inp.c)))
            return r
        if t == "gap":
            if inp.flat:
                raise self.error(spec, "type", "global pooling needs a spatial input")
            r.out = Shape(1, 1, inp.c, flat=(conv == "keras"))
            items.append(Text(f"Global average pooling averages each channel's {inp.h} x {inp.w} values "
                              f"to one: the output is ", shape_tex(shape_list(r.out, conv)),
                              "; nothing is learned."))
            return r
        if t == "fc":
            return self.fc(spec, inp, r, items)
        if t == "batchnorm":
            c = inp.c
            r.weights = channel_vector_shape(conv, c)
            r.bias = channel_vector_shape(conv, c)
            r.weight_count, r.bias_count, r.non_learnable = c, c, 2 * c
            names = {"matlab": ("Scale", "Offset"), "pytorch": ("weight", "bias"),
                     "keras": ("gamma", "beta")}[conv]
            items.append(Text(f"Batch normalization keeps the size; per channel it learns a scale "
                              f"({names[0]}) and an offset ({names[1]}), and it keeps a running mean and "
                              "variance that are updated, not learned."))
            items.append(Step("scale and offset", lhs=N_L,
                              formula=_product(I(2), C_in), substituted=substitute(_product(I(2), C_in),
                                                                                   {C_in: I(c)}),
                              result=I(2 * c)))
            items.append(Step("running mean and variance",
                              lhs=S(r"N_{\mathrm{run}}"), formula=_product(I(2), C_in),
                              substituted=substitute(_product(I(2), C_in), {C_in: I(c)}), result=I(2 * c)))
            return r
        if t == "flatten":
            r.out = Shape(1, 1, inp.numel, flat=True)
            if inp.flat:
                items.append(Text("The input is already a vector; flatten leaves it as it is."))
            else:
                items.append(Step("values in one vector", lhs=N_out,
                                  formula=_product(AXES["h"]["n"], AXES["w"]["n"], C_in),
                                  substituted=substitute(_product(AXES["h"]["n"], AXES["w"]["n"], C_in),
                                                         {AXES["h"]["n"]: I(inp.h), AXES["w"]["n"]: I(inp.w),
                                                          C_in: I(inp.c)}),
                                  result=I(inp.numel)))
            return r
        # elementwise layers: activations, dropout, softmax, classification
        if t in ("softmax", "classification") and spec.nodes is not None and spec.nodes != inp.numel:
            raise self.error(spec, "nodes", f"{spec.nodes} nodes given, but the input has {inp.numel} values")
        what = {"activation": f"{spec.type_label} acts on every value on its own",
                "norm": "Cross-channel (local response) normalization divides each value by a sum over "
                        "neighbouring channels, with fixed constants",
                "dropout": "Dropout zeroes random values in training and passes everything at test time",
                "softmax": "Soft-max turns the scores into probabilities, one per class",
                "classification": "The classification output takes the probabilities and computes "
                                  "the loss; it reports " + _categories(inp)}[t]
        items.append(Text(f"{what}: the output size equals the input size, ",
                          shape_tex(shape_list(inp, conv)), "; nothing is learned."))
        return r

    def conv(self, spec, inp, r, items):
        kh, kw = spec.kernel
        f = spec.filters
        self._check_depth(spec, inp)
        if spec.in_channels is not None and spec.in_channels != inp.c:
            raise self.error(spec, "in_channels", f"in_channels {spec.in_channels} disagrees with the "
                                                  f"{inp.c} channels of the input")
        pad = spec.padding
        h, _, _ = self.window_axis(spec, "h", inp.h, kh, spec.stride[0], spec.dilation[0],
                                   pad if pad == "same" else pad[:2], items)
        w, _, _ = self.window_axis(spec, "w", inp.w, kw, spec.stride[1], spec.dilation[1],
                                   pad if pad == "same" else pad[2:], items)
        r.out = Shape(h, w, f)
        items.append(Step("one channel per filter", lhs=C_out, formula=F, result=I(f)))
        self._conv_counts(spec, inp, r, items, transposed=False)
        return r

    def tconv(self, spec, inp, r, items):
        kh, kw = spec.kernel
        f = spec.filters
        self._check_depth(spec, inp)
        pad = spec.padding
        h = self.tconv_axis(spec, "h", inp.h, kh, spec.stride[0], spec.dilation[0],
                            pad if pad == "same" else pad[:2], spec.output_padding[0], items)
        w = self.tconv_axis(spec, "w", inp.w, kw, spec.stride[1], spec.dilation[1],
                            pad if pad == "same" else pad[2:], spec.output_padding[1], items)
        r.out = Shape(h, w, f)
        items.append(Step("one channel per filter", lhs=C_out, formula=F, result=I(f)))
        self._conv_counts(spec, inp, r, items, transposed=True)
        return r

    def _check_depth(self, spec, inp):
        """The groups must split the input channels, and a given filter depth must match."""
        g = spec.groups
        if inp.c % g:
            raise self.error(spec, "groups", f"{inp.c} input channels cannot be split into {g} groups")
        if spec.depth is not None and spec.depth != inp.c // g:
            expected = f"{inp.c} input channels" + (f" / {g} groups = {inp.c // g}" if g > 1 else "")
            raise self.error(spec, "size", f"filter depth {spec.depth} disagrees with the {expected}")

    def _conv_counts(self, spec, inp, r, items, transposed):
        conv = self.convention
        kh, kw = spec.kernel
        g, f, cin = spec.groups, spec.filters, inp.c
        ah, aw = AXES["h"], AXES["w"]
        depth = C_in if g == 1 else _ratio(C_in, G)
        if transposed:
            formula = _product(ah["k"], aw["k"], C_in, F) if g == 1 else _product(ah["k"], aw["k"], C_in, _ratio(F, G))
            r.weights = tconv_weight_shape(conv, kh, kw, cin, f, g)
        else:
            formula = _product(ah["k"], aw["k"], depth, F)
            r.weights = conv_weight_shape(conv, kh, kw, cin, f, g)
        values = {ah["k"]: I(kh), aw["k"]: I(kw), C_in: I(cin), F: I(f), G: I(g)}
        r.weight_count = kh * kw * (cin // g) * f
        items.append(Step("weights" + (f", {g} groups" if g > 1 else ""),
                          lhs=N_W, formula=formula, substituted=substitute(formula, values),
                          result=I(r.weight_count)))
        if spec.bias:
            r.bias = conv_bias_shape(conv, f, g)
            r.bias_count = f
            items.append(Step("one bias per filter", lhs=N_b, formula=F, result=I(f)))
        else:
            items.append(Text("No bias (bias = false)."))
        self._learnables_step(r, items)
        if transposed:
            mac = _product(ah["n"], aw["n"], C_in, ah["k"], aw["k"], F if g == 1 else _ratio(F, G))
            values.update({ah["n"]: I(inp.h), aw["n"]: I(inp.w)})
            r.macs = inp.h * inp.w * cin * kh * kw * (f // g)
            text = "multiply-accumulates"
        else:
            mac = _product(ah["out"], aw["out"], F, ah["k"], aw["k"], depth)
            values.update({ah["out"]: I(r.out.h), aw["out"]: I(r.out.w)})
            r.macs = r.out.h * r.out.w * f * kh * kw * (cin // g)
            text = "multiply-accumulates"
        items.append(Step(text, lhs=MACS, formula=mac, substituted=substitute(mac, values), result=I(r.macs)))

    def _learnables_step(self, r, items):
        if r.bias_count:
            items.append(Step("learnables", lhs=N_L, formula=_sum(N_W, N_b),
                              substituted=substitute(_sum(N_W, N_b), {N_W: I(r.weight_count),
                                                                      N_b: I(r.bias_count)}),
                              result=I(r.learnables)))

    def fc(self, spec, inp, r, items):
        conv = self.convention
        if not inp.flat and conv != "matlab":
            raise self.error(spec, "type", f"the input is {inp.h} x {inp.w} x {inp.c}, not a vector: "
                                           f"{'torch.nn.Linear' if conv == 'pytorch' else 'Dense'} acts "
                                           "on the last axis only; put a flatten layer before it")
        n_in, n_out = inp.numel, spec.nodes
        ah, aw = AXES["h"], AXES["w"]
        if not inp.flat:
            items.append(Text("A fully connected layer sees its whole input as one vector."))
            items.append(Step("inputs",
                              lhs=N_in, formula=_product(ah["n"], aw["n"], C_in),
                              substituted=substitute(_product(ah["n"], aw["n"], C_in),
                                                     {ah["n"]: I(inp.h), aw["n"]: I(inp.w), C_in: I(inp.c)}),
                              result=I(n_in)))
        else:
            items.append(Step("inputs", lhs=N_in, result=I(n_in)))
        r.out = Shape(1, 1, n_out, flat=True)
        items.append(Step("one output per node", lhs=N_out, result=I(n_out)))
        r.weights = fc_weight_shape(conv, n_in, n_out)
        r.weight_count = n_in * n_out
        formula = _product(N_out, N_in)
        values = {N_in: I(n_in), N_out: I(n_out)}
        items.append(Step("weights", lhs=N_W, formula=formula,
                          substituted=substitute(formula, values), result=I(r.weight_count)))
        if spec.bias:
            r.bias = fc_bias_shape(conv, n_out)
            r.bias_count = n_out
            items.append(Step("one bias per node", lhs=N_b, formula=N_out, result=I(n_out)))
        else:
            items.append(Text("No bias (bias = false)."))
        self._learnables_step(r, items)
        r.macs = n_in * n_out
        items.append(Step("multiply-accumulates", lhs=MACS, formula=formula,
                          substituted=substitute(formula, values), result=I(r.macs)))
        return r


def derive_network(question):
    """(convention, [LayerResult]) for the question; raises SpecError naming the layer."""
    convention, specs = parse_layers(question)
    deriver = _Deriver(question, convention)
    results, shape = [], None
    for spec in specs:
        res = deriver.layer(spec, shape)
        if res.out.h * res.out.w > MAX_AREA or res.out.numel > MAX_VALUES:
            raise question.error(spec.field("type"), f"layer '{spec.name}': an output of "
                                                     f"{res.out.h} x {res.out.w} x {res.out.c} is too large "
                                                     f"(limit {MAX_AREA} positions, {MAX_VALUES} values)")
        results.append(res)
        shape = res.out
    return convention, results


# ---------------------------------------------------------------------------------------------
# The Solution
# ---------------------------------------------------------------------------------------------
def _bytes_per_value(question):
    value = question.get("bytes_per_value", int, 4)
    if value not in (1, 2, 4, 8):
        raise question.error("bytes_per_value", "use 4 (float32), 2 (float16), 8 (float64) or 1")
    return value


def _params_cell(spec: LayerSpec, result: LayerResult, convention):
    t = spec.type
    lines = []
    if t in ("conv", "tconv"):
        lines.append(f"filters: {spec.filters}")
        depth = spec.depth if spec.depth is not None else result.inp.c // spec.groups
        dims = [spec.kernel[0], spec.kernel[1], depth]
        lines.append(Text("size: ", shape_tex(dims)))
    elif t in ("maxpool", "avgpool"):
        lines.append(Text("size: ", shape_tex(list(spec.kernel))))
    if t in ("conv", "tconv", "maxpool", "avgpool"):
        if spec.padding_text:
            lines.append(f"padding: {spec.padding_text}")
        lines.append(f"stride: [{spec.stride[0]} {spec.stride[1]}]")
        if spec.dilation != (1, 1):
            lines.append(f"dilation: [{spec.dilation[0]} {spec.dilation[1]}]")
        if spec.groups != 1:
            lines.append(f"groups: {spec.groups}")
        if spec.ceil:
            lines.append("ceil_mode: true")
        if spec.output_padding != (0, 0):
            lines.append(f"output padding: [{spec.output_padding[0]} {spec.output_padding[1]}]")
        if not spec.bias:
            lines.append("no bias")
    elif t == "fc":
        lines.append(f"nodes: {spec.nodes}")
        if not spec.bias:
            lines.append("no bias")
    elif t in ("softmax", "classification") and spec.nodes is not None:
        lines.append(f"nodes: {spec.nodes}")
    elif t == "dropout" and "rate" in spec.extra:
        lines.append(f"rate: {spec.extra['rate']}")
    return lines or ["-"]


def _learnables_cell(r: LayerResult, convention):
    t = r.spec.type
    if t == "batchnorm":
        names = {"matlab": ("Scale", "Offset"), "pytorch": ("weight", "bias"), "keras": ("gamma", "beta")}
        a, b = names[convention]
        return [Text(f"{a}: ", shape_tex(r.weights)), Text(f"{b}: ", shape_tex(r.bias)),
                f"({r.learnables:,}; running mean and variance {r.non_learnable:,} more, not learned)"]
    if r.weight_count or r.bias_count or t in ("conv", "tconv", "fc"):
        lines = [Text("Weights: ", shape_tex(r.weights))]
        lines.append(Text("Bias: ", shape_tex(r.bias)) if r.bias else "Bias: none")
        lines.append(f"({r.learnables:,} learnables)")
        return lines
    if t in ("maxpool", "avgpool", "gap"):
        return ["none (0)"]
    return ["-"]


def _categories(shape: Shape) -> str:
    if shape.flat or shape.h * shape.w == 1:
        return f"{shape.c} categories"
    return f"{shape.c} categories at each of the {shape.h} x {shape.w} positions"


def _activation_cell(r: LayerResult, convention):
    cells = [Text(shape_tex(shape_list(r.out, convention)))]
    if r.spec.type == "classification":
        cells.append(f"({_categories(r.out)})")
    return cells


def _tex_name(name):
    """A layer name safe inside \\mathrm{...} (letters, digits, '_' escaped), or '' when not."""
    if not re.fullmatch(r"[A-Za-z0-9_]{1,24}", name):
        return ""
    return name.replace("_", r"\_")


def _share(part, total):
    return sympy.Rational(part * 100, total) if total else I(0)


def solve(question) -> Solution:
    convention, results = derive_network(question)
    bpv = _bytes_per_value(question)
    sol = Solution(question.id, question.kind)
    name = CONVENTION_NAMES[convention]
    order = "C x H x W" if convention == "pytorch" else "H x W x C"
    sol.assume(f"Convention: {name}. Activations are written {order}"
               + ("; a fully connected layer's output is 1 x 1 x n." if convention == "matlab"
                  else "; a vector (after flatten or a fully connected layer) is written [n]."))
    kh, kw, cg, fg = AXES["h"]["k"], AXES["w"]["k"], _ratio(C_in, G), _ratio(F, G)
    n_o, n_i = S(r"\mathrm{out}"), S(r"\mathrm{in}")
    dims = lambda *d: dims_tex(d)  # noqa: E731
    shapes = {
        "matlab": ("MATLAB parameter shapes: convolution weights ", dims(kh, kw, C_in, F), " (grouped: ",
                   dims(kh, kw, cg, fg, G), "), bias ", dims(1, 1, F), "; transposed convolution ",
                   dims(kh, kw, F, C_in), "; fully connected weights ", dims(n_o, n_i), ", bias ", dims(n_o, 1),
                   "; padding [t b ; l r] as the exam writes it, or [t b l r] as MATLAB's documentation "
                   "writes it."),
        "pytorch": ("PyTorch parameter shapes: convolution weight ", dims(F, cg, kh, kw), ", bias ", dims(F),
                    "; transposed convolution weight ", dims(C_in, fg, kh, kw), "; Linear weight ",
                    dims(n_o, n_i), ", bias ", dims(n_o), "; padding symmetric."),
        "keras": ("Keras parameter shapes: Conv2D kernel ", dims(kh, kw, cg, F), ", bias ", dims(F),
                  "; Conv2DTranspose kernel ", dims(kh, kw, F, C_in), "; Dense kernel ", dims(n_i, n_o),
                  ", bias ", dims(n_o), "; 'same' padding makes the output ceil(n/s) long and puts the odd "
                  "pad at the end."),
    }[convention]
    sol.assume(Text(*shapes))
    sol.assume("Multiply-accumulates (MACs) are counted for convolution, transposed-convolution and fully "
               "connected layers only (one per weight-activation product, biases not counted); pooling, "
               "activations, batch normalization, dropout and soft-max count 0. Batch size 1.")
    sol.assume(f"Activation memory: every layer's output is stored, {bpv} bytes per value"
               + (" (float32)" if bpv == 4 else "") + ", batch size 1 (an in-place ReLU would share its "
               "input's memory).")
    if any(r.spec.type == "batchnorm" for r in results):
        sol.assume("Batch normalization: the learnable scale and offset count as learnables; the running "
                   "mean and variance are stored but not learned and are reported apart.")

    # answers
    total_learn = sum(r.learnables for r in results)
    total_macs = sum(r.macs for r in results)
    total_mem = sum(r.out.numel for r in results) * bpv
    for r in results:
        n = r.spec.name
        sol.answer(f"{n}.output", shape_list(r.out, convention))
        sol.answer(f"{n}.learnables", r.learnables)
        sol.answer(f"{n}.weights", list(r.weights))
        sol.answer(f"{n}.bias", list(r.bias))
        sol.answer(f"{n}.macs", r.macs)
        if r.spec.type == "batchnorm":
            sol.answer(f"{n}.non_learnable", r.non_learnable)
    sol.answer("total.learnables", total_learn)
    sol.answer("total.macs", total_macs)
    sol.answer("total.memory_bytes", total_mem)
    if any(r.spec.type == "batchnorm" for r in results):
        sol.answer("total.non_learnable", sum(r.non_learnable for r in results))

    # formulas
    intro = Section("Formulas")
    ah, aw = AXES["h"], AXES["w"]
    with sympy.evaluate(False):
        span = sympy.Add(sympy.Mul(ah["d"], sympy.Add(ah["k"], -1)), 1)
        d_one = sympy.Eq(ah["d"], 1)
        plain = sympy.Add(ah["n"], ah["p0"], ah["p1"], sympy.Mul(-1, ah["k"]))
    intro.add(Text("Along the height a window of ", ah["k"], " taps with dilation ", ah["d"], " spans ", span,
                   " rows; with padding ", ah["p0"], " before (top), ", ah["p1"], " after (bottom) and stride ",
                   ah["s"], " the number of window positions, the output height, is"))
    intro.add(Step("", lhs=ah["out"], formula=_formula("floor_d", "h")))
    intro.add(Text("and likewise for the width with ", aw["k"], ", ", aw["d"], ", ", aw["p0"], ", ", aw["p1"],
                   ", ", aw["s"], ". With ", d_one, " the numerator is ", plain, ". A convolution with ", F,
                   " filters in ", G, " groups gives ", F, " output channels and has ",
                   _product(ah["k"], aw["k"], _ratio(C_in, G), F), " weights and ", F,
                   " biases; a fully connected layer has ", _product(N_out, N_in), " weights and ", N_out,
                   " biases. Multiply-accumulates: ", _product(ah["out"], aw["out"], F, ah["k"], aw["k"],
                                                              _ratio(C_in, G)),
                   " for a convolution, ", _product(N_out, N_in), " for a fully connected layer."))
    if convention == "pytorch" and any(r.spec.ceil for r in results):
        intro.add(Text("With ceil_mode the floor becomes a ceiling, and a last window that would start "
                       "past the input and the top/left padding is dropped (PyTorch's rule)."))

    # table, in parts that fit a page
    table_sec = sol.section("Completed table")
    header = ["no.", "name", "type", "parameters", "activations (layer output)", "learnables (weights/biases)"]
    # the name column grows with the longest name (names do not break); the parameters give way
    longest = max(len(r.spec.name) for r in results)
    name_w = max(1.8, min(3.2, 0.19 * longest + 0.1))
    params_w = 3.1 - max(0.0, name_w - 2.6)
    align = (rf">{{\raggedright}}p{{0.7cm}}>{{\raggedright}}p{{{name_w:.2f}cm}}>{{\raggedright}}p{{2.1cm}}"
             rf">{{\raggedright}}p{{{params_w:.2f}cm}}>{{\raggedright}}p{{2.6cm}}"
             r">{\raggedright\arraybackslash}p{4.1cm}")
    parts, rows, used, budget = [], [], 0.0, 22
    for r in results:
        cells = [r.spec.no, r.spec.name, r.spec.type_label, _params_cell(r.spec, r, convention),
                 _activation_cell(r, convention), _learnables_cell(r, convention)]
        height = max([len(c) for c in cells if isinstance(c, list)]
                     + [2 if len(r.spec.type_label) > 13 or len(r.spec.name) > 11 else 1]) + 0.4
        if rows and used + height > budget:
            parts.append(rows)
            rows, used, budget = [], 0.0, 50
        rows.append(cells)
        used += height
    parts.append(rows)
    for i, part in enumerate(parts):
        table_sec.add(Table(header, part, small=True, align=align,
                            caption="(the table continues)" if i < len(parts) - 1 else ""))
    notes = [r for r in results if r.spec.note]
    for r in notes:
        table_sec.add(Text(f"Note on {r.spec.name}: {r.spec.note}"))

    # calculations
    calc = sol.section("Calculations, layer by layer")
    calc.items.extend(intro.items)
    for r in results:
        title = f"{r.spec.no + '  ' if r.spec.no else ''}{r.spec.name} ({r.spec.type_label.lower()})"
        sub = Section(title=title)
        if r.inp is not None:
            sub.add(Text("Input: ", shape_tex(shape_list(r.inp, convention)),
                         ";  output: ", shape_tex(shape_list(r.out, convention)), "."))
        sub.items.extend(r.steps)
        calc.add(sub)

    # totals
    tot = sol.section("Totals, cost and memory")
    sum_rows = []
    for r in results:
        share = _share(r.learnables, total_learn)
        sum_rows.append([r.spec.name, I(r.learnables) if r.learnables else "0",
                         (Tex(r"\approx " + tex(share, sig_digits=3, approximate=True) + r"\,\%")
                          if r.learnables else "-"),
                         I(r.macs) if r.macs else "0", I(r.out.numel * bpv)])
    sum_rows.append([Text("total"), I(total_learn), Tex(r"100\,\%"), I(total_macs), I(total_mem)])
    tot.add(Table(["layer", "learnables", "share", "MACs", "activation bytes"], sum_rows, small=True,
                  align="lrrrr"))
    nonzero = [r for r in results if r.learnables]
    symbols = [S(rf"N_{{\mathrm{{{_tex_name(r.spec.name)}}}}}" if _tex_name(r.spec.name) else
                 rf"N_{{{i + 1}}}") for i, r in enumerate(nonzero)]
    total_sym = S(r"N_{\mathrm{total}}")
    if nonzero and len(nonzero) <= 10:
        tot.add(Step("total learnables: the sum over the layers that learn", lhs=total_sym,
                     formula=_sum(*symbols) if len(symbols) > 1 else symbols[0],
                     substituted=substitute(_sum(*symbols), dict(zip(symbols, [I(r.learnables) for r in nonzero])))
                     if len(symbols) > 1 else None,
                     result=I(total_learn)))
    else:
        tot.add(Step("total learnables: the sum of the learnables column above", lhs=total_sym,
                     result=I(total_learn)))
    if total_learn:
        tot.add(Text("Share of a layer: ", _ratio(N_L, total_sym), " x 100 %."))
    tot.add(Step("total multiply-accumulates: the sum of the MACs column", lhs=S(r"\mathrm{MACs}_{\mathrm{total}}"),
                 result=I(total_macs)))
    mem_sym = S(r"M")
    values_sym = S(r"n_{\mathrm{values}}")
    tot.add(Step(f"activation memory: every output stored, {bpv} bytes per value", lhs=mem_sym,
                 formula=_product(I(bpv), values_sym),
                 substituted=substitute(_product(I(bpv), values_sym), {values_sym: I(total_mem // bpv)}),
                 result=I(total_mem)))
    tot.add(Text(f"That is {total_mem / 2**20:.2f} MiB of activations and "
                 f"{total_learn * bpv / 2**20:.2f} MiB of learnables at {bpv} bytes each."))
    if any(r.spec.type == "batchnorm" for r in results):
        tot.add(Text(f"Non-learnable batch-normalization statistics: "
                     f"{sum(r.non_learnable for r in results):,} values."))
    return sol


# ---------------------------------------------------------------------------------------------
# The independent route: a zero tensor through numpy sliding windows; arrays counted.
# ---------------------------------------------------------------------------------------------
def _np():
    import numpy as np

    return np


def _windows(x, kernel, stride, dilation, pads):
    """Sliding windows of ``x`` (H, W, c) after zero padding: (Ho, Wo, c, k_h, k_w) view."""
    np = _np()
    from numpy.lib.stride_tricks import sliding_window_view

    (t, b, l, r) = pads
    xp = np.pad(x, ((t, b), (l, r), (0, 0)))
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    view = sliding_window_view(xp, eff, axis=(0, 1))
    return view[::stride[0], ::stride[1], :, ::dilation[0], ::dilation[1]]


def _alloc(shape):
    """A zero float32 array of ``shape``: allocated (lazily, by calloc) up to 2^28 values; past
    that a zero-strided view of the same shape, which counts the same without the memory."""
    np = _np()
    if math.prod(shape) <= 2**28:
        return np.zeros(shape, np.float32)
    return np.broadcast_to(np.float32(0), shape)


def _same_pads(n, k, s, d):
    out = -(-n // s)
    total = max(0, (out - 1) * s + d * (k - 1) + 1 - n)
    return total // 2, total - total // 2


def _independent_pass(question):
    np = _np()
    convention, specs = parse_layers(question)
    bpv = question.get("bytes_per_value", int, 4)
    x = None          # spatial zero activation with one channel (H, W, 1); None when flat
    channels = None   # the real channel count, or the vector length when flat
    out = {}
    total_learn = total_macs = total_mem = total_run = 0
    any_bn = False
    for spec in specs:
        t = spec.type
        weights = bias = None
        macs = 0
        run = None
        if t == "input":
            size = spec.size
            if len(size) == 1:
                x, channels = None, np.zeros(size[0]).size
            else:
                if convention == "pytorch":
                    c, h, w = size
                else:
                    h, w, c = size
                x, channels = np.zeros((h, w, 1)), c
        elif t in ("conv", "maxpool", "avgpool"):
            h, w = x.shape[:2]
            kernel, stride, dil = spec.kernel, spec.stride, spec.dilation
            if spec.padding == "same":
                pads = _same_pads(h, kernel[0], stride[0], dil[0]) + _same_pads(w, kernel[1], stride[1], dil[1])
            else:
                pads = spec.padding
            if spec.ceil:
                # room for a last partial window, then drop windows starting past n + p_before
                padded = (pads[0], pads[1] + stride[0] - 1, pads[2], pads[3] + stride[1] - 1)
                win = _windows(x, kernel, stride, dil, padded)
                keep_h = [i for i in range(win.shape[0]) if i * stride[0] < h + pads[0]]
                keep_w = [j for j in range(win.shape[1]) if j * stride[1] < w + pads[2]]
                win = win[keep_h][:, keep_w]
            else:
                win = _windows(x, kernel, stride, dil, pads)
            if t == "conv":
                g = spec.groups
                weights = _alloc((kernel[0], kernel[1], channels // g, spec.filters))
                bias = np.zeros(spec.filters, np.float32) if spec.bias else None
                if win.size <= WORK_LIMIT:
                    y = np.einsum("hwcij,ijcf->hwf", win, np.zeros((kernel[0], kernel[1], 1, 1)))
                else:
                    y = np.zeros(win.shape[:2] + (1,))
                channels = weights.shape[-1]
                macs = y.shape[0] * y.shape[1] * weights.size
                x = y
            else:
                if win.size > WORK_LIMIT:
                    x = np.zeros(win.shape[:3])
                else:
                    x = win.max(axis=(-2, -1)) if t == "maxpool" else win.mean(axis=(-2, -1))
        elif t == "tconv":
            x, weights, bias, macs, channels = _tconv_pass(spec, x, channels, convention)
        elif t == "gap":
            pooled = x.mean(axis=(0, 1), keepdims=True)       # (1, 1, 1)
            x = None if convention == "keras" else pooled
        elif t == "fc":
            n_in = _alloc(x.shape[:2] + (channels,)).size if x is not None else channels
            weights = _alloc((spec.nodes, n_in))
            bias = np.zeros(spec.nodes, np.float32) if spec.bias else None
            y = (weights @ np.zeros(n_in, np.float32) if weights.size <= 4_000_000
                 else np.zeros(weights.shape[0], np.float32))
            macs = weights.size
            x, channels = None, y.shape[0]
        elif t == "flatten":
            if x is not None:
                x, channels = None, _alloc(x.shape[:2] + (channels,)).size
        elif t == "batchnorm":
            any_bn = True
            weights, bias = np.ones(channels), np.zeros(channels)        # scale, offset
            run = np.zeros(channels).size + np.ones(channels).size      # running mean, variance
        # elementwise layers (activations, dropout, soft-max, output) leave x as it is
        if x is None:
            shape = [1, 1, channels] if convention == "matlab" else [channels]
        else:
            h, w = x.shape[:2]
            shape = [channels, h, w] if convention == "pytorch" else [h, w, channels]
        n = spec.name
        out[f"{n}.output"] = shape
        wcount = weights.size if weights is not None else 0
        bcount = bias.size if bias is not None else 0
        out[f"{n}.learnables"] = wcount + bcount
        out[f"{n}.weights"] = _convention_weight_shape(t, weights, convention, spec) if weights is not None else []
        out[f"{n}.bias"] = _convention_bias_shape(t, bias, convention, spec) if bias is not None else []
        out[f"{n}.macs"] = macs
        if run is not None:
            out[f"{n}.non_learnable"] = run
            total_run += run
        total_learn += wcount + bcount
        total_macs += macs
        total_mem += int(np.prod(shape)) * bpv
    out["total.learnables"] = total_learn
    out["total.macs"] = total_macs
    out["total.memory_bytes"] = total_mem
    if any_bn:
        out["total.non_learnable"] = total_run
    return out


def _tconv_pass(spec, x, channels, convention):
    """Transposed convolution by scattering: each input value adds a k_h x k_w patch at (i s, j s)."""
    np = _np()
    h, w = x.shape[:2]
    kernel, stride, dil = spec.kernel, spec.stride, spec.dilation
    g = spec.groups
    weights = _alloc((kernel[0], kernel[1], spec.filters // g, channels))
    bias = np.zeros(spec.filters, np.float32) if spec.bias else None
    full_h = (h - 1) * stride[0] + dil[0] * (kernel[0] - 1) + 1
    full_w = (w - 1) * stride[1] + dil[1] * (kernel[1] - 1) + 1
    if kernel[0] * kernel[1] <= 4096:
        canvas = np.zeros((full_h, full_w))
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                canvas[i * dil[0]: i * dil[0] + (h - 1) * stride[0] + 1: stride[0],
                       j * dil[1]: j * dil[1] + (w - 1) * stride[1] + 1: stride[1]] += x[:, :, 0]
    else:
        # a large kernel: the equivalent stride-1 convolution over the zero-inserted input,
        # padded by the dilated kernel span less one; its window view has the full size
        from numpy.lib.stride_tricks import sliding_window_view

        up = np.zeros(((h - 1) * stride[0] + 1, (w - 1) * stride[1] + 1))
        up[::stride[0], ::stride[1]] = x[:, :, 0]
        eh, ew = dil[0] * (kernel[0] - 1) + 1, dil[1] * (kernel[1] - 1) + 1
        padded = np.pad(up, ((eh - 1, eh - 1), (ew - 1, ew - 1)))
        view = sliding_window_view(padded, (eh, ew))
        canvas = np.zeros(view.shape[:2])
    if spec.padding == "same" or convention == "keras":
        # Keras/MATLAB 'same': the output is n s, cropped evenly (odd crop at the end);
        # Keras 'valid': the full scatter, grown to n s when the kernel is shorter than the stride
        target_h, target_w = h * stride[0], w * stride[1]
        grown = np.zeros((max(full_h, target_h), max(full_w, target_w)))
        grown[:full_h, :full_w] = canvas
        if spec.padding == "same":
            c0, c1 = (grown.shape[0] - target_h) // 2, (grown.shape[1] - target_w) // 2
            canvas = grown[c0:c0 + target_h, c1:c1 + target_w]
        else:
            canvas = grown
    else:
        t0, b0, l0, r0 = spec.padding
        op = spec.output_padding
        grown = np.zeros((full_h + op[0], full_w + op[1]))
        grown[:full_h, :full_w] = canvas
        canvas = grown[t0: grown.shape[0] - b0, l0: grown.shape[1] - r0]
    return canvas[:, :, None], weights, bias, h * w * weights.size, spec.filters


def _convention_weight_shape(t, arr, convention, spec):
    """The allocated array's shape, permuted/split into the convention's layout."""
    np = _np()
    if t == "conv":                      # arr: (k_h, k_w, C_in/G, F)
        if convention == "pytorch":
            return list(np.transpose(arr, (3, 2, 0, 1)).shape)
        if convention == "matlab" and spec.groups > 1:
            kh, kw, cg, f = arr.shape
            return list(arr.reshape(kh, kw, cg, spec.groups, f // spec.groups).transpose(0, 1, 2, 4, 3).shape)
        return list(arr.shape)
    if t == "tconv":                     # arr: (k_h, k_w, F/G, C_in)
        if convention == "pytorch":
            return list(np.transpose(arr, (3, 2, 0, 1)).shape)
        return list(arr.shape)
    if t == "fc":                        # arr: (out, in)
        return list(arr.T.shape) if convention == "keras" else list(arr.shape)
    if t == "batchnorm":
        return [1, 1, arr.size] if convention == "matlab" else list(arr.shape)
    return list(arr.shape)


def _convention_bias_shape(t, arr, convention, spec):
    if convention != "matlab":
        return list(arr.shape)
    if t == "fc":
        return list(arr.reshape(-1, 1).shape)
    if t == "conv" and spec.groups > 1:
        return list(arr.reshape(spec.groups, -1).T.reshape(1, 1, -1, spec.groups).shape)
    return list(arr.reshape(1, 1, -1).shape)


def independent(question) -> dict:
    """Every answer recomputed by a zero-tensor sliding-window pass and by counting arrays."""
    return _independent_pass(question)
