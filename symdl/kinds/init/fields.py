"""The init kind's fields: the scheme, the weight's shape (or its fans), the fan mode and the gain, read
into an :class:`Init` with every number exact."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdl.errors import LatexError
from symdl.input.latex import parse_number
from symdl.input.schema import Field, Schema

SCHEMES = {"xavier_uniform": "xavier_uniform", "xavier_normal": "xavier_normal",
           "glorot_uniform": "xavier_uniform", "glorot_normal": "xavier_normal",
           "kaiming_uniform": "kaiming_uniform", "kaiming_normal": "kaiming_normal",
           "he_uniform": "kaiming_uniform", "he_normal": "kaiming_normal",
           "lecun_uniform": "lecun_uniform", "lecun_normal": "lecun_normal", "truncated_normal": "truncated_normal"}
NONLINEARITIES = {"linear": "linear", "identity": "linear", "conv": "linear", "sigmoid": "sigmoid",
                  "tanh": "tanh", "relu": "relu", "leaky_relu": "leaky_relu", "selu": "selu"}
MODES = ("fan_in", "fan_out", "fan_avg")
LAYOUTS = ("pytorch", "keras")
MAX_DIM = 10 ** 6
MAX_DIMS = 5

SCHEMA = Schema(
    Field("scheme", "text", choices=SCHEMES, what="scheme",
          help="xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal (glorot_*, he_* alike), "
               "lecun_uniform, lecun_normal, or truncated_normal (Keras's TruncatedNormal)"),
    Field("shape", "list", default=None, help="the weight's shape, e.g. [64, 32, 3, 3]"),
    Field("layout", "text", default="pytorch", choices=LAYOUTS, what="layout",
          help="pytorch: [out, in, k...]; keras: [k..., in, out]"),
    Field("fan_in", "integer", default=None, help="instead of shape: the fan-in"),
    Field("fan_out", "integer", default=None, help="instead of shape: the fan-out"),
    Field("mode", "text", default=None, choices=MODES, what="mode", help="kaiming: fan_in (default), fan_out, fan_avg"),
    Field("nonlinearity", "text", default=None, choices=NONLINEARITIES, what="nonlinearity",
          help="the gain's nonlinearity (torch.nn.init.calculate_gain)"),
    Field("negative_slope", "number", default=None, help="leaky_relu's slope a"),
    Field("gain", "number", default=None, help="a gain given as a number instead of a nonlinearity"),
    Field("truncated", "bool", default=None,
          help="a normal scheme drawn truncated at two standard deviations as Keras draws it (default: true "
               "for lecun_normal, which only Keras has; false otherwise, as torch.nn.init)"),
    Field("stddev", "number", default=None,
          help="truncated_normal: the standard deviation of the normal before truncation (Keras's stddev)"),
)


@dataclass
class Init:
    """An initialisation question, every number exact."""

    scheme: str              # canonical: xavier_uniform, ...
    shape: tuple | None
    layout: str
    fan_in: int
    fan_out: int
    mode: str                # fan_in, fan_out or fan_avg (xavier: fan_avg)
    nonlinearity: str | None  # None when the gain is given as a number
    slope: object            # leaky_relu's a (exact), else None
    slope_default: bool
    gain: object             # exact gain
    truncated: bool = False  # a normal draw truncated at +-2 sigma_0 (Keras), sigma_0 = sigma / 0.8796...
    stddev: object = None    # truncated_normal: the given sigma_0 (exact)

    @property
    def family(self):
        return self.scheme.split("_")[0]

    @property
    def distribution(self):
        return self.scheme.split("_")[1]


def fans(shape, layout):
    """(fan_in, fan_out, receptive field size) as torch.nn.init / Keras define them."""
    if layout == "pytorch":
        out_maps, in_maps, rest = shape[0], shape[1], shape[2:]
    else:
        out_maps, in_maps, rest = shape[-1], shape[-2], shape[:-2]
    receptive = 1
    for k in rest:
        receptive *= k
    return in_maps * receptive, out_maps * receptive, receptive


def _number(question, name, value, low, high):
    try:
        v = parse_number(value)
    except LatexError as exc:
        raise question.error(name, exc.message) from None
    if not v.is_Rational or not low <= v <= high:
        raise question.error(name, f"expected a rational number from {low} to {high}")
    return v


def gain_of(nonlinearity, slope):
    """The exact gain of torch.nn.init.calculate_gain."""
    return {"linear": sp.Integer(1), "sigmoid": sp.Integer(1), "tanh": sp.Rational(5, 3), "relu": sp.sqrt(2),
            "selu": sp.Rational(3, 4)}.get(nonlinearity) or sp.sqrt(2 / (1 + slope ** 2))


def _shape(question, values):
    shape = values["shape"]
    if shape is not None:
        if question.has("fan_in") or question.has("fan_out"):
            raise question.error("shape", "give either the shape or fan_in and fan_out, not both")
        if not 2 <= len(shape) <= MAX_DIMS or not all(isinstance(v, int) and not isinstance(v, bool)
                                                        and 1 <= v <= MAX_DIM for v in shape):
            raise question.error("shape", f"expected 2 to {MAX_DIMS} integers from 1 to {MAX_DIM} "
                                          "(a weight has at least two dimensions)")
        return tuple(shape), fans(shape, values["layout"])[:2]
    for name in ("fan_in", "fan_out"):
        if values[name] is None:
            raise question.error(name, "missing required field (or give the weight's shape)")
        if not 1 <= values[name] <= MAX_DIM ** 2:
            raise question.error(name, f"expected an integer from 1 to {MAX_DIM ** 2}")
    return None, (values["fan_in"], values["fan_out"])


def _truncated_normal(question, values) -> Init:
    """Keras's TruncatedNormal(stddev): no fans, no gain."""
    for name in ("shape", "fan_in", "fan_out", "mode", "nonlinearity", "negative_slope", "gain", "truncated"):
        if question.has(name):
            raise question.error(name, "truncated_normal takes its stddev alone (no fans, no gain)")
    if values["stddev"] is None:
        raise question.error("stddev", "missing required field (the standard deviation before truncation)")
    stddev = _number(question, "stddev", values["stddev"], sp.Rational(1, 10 ** 6), 1000)
    return Init("truncated_normal", None, values["layout"], None, None, "fan_in", None, None, False,
                sp.Integer(1), True, stddev)


def _truncation(question, values, scheme) -> bool:
    if values["stddev"] is not None:
        raise question.error("stddev", "stddev belongs to scheme = 'truncated_normal'")
    if values["truncated"] is None:
        return scheme == "lecun_normal"
    if values["truncated"] and not scheme.endswith("_normal"):
        raise question.error("truncated", "only a normal draw is truncated")
    return values["truncated"]


def read(question) -> Init:
    values = dict.fromkeys(SCHEMA.names) | SCHEMA.values_of(question)
    scheme = values["scheme"]
    if scheme == "truncated_normal":
        return _truncated_normal(question, values)
    truncated = _truncation(question, values, scheme)
    shape, (fan_in, fan_out) = _shape(question, values)
    family = scheme.split("_")[0]
    mode = values["mode"]
    if family == "lecun":
        for name in ("mode", "nonlinearity", "negative_slope", "gain"):
            if values[name] is not None and values[name] != "fan_in":
                raise question.error(name, "LeCun initialisation uses the fan-in and gain 1: nothing to choose")
        return Init(scheme, shape, values["layout"], fan_in, fan_out, "fan_in", None, None, False, sp.Integer(1),
                    truncated)
    if family == "xavier":
        if mode not in (None, "fan_avg"):
            raise question.error("mode", "Xavier/Glorot initialisation averages the fans: no mode to choose")
        mode = "fan_avg"
    mode = mode or "fan_in"
    if values["gain"] is not None and values["nonlinearity"] is not None:
        raise question.error("gain", "give either the gain or the nonlinearity, not both")
    nonlinearity, slope, slope_default = values["nonlinearity"], None, False
    if values["gain"] is not None:
        gain = _number(question, "gain", values["gain"], sp.Rational(1, 1000), 1000)
        if values["negative_slope"] is not None:
            raise question.error("negative_slope", "a slope belongs to nonlinearity = 'leaky_relu'")
        return Init(scheme, shape, values["layout"], fan_in, fan_out, mode, None, None, False, gain, truncated)
    nonlinearity = nonlinearity or ("linear" if family == "xavier" else "leaky_relu")
    if nonlinearity == "leaky_relu":
        slope_default = values["negative_slope"] is None
        slope = (sp.Integer(0) if family == "kaiming" else sp.Rational(1, 100)) if slope_default else \
            _number(question, "negative_slope", values["negative_slope"], 0, 1000)
    elif values["negative_slope"] is not None:
        raise question.error("negative_slope", "a slope belongs to nonlinearity = 'leaky_relu'")
    return Init(scheme, shape, values["layout"], fan_in, fan_out, mode, nonlinearity, slope, slope_default,
                gain_of(nonlinearity, slope), truncated)
