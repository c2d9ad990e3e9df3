"""The neuron kind's fields: the schema, the activation table, and the spec read into a Neuron record."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdl.ops.conventions import DEFAULT_SUBGRADIENTS
from symdl.ops.table import activation
from symdl.notation.display import display_tex
from symdl.kinds.neuron.notation import BoxOf
from symdl.errors import LatexError
from symdl.input.latex import parse_number
from symdl.input.schema import Field, Schema
from symdl.solution import Text

from .symbols import ALPHA, Z
from .update_fields import read_update

UE = sp.UnevaluatedExpr

# Spellings accepted for the activation -> canonical name.
ACTIVATION_NAMES = {
    "relu": "relu", "re_lu": "relu", "max": "relu",
    "leaky_relu": "leaky_relu", "leakyrelu": "leaky_relu", "lrelu": "leaky_relu", "leaky": "leaky_relu",
    "sigmoid": "sigmoid", "logistic": "sigmoid", "sigma": "sigmoid",
    "tanh": "tanh",
    "identity": "identity", "linear": "identity", "none": "identity",
}


# One row per activation, for the sheet only: its title, its closed form as shown, the pgfplots
# expressions of A and A', the plot half-width, and the largest possible |dy/dz|. Its values and
# derivative come from the op table (symdl/ops/), under the exam's subgradient convention.
@dataclass(frozen=True)
class Activation:
    name: str
    title: str
    formula: object            # A(z), SymPy in Z (and ALPHA)
    plot: str                  # pgfplots expression of A(x)
    plot_derivative: tuple     # pieces (from, to, pgfplots expression of A'(x)); None = plot edge
    half_width: float          # default plot range [-w, w]
    max_slope: object          # sup |A'(z)|


ACTIVATIONS = {
    "relu": Activation("relu", "ReLU", sp.Max(0, Z), "max(0,x)", ((None, 0, "0"), (0, None, "1")), 1.0, sp.Integer(1)),
    "leaky_relu": Activation("leaky_relu", "leaky ReLU", sp.Max(ALPHA * Z, Z), "max({a}*x,x)",
                             ((None, 0, "{a}"), (0, None, "1")), 1.0, sp.Integer(1)),
    "sigmoid": Activation("sigmoid", "sigmoid", 1 / (1 + sp.exp(-Z)), "1/(1+exp(-x))",
                          ((None, None, "exp(-x)/(1+exp(-x))^2"),), 6.0, sp.Rational(1, 4)),
    "tanh": Activation("tanh", "tanh", sp.tanh(Z), "tanh(x)", ((None, None, "1-tanh(x)^2"),), 3.0, sp.Integer(1)),
    "identity": Activation("identity", "identity", Z, "x", ((None, None, "1"),), 1.0, sp.Integer(1)),
}

DEFAULT_SLOPE = sp.Rational(1, 100)
DEFAULT_SATURATION = sp.Rational(1, 100)
MAX_VOLUME_TERMS = 100_000
MAX_Z = 10 ** 6
# Every field once, typed; the reader below checks what a type cannot (a vector's length, a box).
SCHEMA = Schema(
    Field("model", "latex", default=None, help="the neuron's formula as LaTeX, shown on the sheet"),
    Field("activation", "text", choices=ACTIVATION_NAMES, what="activation",
          help="relu, leaky_relu, sigmoid, tanh or identity (and their spellings)"),
    Field("slope", "number", default=None, help="leaky ReLU slope in (0, 1); default 0.01"),
    Field("W", "value", help="the weight vector"),
    Field("x", "value", help="the input vector"),
    Field("b", "value", help="the bias"),
    Field("upstream", "value", help="dL/dy, the upstream gradient"),
    Field("domain", "list", default=None, help="the input box: [low, high] or one pair per input"),
    Field("saturation", "number", default=None, help="sigmoid/tanh threshold on |dy/dz|; default 0.01"),
    Field("update", "table", default=None, help="one optimizer step after the backward pass: rule (sgd, momentum, "
                                                "adam), lr and the rule's settings and state"),
)


def activation_rule(name, slope, subgradients):
    """(A, A') exact, from the op table under the exam's kink convention: relu, sigmoid and tanh are
    its rows; the leaky ReLU is built from relu's row, A = relu(z) + alpha (z - relu(z)), so its
    kink follows the same convention (alpha at 0 for PyTorch's); the identity is z itself."""
    if name == "relu":
        return activation(name, subgradients)
    if name in ("sigmoid", "tanh"):
        # the row's y(1 - y) and 1 - y^2, rewritten exactly so that no 1 - (a number near 1) is left to
        # evaluate: e^z/(1 + e^z)^2 and 1/cosh^2 z (the same values; y is 1 to 400 digits far out)
        f, df = activation(name, subgradients)
        return f, ((lambda z: sp.together(df(z))) if name == "sigmoid" else (lambda z: sp.trigsimp(df(z))))
    if name == "leaky_relu":
        relu, relu_d = activation("relu", subgradients)
        return (lambda z: relu(z) + slope * (z - relu(z))), (lambda z: relu_d(z) + slope * (1 - relu_d(z)))
    return (lambda z: z), (lambda z: sp.Integer(1))


def read_vector(question, name, source=None):
    """A vector field as a column Matrix (a row or a column is accepted)."""
    m = question.matrix(name, source=source)
    if m.rows != 1 and m.cols != 1:
        raise question.error(name, f"expected a vector, got a {m.rows}x{m.cols} matrix")
    return sp.Matrix(m).reshape(len(m), 1)


def read_scalar(question, name):
    m = question.matrix(name)
    if len(m) != 1:
        raise question.error(name, f"expected one number, got a {m.rows}x{m.cols} matrix")
    return m[0]


# ------------------------------------------------------------------------ reading ---

@dataclass
class Neuron:
    activation: Activation
    slope: object
    W: sp.Matrix
    x: sp.Matrix
    b: object
    upstream: object
    lows: list
    highs: list
    domain_note: str
    threshold: object
    A: object = None            # the activation, exact (from the op table)
    dA: object = None           # its derivative under the exam's subgradient convention
    subgradients: str = DEFAULT_SUBGRADIENTS
    update: object = None       # an update_fields.Update, or None

    @property
    def D(self):
        return self.W.rows


def read(question) -> Neuron:
    act = ACTIVATIONS[SCHEMA.values_of(question)["activation"]]
    slope = None
    if act.name == "leaky_relu":
        slope = question.number("slope", default=DEFAULT_SLOPE)
        if not (0 < slope < 1):
            raise question.error("slope", "the leaky ReLU slope must lie strictly between 0 and 1")
    elif question.has("slope"):
        raise question.error("slope", "only a leaky_relu activation takes a slope")
    threshold = None
    if act.name in ("sigmoid", "tanh"):
        threshold = question.number("saturation", default=DEFAULT_SATURATION)
        if not (0 < threshold < act.max_slope):
            raise question.error("saturation", f"the saturation threshold on |dy/dz| must lie in "
                                               f"(0, {act.max_slope}) for {act.name}")
    elif question.has("saturation"):
        raise question.error("saturation", "only sigmoid and tanh activations take a saturation threshold")
    if question.has("model"):
        display_tex(question, "model")
    W = read_vector(question, "W")
    x = read_vector(question, "x")
    if W.rows != x.rows:
        raise question.error("x", f"x has {x.rows} entries but W has {W.rows}")
    if W.rows > 64:
        raise question.error("W", "at most 64 inputs")
    b = read_scalar(question, "b")
    upstream = read_scalar(question, "upstream")
    lows, highs, note = read_domain(question, x)
    # magnitudes: an exam neuron's pre-activation stays far below 10^6 on its domain
    z_ext = abs(b) + sum(abs(w) * max(abs(lo), abs(hi)) for w, lo, hi in zip(W, lows, highs))
    z_here = abs((W.T * x)[0] + b)
    if max(z_ext, z_here) > MAX_Z:
        field = ("b" if abs(b) > MAX_Z / 2 else "W" if max(abs(w) for w in W) > MAX_Z / (4 * W.rows)
                 else "domain" if question.has("domain") and z_here <= MAX_Z else "x")
        raise question.error(field, "the pre-activation reaches beyond +-10^6: too large for an exam neuron")
    convention = getattr(question, "subgradients", DEFAULT_SUBGRADIENTS)
    A, dA = activation_rule(act.name, slope, convention)
    return Neuron(act, slope, W, x, b, upstream, lows, highs, note, threshold, A, dA, convention,
                  read_update(question, W.rows))


def read_domain(question, x):
    """The input box: the ``domain`` field, or [0,1]^D (or a symmetric box) around the given x."""
    D = x.rows
    if not question.has("domain"):
        if all(0 <= v <= 1 for v in x):
            return [sp.Integer(0)] * D, [sp.Integer(1)] * D, Text(
                "The input domain is taken as the unit box ", BoxOf(0, 1, power=D),
                ", which contains the given x (no domain was stated; the spec field 'domain' changes it).")
        m = max(sp.Integer(1), sp.ceiling(max(abs(v) for v in x)))
        return [-m] * D, [m] * D, Text(
            "No input domain was stated and x leaves ", BoxOf(0, 1, power=D), ": the domain is taken as the box ",
            BoxOf(-m, m, power=D), ", the smallest symmetric integer box that contains x "
            "(the spec field 'domain' changes it).")
    raw = question.get("domain", list)

    def number(v):
        try:
            return parse_number(v)
        except LatexError as exc:
            raise question.error("domain", exc.message) from None

    if len(raw) == 2 and not any(isinstance(v, list) for v in raw):
        lo, hi = number(raw[0]), number(raw[1])
        lows, highs = [lo] * D, [hi] * D
        note = Text("The input domain is the box ", BoxOf(lo, hi, power=D), " (stated in the spec).")
    elif len(raw) == D and all(isinstance(v, list) and len(v) == 2 for v in raw):
        lows = [number(v[0]) for v in raw]
        highs = [number(v[1]) for v in raw]
        note = Text("The input domain is the box ", BoxOf(lows, highs), " (stated in the spec).")
    else:
        raise question.error("domain", f"expected [low, high] or {D} pairs [low, high]")
    for lo, hi in zip(lows, highs):
        if not lo < hi:
            raise question.error("domain", "each interval needs low < high")
    if not all(lo <= v <= hi for v, lo, hi in zip(x, lows, highs)):
        note = Text(*note.parts, " The given x lies outside this domain: the analysis of part b is about the "
                                 "domain, not about x.")
    return lows, highs, note


