"""The architecture kind's fields: the schema, and the ``[[question.layer]]`` tables read into LayerSpec records."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from symdl.input.schema import Field, Schema, normalize_choice

from .seqfields import MULTI_INPUT, SEQ_ALIASES, SEQ_DISPLAY, SEQ_LAYER_FIELDS, SEQ_TYPES, read_sequence

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
    "add": ("add", "addition", "additionlayer", "sum", "residualadd"),
    "concat": ("concat", "concatenate", "concatenation", "concatenationlayer", "depthconcatenation", "cat"),
    "multiply": ("multiply", "mul", "multiplication", "multiplicationlayer"),
    "zeropad": ("zeropad", "zeropadding", "zeropadding2d", "zeropad2d", "padding"),
    "depthwise": ("depthwise", "depthwiseconv", "depthwiseconv2d", "depthwiseconvolution"),
    "separable": ("separable", "separableconv", "separableconv2d", "separableconvolution"),
    "globalmax": ("globalmax", "globalmaxpool", "globalmaxpooling", "globalmaxpooling2d", "globalmaxpool2d"),
    "adaptivepool": ("adaptiveavgpool", "adaptiveavgpool2d", "adaptiveaveragepool", "adaptivemaxpool",
                     "adaptivemaxpool2d"),
    "upsample": ("upsample", "upsampling", "upsampling2d", "upsamplingnearest2d", "resize2d"),
    "subsampling": ("subsampling", "trainablesubsampling", "lenetsubsampling"),
    "rbf": ("rbf", "radialbasisfunction", "euclideanrbf", "rbfoutput"),
    "locallyconnected": ("locallyconnected", "locallyconnected2d", "localconv", "unsharedconv"),
}
TYPE_ALIASES.update(SEQ_ALIASES)
MERGES = ("add", "concat", "multiply")
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
    "norm": "Cross-channel normalization", "add": "Addition", "concat": "Concatenation",
    "multiply": "Multiplication", "subsampling": "Subsampling", "rbf": "RBF output",
    "locallyconnected": "Locally connected", "zeropad": "Zero padding", "depthwise": "Depthwise convolution",
    "separable": "Separable convolution", "globalmax": "Global max pooling",
    "adaptivepool": "Adaptive pooling", "upsample": "Upsampling",
} | SEQ_DISPLAY

_COMMON_LAYER_FIELDS = {"no", "name", "type", "note", "given", "inputs", "emphasis"}
GIVEN = ("output", "weights", "bias", "learnables")   # cells the exam's table fills in; learnables: weights and bias
LAYER_FIELDS = {
    "input": {"size"},
    "conv": {"filters", "size", "padding", "stride", "dilation", "groups", "bias", "in_channels", "connections"},
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
    "add": set(), "concat": set(), "multiply": set(),
    "zeropad": {"padding"},
    "depthwise": {"size", "padding", "stride", "dilation", "multiplier", "bias"},
    "separable": {"filters", "size", "padding", "stride", "dilation", "multiplier", "bias"},
    "globalmax": set(),
    "adaptivepool": {"output_size"},
    "upsample": {"scale"},
    "subsampling": {"size", "stride"},
    "rbf": {"nodes"},
    "locallyconnected": {"filters", "size", "stride", "padding", "bias"},
} | SEQ_LAYER_FIELDS

MAX_DIM = 10**7        # refuse absurd sizes (one axis, one count) rather than hang
MAX_VALUES = 10**10    # values of one activation
MAX_AREA = 10**7       # H x W positions of one activation (the check pushes a zero map this big)
WORK_LIMIT = 3 * 10**7  # window taps the check multiplies out; past it the window view's shape is read

SCHEMA = Schema(
    Field("convention", "text", default="matlab", choices=CONVENTIONS,
          help="shape order, padding forms and parameter layouts"),
    Field("layer", "list", help="the layers in order, one [[question.layer]] table each"),
    Field("bytes_per_value", "integer", default=4, help="bytes per stored value (memory figures)"),
    Field("receptive_field", "bool", default=False, help="work out every layer's receptive field"),
    Field("connections", "bool", default=False, help="count every layer's connections (as LeNet-5's paper)"),
)
BYTES_PER_VALUE = (1, 2, 4, 8)


def values_of(question) -> dict:
    """The question's fields as the schema checked them (checked here when not done yet)."""
    values = getattr(question, "values", None)
    return values if values else SCHEMA.check(question)


def bytes_per_value(question) -> int:
    value = values_of(question)["bytes_per_value"]
    if value not in BYTES_PER_VALUE:
        raise question.error("bytes_per_value", "use 4 (float32), 2 (float16), 8 (float64) or 1")
    return value


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
    inputs: tuple = ()        # the layers it reads (empty: the layer before it)
    multiplier: int = 1       # depthwise channel multiplier
    output_size: tuple = ()   # adaptive pooling (h, w)
    scale: tuple = (1, 1)     # upsampling factors
    table: tuple | None = None  # a partial connection table: the input maps of each filter (LeNet-5's C3)
    given: tuple = ()         # cells the exam's table fills in itself ("output", "weights", "bias")
    extra: dict = field(default_factory=dict)

    def field(self, key):
        return f"layer.{self.name}.{key}"


def convention_of(question) -> str:
    """'matlab', 'pytorch' or 'keras' (the schema checked the choice)."""
    return values_of(question)["convention"]


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


@dataclass(frozen=True)
class _PaddingRules:
    """What one layer accepts of the padding notations under one convention: a message (formatted
    with the layer's name and the value as given) refuses a notation, None accepts it."""

    rows_shape: tuple           # ([t b ; l r] text, [[t, b], [l, r]]): the message when not 2 x 2
    count: str                  # the message for neither 1, 2 nor 4 numbers
    rows_refused: str | None = None
    four_refused: str | None = None
    four_order: tuple = (0, 1, 2, 3)   # where t, b, l, r stand among the 4 numbers


_CONV_PADDING = _PaddingRules(
    rows_shape=("layer '{name}': expected [t b ; l r], got {value!r}",) * 2,
    count="layer '{name}': padding needs 1, 2 or 4 numbers (or [t b ; l r]), got {count}")
_ZERO_PADDING = _PaddingRules(
    rows_shape=("layer '{name}': expected [t b ; l r]", "layer '{name}': expected [[top, bottom], [left, right]]"),
    count="layer '{name}': zero padding needs 1, 2 or 4 numbers")
_PADDING_RULES = {   # (layer, convention); a Keras convolution's padding is 'valid' or 'same' only
    ("conv", "matlab"): _CONV_PADDING,
    ("conv", "pytorch"): replace(
        _CONV_PADDING, four_refused="layer '{name}': PyTorch padding is symmetric: give p or [p_h, p_w]",
        rows_refused="layer '{name}': the [t b ; l r] form is MATLAB's; PyTorch padding is symmetric: "
                     "give p or [p_h, p_w]"),
    ("zeropad", "matlab"): _ZERO_PADDING,
    ("zeropad", "keras"): _ZERO_PADDING,
    ("zeropad", "pytorch"): replace(_ZERO_PADDING, four_order=(2, 3, 0, 1)),   # (left, right, top, bottom)
}


def _tblr(question, spec, value, rules):
    """(t, b, l, r) from p, [p_h, p_w], 4 numbers, '[t b ; l r]' or [[t, b], [l, r]] as `rules` allow."""
    where = spec.field("padding")

    def refuse(message, count=None):
        return question.error(where, message.format(name=spec.name, value=value, count=count))

    rows = None
    if isinstance(value, str) and ";" in value:
        form, rows = 0, [_int_list(question, where, r) for r in value.strip().strip("[]").strip().split(";")]
    elif isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        form, rows = 1, [_int_list(question, where, r) for r in value]
    if rows is not None:
        if rules.rows_refused:
            raise refuse(rules.rows_refused)
        if len(rows) != 2 or any(len(r) != 2 for r in rows):
            raise refuse(rules.rows_shape[form])
        return rows[0][0], rows[0][1], rows[1][0], rows[1][1]
    values = _int_list(question, where, value)
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return values[0], values[0], values[1], values[1]
    if len(values) == 4:
        if rules.four_refused:
            raise refuse(rules.four_refused)
        return tuple(values[i] for i in rules.four_order)
    raise refuse(rules.count, len(values))


def _padding(question, spec: LayerSpec, value, convention):
    """(t, b, l, r), 'same' or 'valid' from the spec's padding as the exam writes it."""
    mode = normalize_choice(value.strip().strip("'\"")) if isinstance(value, str) else None
    if mode in ("same", "valid"):
        return "same" if mode == "same" else (0, 0, 0, 0)
    if convention == "keras":
        raise question.error(spec.field("padding"),
                             f"layer '{spec.name}': Keras padding is 'valid' or 'same', got {value!r}")
    return _tblr(question, spec, value, _PADDING_RULES["conv", convention])


def _display_value(value):
    if isinstance(value, list):
        return "[" + " ".join(str(v) for v in value) + "]"
    return str(value)


def parse_layers(question):
    """The spec's layers as LayerSpec records, every field checked; errors name the layer."""
    convention = convention_of(question)
    tables = values_of(question)["layer"]
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
        key = normalize_choice(type_raw).replace("_", "")
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
        spec.given = _given(question, spec, table.get("given", []))
        spec.inputs = _inputs(question, spec, table.get("inputs", []), names - {name})
        _read_fields(question, spec, table, convention)
        specs.append(spec)
    for spec in specs:
        if spec.type in MERGES and len(spec.inputs) < 2:
            raise question.error(spec.field("inputs"), f"layer '{spec.name}': a merge names two or more "
                                                       "inputs (inputs = [\"a\", \"b\"])")
        if spec.type not in MERGES + MULTI_INPUT and len(spec.inputs) > 1:
            raise question.error(spec.field("inputs"), f"layer '{spec.name}': only a merge (add, "
                                                       "concatenate, multiply), attention or a decoder "
                                                       "reads more than one input")
        if spec.type in SEQ_TYPES:
            read_sequence(question, spec, spec.raw, convention, _int)
    if specs[0].type != "input":
        raise question.error(specs[0].field("type"), "the first layer must be the input layer")
    for spec in specs[1:]:
        if spec.type == "input":
            raise question.error(spec.field("type"), f"layer '{spec.name}': only the first layer may be an input")
    return convention, specs


def _inputs(question, spec, value, earlier) -> tuple:
    """The layers a layer reads, each named earlier in the spec."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise question.error(spec.field("inputs"), f"layer '{spec.name}': inputs is a list of layer names")
    for v in value:
        if v.strip() not in earlier:
            raise question.error(spec.field("inputs"), f"layer '{spec.name}': input '{v}' is not a layer "
                                                       "named before it")
    return tuple(v.strip() for v in value)


def _given(question, spec, value) -> tuple:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or any(v not in GIVEN for v in value):
        raise question.error(spec.field("given"), f"layer '{spec.name}': given lists cells the exam fills "
                                                  f"in, from {', '.join(GIVEN)}")
    return tuple(value) + (("weights", "bias") if "learnables" in value else ())


def _read_fields(question, spec, table, convention):
    """The type's own fields of one layer table, checked, into ``spec``."""
    t = spec.type
    if t == "input":
        _read_input(question, spec, table, convention)
        return
    if t in ("conv", "tconv"):
        _read_conv(question, spec, table, convention)
    if t in ("maxpool", "avgpool"):
        _read_pool(question, spec, table, convention)
    if t in ("conv", "tconv", "maxpool", "avgpool"):
        _read_window(question, spec, table, convention)
    _read_vector_fields(question, spec, table)
    _read_more(question, spec, table, convention)


def _read_input(question, spec, table, convention):
    f = spec.field
    if "size" not in table:
        raise question.error(f("size"), f"layer '{spec.name}': the input layer needs a size")
    size = _int_list(question, f("size"), table["size"], minimum=1)
    if len(size) not in (1, 3) and not (len(size) == 2 and convention != "matlab"):
        order = "[C, H, W]" if convention == "pytorch" else "[H, W, C]"
        more = "" if convention == "matlab" else ", a sequence [T, d]"
        raise question.error(f("size"), f"layer '{spec.name}': input size is {order}{more} or [n], "
                                        f"got {len(size)} numbers")
    spec.size = tuple(size)


def _read_conv(question, spec, table, convention):
    t, f = spec.type, spec.field
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
    if "connections" in table:
        spec.table = _connection_table(question, spec, table["connections"])
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


def _read_pool(question, spec, table, convention):
    f = spec.field
    if "size" not in table:
        raise question.error(f("size"), f"layer '{spec.name}': a pooling layer needs its 'size'")
    spec.kernel = _pair(question, f("size"), table["size"], minimum=1, label="pool size")
    if table.get("ceil_mode", False):
        if convention != "pytorch":
            raise question.error(f("ceil_mode"), f"layer '{spec.name}': ceil_mode is a PyTorch option")
        if not isinstance(table["ceil_mode"], bool):
            raise question.error(f("ceil_mode"), f"layer '{spec.name}': ceil_mode is true or false")
        spec.ceil = True


def _read_window(question, spec, table, convention):
    t, f = spec.type, spec.field
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


def _read_vector_fields(question, spec, table):
    t, f = spec.type, spec.field
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




def _read_more(question, spec, table, convention):
    """Zero padding, depthwise and separable convolution, adaptive pooling, upsampling."""
    t, f = spec.type, spec.field
    if t == "zeropad":
        if "padding" not in table:
            raise question.error(f("padding"), f"layer '{spec.name}': zero padding needs its 'padding'")
        spec.padding = _zero_padding(question, spec, table["padding"], convention)
        raw = table["padding"]
        spec.padding_text = raw.strip() if isinstance(raw, str) else _display_value(raw)
    if t in ("depthwise", "separable", "locallyconnected"):
        if t in ("separable", "locallyconnected"):
            if "filters" not in table:
                raise question.error(f("filters"), f"layer '{spec.name}': a {t} layer needs 'filters'")
            spec.filters = _int(question, f("filters"), table["filters"], minimum=1)
        if "size" not in table:
            raise question.error(f("size"), f"layer '{spec.name}': a {t} convolution needs its 'size'")
        spec.kernel = _pair(question, f("size"), table["size"], minimum=1, label="kernel size")
        spec.multiplier = _int(question, f("multiplier"), table.get("multiplier", 1), minimum=1)
        bias = table.get("bias", True)
        if not isinstance(bias, bool):
            raise question.error(f("bias"), f"layer '{spec.name}': bias is true or false")
        spec.bias = bias
        _read_window(question, spec, table, convention)
    if t == "adaptivepool":
        if convention != "pytorch":
            raise question.error(f("type"), f"layer '{spec.name}': adaptive pooling is a PyTorch layer")
        spec.output_size = _pair(question, f("output_size"), table.get("output_size", 1), minimum=1,
                                 label="output_size")
    if t == "upsample":
        spec.scale = _pair(question, f("scale"), table.get("scale", 2), minimum=1, label="scale")
    if t == "subsampling":
        spec.kernel = _pair(question, f("size"), table.get("size", 2), minimum=1, label="size")
        spec.stride = (_pair(question, f("stride"), table["stride"], minimum=1, label="stride")
                       if "stride" in table else spec.kernel)
        spec.padding = (0, 0, 0, 0)
    if t == "rbf":
        if "nodes" not in table:
            raise question.error(f("nodes"), f"layer '{spec.name}': an RBF output needs 'nodes'")
        spec.nodes = _int(question, f("nodes"), table["nodes"], minimum=1)


def _connection_table(question, spec, value) -> tuple:
    """One list of input-map indices (from 0) per filter, each index once."""
    where = spec.field("connections")
    if not isinstance(value, list) or len(value) != spec.filters or not all(isinstance(v, list) and v for v in value):
        raise question.error(where, f"layer '{spec.name}': connections lists, for each of the {spec.filters} "
                                    "filters, the input maps it reads (from 0)")
    rows = tuple(tuple(_int(question, where, i) for i in row) for row in value)
    if any(len(set(row)) != len(row) for row in rows):
        raise question.error(where, f"layer '{spec.name}': an input map is named twice for one filter")
    return rows


def _zero_padding(question, spec, value, convention):
    """(t, b, l, r) as each framework writes it: p, [p_h, p_w]; PyTorch's 4 numbers are
    (left, right, top, bottom), Keras's ((top, bottom), (left, right)), MATLAB's [t b ; l r]."""
    return _tblr(question, spec, value, _PADDING_RULES["zeropad", convention])
