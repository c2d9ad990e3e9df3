"""The neuron kind: y = A(W^T x + b), its gradients, a dead/saturated diagnosis and whether it can recover."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symdl.errors import LatexError
from symdl.kinds.neuron_check import active_fraction, domain_answers, local_answers, saturation_point
from symdl.latex_parse import parse_number
from symdl.printer import substitute, tex, value_tex
from symdl.solution import Figure, Math, Solution, Step, Tex, Text

FIELDS = {"model", "activation", "slope", "W", "x", "b", "upstream", "domain", "saturation"}
TOLERANCE = 1e-6
checks_note = ("z recomputed as an exact sum of fractions; y, dy/dz and every gradient of L = (dL/dy) y "
               "at 50 digits with mpmath, by complex-step derivatives of the forward pass (exact one-sided "
               "difference quotients for the piecewise-linear ReLUs); the active fraction by a second "
               "algorithm (the distribution of W^T x + b as repeated convolutions of piecewise "
               "polynomials in exact fractions for up to 8 inputs, else by inverting its characteristic "
               "function in floats); z_sat by bisection at 50 digits; the domain extremes by searching "
               "the box's vertices.")

UE = sp.UnevaluatedExpr
Z = sp.Symbol("z")
Y = sp.Symbol("y")
ALPHA = sp.Symbol(r"\alpha")

# Spellings accepted for the activation -> canonical name.
ACTIVATION_NAMES = {
    "relu": "relu", "re_lu": "relu", "max": "relu",
    "leaky_relu": "leaky_relu", "leakyrelu": "leaky_relu", "lrelu": "leaky_relu", "leaky": "leaky_relu",
    "sigmoid": "sigmoid", "logistic": "sigmoid", "sigma": "sigmoid",
    "tanh": "tanh",
    "identity": "identity", "linear": "identity", "none": "identity",
}


# One row per activation: its closed form, its derivative (in z, or in y when neater), the
# pgfplots expressions of both, the plot half-width, and the largest possible |dy/dz|.
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
MAX_SUM_TERMS_PER_LINE = 6

# --------------------------------------------------------------------- shared helpers ---

def display_tex(question, name):
    """Field ``name`` as LaTeX to show on the sheet, checked against the allow-list of macros."""
    from symdl.errors import LatexError
    from symdl.latex_parse import display_latex

    try:
        return Tex(display_latex(question.get(name, str)))
    except LatexError as exc:
        raise question.error(name, exc.message) from None


def sum_tex(terms, per_line=MAX_SUM_TERMS_PER_LINE) -> Tex:
    """A sum of printed terms, ``+``/``-`` joined, broken into aligned lines when long."""
    out = ""
    for i, term in enumerate(terms):
        text = tex(term)
        if i and i % per_line == 0:
            out += r" \\ &\qquad "
        if i == 0:
            out += text
        elif text.startswith("-"):
            out += " - " + text[1:].lstrip()
        else:
            out += " + " + text
    return Tex(out)


def linear_tex(coeffs, symbols, const=None, per_line=None) -> Tex:
    """``c_1 s_1 + c_2 s_2 + ... + const`` with signs folded and zero terms dropped.

    With ``per_line``, an aligned line break follows every ``per_line`` terms.
    """
    out = ""
    count = 0
    for c, sym in zip(coeffs, symbols):
        if c == 0:
            continue
        if per_line and count and count % per_line == 0:
            out += r" \\ &\quad "
        count += 1
        mag = "" if abs(c) == 1 else tex(abs(c)) + r"\, "
        sign = "-" if c < 0 else "+"
        out += (("-" if sign == "-" else "") if not out else f" {sign} ") + mag + tex(sym)
    if const is not None and (const != 0 or not out):
        c_text = tex(abs(const)) if out else tex(const)
        out += (f" {'-' if const < 0 else '+'} " + c_text) if out else c_text
    return Tex(out)


def _plain_number(value) -> str:
    """A number for a plain-text sentence: its exact decimal, else 6 significant digits."""
    from symdl.printer import terminating_decimal

    text = terminating_decimal(value) if sp.sympify(value).is_Rational else None
    return text if text is not None else f"{float(value):.6g}"


def result_tex(value):
    """(relation, LaTeX) for a result; a non-terminating fraction is shown exactly, then rounded."""
    relation, body = value_tex(value)
    value = sp.sympify(value)
    if relation != "=" and isinstance(value, sp.Rational) and value.q < 10**6:
        return "=", Tex(sp.latex(value) + r" \approx " + body)
    return relation, body


VECTOR_WRAP = 8     # entries per line of a long vector


def vector_tex(value):
    """(relation, LaTeX) of a column vector written as a transposed row, rounded when inexact.

    A vector longer than VECTOR_WRAP entries is wrapped onto several lines inside the
    brackets (read line by line), so that it fits the page.
    """
    row = sp.Matrix(value).T
    relation, body = value_tex(row)
    if row.cols <= VECTOR_WRAP:
        return relation, Tex(body + "^T")
    cells = [value_tex(v)[1] for v in row]
    lines = [r" \quad ".join(cells[i:i + VECTOR_WRAP]) for i in range(0, len(cells), VECTOR_WRAP)]
    return relation, Tex(r"\left[\begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}\right]^T")


def _factor_tex(value) -> str:
    """A number printed as a factor: bracketed when negative."""
    text = tex(value)
    return r"\left(" + text + r"\right)" if text.startswith("-") else text


def product(*factors):
    """An unevaluated product of numbers, printed ``a \\cdot b``."""
    return sp.Mul(*[UE(f) for f in factors], evaluate=False)


def num(value) -> str:
    """A float for TikZ/pgfplots coordinates."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("non-finite coordinate")
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def prose_tex(value, sig=5) -> Tex:
    """A value inside a sentence: the exact decimal, or ``\\approx`` and the rounded value."""
    relation, body = value_tex(value, sig)
    return Tex(body if relation == "=" else r"\approx " + body)


def pct_tex(fraction) -> Tex:
    """A fraction as a percentage inside a sentence."""
    return Tex(prose_tex(fraction * 100) + r"\,\%")


def approx_tex(value, sig=5) -> Tex:
    """``= v`` or ``\\approx v`` for a value shown inside a sentence."""
    relation, body = value_tex(value, sig)
    return Tex(f"{relation} {body}")


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

    @property
    def D(self):
        return self.W.rows


def read(question) -> Neuron:
    raw = question.get("activation", str)
    key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    if key not in ACTIVATION_NAMES:
        raise question.error("activation", f"unknown activation '{raw}' (known: relu, leaky_relu, "
                                           "sigmoid, tanh, identity)")
    act = ACTIVATIONS[ACTIVATION_NAMES[key]]
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
    return Neuron(act, slope, W, x, b, upstream, lows, highs, note, threshold)


def read_domain(question, x):
    """The input box: the ``domain`` field, or [0,1]^D (or a symmetric box) around the given x."""
    D = x.rows
    if not question.has("domain"):
        if all(0 <= v <= 1 for v in x):
            return [sp.Integer(0)] * D, [sp.Integer(1)] * D, Text(
                "The input domain is taken as the unit box ", Tex(f"[0, 1]^{{{D}}}"),
                ", which contains the given x (no domain was stated; the spec field 'domain' changes it).")
        m = max(sp.Integer(1), sp.ceiling(max(abs(v) for v in x)))
        return [-m] * D, [m] * D, Text(
            "No input domain was stated and x leaves ", Tex(f"[0, 1]^{{{D}}}"), ": the domain is taken as the box ",
            Tex(f"[-{m}, {m}]^{{{D}}}"), ", the smallest symmetric integer box that contains x "
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
        note = Text("The input domain is the box ", Tex(rf"[{tex(lo)}, {tex(hi)}]^{{{D}}}"), " (stated in the spec).")
    elif len(raw) == D and all(isinstance(v, list) and len(v) == 2 for v in raw):
        lows = [number(v[0]) for v in raw]
        highs = [number(v[1]) for v in raw]
        note = Text("The input domain is the box ", Tex(r" \times ".join(
            f"[{tex(lo)}, {tex(hi)}]" for lo, hi in zip(lows, highs))), " (stated in the spec).")
    else:
        raise question.error("domain", f"expected [low, high] or {D} pairs [low, high]")
    for lo, hi in zip(lows, highs):
        if not lo < hi:
            raise question.error("domain", "each interval needs low < high")
    if not all(lo <= v <= hi for v, lo, hi in zip(x, lows, highs)):
        note = Text(*note.parts, " The given x lies outside this domain: the analysis of part b is about the "
                                 "domain, not about x.")
    return lows, highs, note


# -------------------------------------------------------------- exact box volumes ---

def cube_below(c, r):
    """Exact vol{v in [0,1]^k : sum_i c_i v_i < r} for c_i > 0, by inclusion-exclusion.

    value = sum_S (-1)^|S| (r - c_S)_+^k / (k! prod c) over the subsets S of the k
    coordinates. Subsets are grouped by their sum sigma = c_S (a dynamic programme over the
    distinct sums below r), so decimal weights stay cheap for many inputs. Returns (value,
    terms) with terms the (sigma, N_sigma) pairs, N_sigma the signed count of subsets.
    """
    k = len(c)
    if k == 0:
        return (sp.Integer(1) if r > 0 else sp.Integer(0)), []
    if not r > 0:
        return sp.Integer(0), []
    r_float = float(r)

    def below(t):
        """t < r exactly; floats decide unless the two are within rounding of each other."""
        gap = float(t) - r_float
        if abs(gap) > 1e-9 * max(1.0, abs(r_float)):
            return gap < 0
        return bool(t < r)

    sums = {sp.Integer(0): 1}
    for ci in c:
        new = dict(sums)
        for sigma, weight in sums.items():
            t = sigma + ci
            if below(t):
                new[t] = new.get(t, 0) - weight
        sums = {sigma: w for sigma, w in new.items() if w != 0}
        if len(sums) > MAX_VOLUME_TERMS:
            raise OverflowError
    terms = sorted(sums.items(), key=lambda item: item[0])
    if r >= sum(c):
        return sp.Integer(1), terms       # the whole cube lies below the plane (the sum is exactly 1)
    value = sp.Add(*[w * (r - sigma) ** k for sigma, w in terms]) / (sp.factorial(k) * sp.Mul(*c))
    return value, terms


def saturation_z(act, threshold):
    """The |z| beyond which |A'(z)| < threshold, exact."""
    root = sp.sqrt(1 - 4 * threshold) if act.name == "sigmoid" else sp.sqrt(1 - threshold)
    if act.name == "sigmoid":
        return sp.log((1 + root) / (1 - root))
    return sp.atanh(root)


# ------------------------------------------------------------------------- solving ---

def solve(question) -> Solution:
    n = read(question)
    act, D = n.activation, n.D
    sol = Solution(question.id, question.kind)
    part_a = "a" if "a" in question.parts else None
    part_b = "b" if "b" in question.parts else None
    Ws = [sp.Symbol(f"W_{i + 1}") for i in range(D)]
    xs = [sp.Symbol(f"x_{i + 1}") for i in range(D)]
    bs = sp.Symbol("b")

    # ---------------------------------------------------------------- forward pass
    sec = sol.section("Forward pass, backward pass and what goes wrong", part=part_a)
    intro = ["The neuron computes "]
    intro.append(display_tex(question, "model") if question.has("model")
                 else Tex(r"y = A(\mathbf{W}^T \mathbf{x} + b)"))
    intro += [f" with {D} inputs and the {act.title} activation "]
    intro.append(Tex("A(z) = " + tex(act.formula)))
    if act.name == "leaky_relu":
        intro += [", slope ", Tex(r"\alpha = " + tex(n.slope))]
    intro.append(". First the pre-activation z, then y, then the gradients by the chain rule.")
    sec.add(Text(*intro))
    if act.name == "leaky_relu" and not question.has("slope"):
        sol.assume(Text("The leaky ReLU slope is taken as ", Tex(r"\alpha = " + tex(n.slope)),
                        " (the PyTorch default; no slope was stated)."))

    z = (n.W.T * n.x)[0] + n.b
    terms_sym = [Ws[i] * xs[i] for i in range(D)] + [bs]
    terms_num = [product(n.W[i], n.x[i]) for i in range(D)] + [UE(n.b)]
    sec.add(Step("The pre-activation, the weighted sum written out term by term:",
                 lhs=Z, formula=sum_tex(terms_sym), substituted=sum_tex(terms_num), result=z))
    sol.answer("z", z)

    alpha = n.slope if n.slope is not None else sp.Integer(0)
    y_exact = act.formula.subs({Z: z, ALPHA: alpha})
    y_sub = _activation_substituted(act, z, alpha)
    sec.add(Step("The output of the activation:", lhs=Y, formula=act.formula, substituted=y_sub,
                 result=y_exact))
    sol.answer("y", y_exact)

    dydz, dydz_items = _local_derivative(act, z, y_exact, alpha)
    if act.name in ("relu", "leaky_relu") and z == 0:
        sol.assume(Text("At the kink z = 0 the derivative of the ", act.title,
                        " is taken from the left, ", Tex(r"\frac{\partial y}{\partial z} = " + tex(alpha)),
                        " (the convention of PyTorch and TensorFlow)."))
    sec.add(*dydz_items)
    sol.answer("dy_dz", dydz)

    # ---------------------------------------------------------------- backward pass
    dLdy, dydz_s = sp.Symbol(r"\frac{\partial L}{\partial y}"), sp.Symbol(r"\frac{\partial y}{\partial z}")
    dLdz_s = sp.Symbol(r"\frac{\partial L}{\partial z}")
    gz = n.upstream * dydz
    sec.add(Step("Chain rule through the activation, with the given upstream gradient:",
                 lhs=dLdz_s, formula=dLdy * dydz_s,
                 substituted=substitute(dLdy * dydz_s, {dLdy: n.upstream, dydz_s: dydz})
                 if dydz.is_Rational else Tex(_factor_tex(n.upstream) + r" \cdot " + value_tex(dydz)[1]),
                 result=gz))
    sol.answer("grad.z", gz)

    gW = n.x * gz
    gx = n.W * gz
    sec.add(Text("Chain rule into the weights, since ", Tex(r"\partial z / \partial W_i = x_i"), ":"),
            _vector_step(r"\frac{\partial L}{\partial \mathbf{W}}", r"\mathbf{x}", gz, n.x, gW))
    sol.answer("grad.W", gW)
    sec.add(Text("Chain rule into the bias, since ", Tex(r"\partial z / \partial b = 1"), ":"),
            Step("", lhs=Tex(r"\frac{\partial L}{\partial b}"), formula=dLdz_s, result=gz))
    sol.answer("grad.b", gz)
    sec.add(Text("Chain rule into the input (the gradient passed to the layer below), since ",
                 Tex(r"\partial z / \partial x_i = W_i"), ":"),
            _vector_step(r"\frac{\partial L}{\partial \mathbf{x}}", r"\mathbf{W}", gz, n.W, gx))
    sol.answer("grad.x", gx)

    plot = _figure(n, z, y_exact, dydz)
    sec.add(plot)

    # ---------------------------------------------------------------- diagnosis
    dead = bool(dydz == 0)
    sol.answer("dead", dead)
    saturated = None
    if act.name in ("sigmoid", "tanh"):
        saturated = bool(abs(dydz) < n.threshold)
        sol.answer("saturated", saturated)
        sol.assume(Text("The ", act.title, " unit is called saturated when ",
                        Tex(r"\left|\frac{\partial y}{\partial z}\right| < \tau = " + tex(n.threshold)),
                        "" if question.has("saturation") else " (a conventional threshold; the spec field "
                        "'saturation' changes it)", "."))
    sec.add(*_diagnosis(n, z, dydz, dead, saturated))

    # ---------------------------------------------------------------- part b
    sec = sol.section("Can the neuron learn again?", part=part_b)
    sol.assume(n.domain_note)
    try:
        _recovery(sol, sec, n, z, Ws, xs, bs)
    except OverflowError:
        raise question.error("W", "the exact active fraction needs too many terms; "
                                  "use fewer inputs with a nonzero weight") from None
    return sol


def _activation_substituted(act, z, alpha):
    if act.name == "sigmoid":
        return sp.Mul(UE(1), sp.Pow(sp.Add(1, sp.exp(UE(-z), evaluate=False), evaluate=False), -1,
                                    evaluate=False), evaluate=False)
    return substitute(act.formula, {Z: z, ALPHA: alpha})


def _local_derivative(act, z, y, alpha):
    """(exact dy/dz, the items that derive it) for the activation at z."""
    lhs = Tex(r"\frac{\partial y}{\partial z}")
    if act.name in ("relu", "leaky_relu"):
        low = sp.Integer(0) if act.name == "relu" else alpha
        value = sp.Integer(1) if z > 0 else low
        closed = Tex(r"\begin{cases} 1 & z > 0 \\ " + tex(ALPHA if act.name == "leaky_relu" else 0)
                     + r" & z \le 0 \end{cases}")
        why = Tex(f"z = {tex(z)} " + (">" if z > 0 else "<" if z < 0 else "=") + " 0")
        return value, [Text("The local derivative of the activation; here ", why,
                            ", the " + ("first" if z > 0 else "second") + " case:"),
                       Step("", lhs=lhs, formula=closed, result=value)]
    if act.name == "sigmoid":
        # y (1 - y) with 1 - y = e^{-z}/(1 + e^{-z}) written out: no cancellation when y is 1 to 200 digits
        value = sp.exp(-z) / (1 + sp.exp(-z)) ** 2
        return value, [Text("The local derivative of the sigmoid, in terms of its output ", Tex(r"y = \sigma(z)"), ":"),
                       Step("", lhs=lhs, formula=Y * (1 - Y), substituted=_tail_sub(act, z, y) or
                            _y_sub(Y * (1 - Y), y), result=value)]
    if act.name == "tanh":
        value = 1 / sp.cosh(z) ** 2   # = 1 - y^2, evaluated without cancelling 1 against tanh(z)^2
        return value, [Text("The local derivative of tanh, in terms of its output ", Tex(r"y = \tanh z"), ":"),
                       Step("", lhs=lhs, formula=1 - Y ** 2, substituted=_tail_sub(act, z, y) or
                            _y_sub(1 - Y ** 2, y), result=value)]
    return sp.Integer(1), [Step("The identity passes its input unchanged:", lhs=lhs, formula=sp.Integer(1),
                                result=sp.Integer(1))]


def _tail_sub(act, z, y):
    """Where y shows as +-1 when rounded, the derivative written without the cancellation, else None."""
    if value_tex(y)[1] not in ("1", "-1"):
        return None
    if act.name == "sigmoid":
        return Tex(tex(y) + r" \cdot " + tex(sp.exp(-z) / (1 + sp.exp(-z))))
    return Tex(r"1 - \tanh^2(" + tex(z) + r") = \frac{1}{\cosh^2(" + tex(z) + ")}")


def _y_sub(expr, y):
    """``expr`` in y with the value of y put in: an exact decimal as itself, else rounded."""
    relation, body = value_tex(y)
    if relation == "=":
        return substitute(expr, {Y: y})
    marker = sp.Symbol("Ymarker")
    text = tex(expr.xreplace({Y: marker}))
    return Tex(text.replace("Ymarker", r"\left(" + body + r"\right)"))


def _vector_step(lhs, vector_name, gz, vals, result):
    """dL/d(vector) = dL/dz * vector: compact closed form, the numbers, the result as a row^T."""
    relation, body = vector_tex(result)
    factor = _factor_tex(gz) if gz.is_Rational else value_tex(gz)[1]
    substituted = Tex(factor + r" \cdot " + vector_tex(vals)[1])
    return Step("", lhs=Tex(lhs), formula=Tex(r"\frac{\partial L}{\partial z}\, " + vector_name),
                substituted=substituted, result=Tex(body), relation=relation)


def _diagnosis(n, z, dydz, dead, saturated):
    act = n.activation
    items = []
    up = n.upstream
    z_t, up_t = tex(z), tex(up)
    if up == 0:
        items.append(Text("Note first that the upstream gradient is ", Tex(r"\frac{\partial L}{\partial y} = 0"),
                          ": the loss does not depend on y for this sample, so every gradient below is zero "
                          "whatever the activation does."))
    if act.name == "relu":
        if dead:
            items.append(Text(
                "The problem: ", Tex(f"z = {z_t} {'<' if z < 0 else '='} 0"),
                ", so the ReLU sits on its flat part: ", Tex(r"y = 0"), " and ",
                Tex(r"\frac{\partial y}{\partial z} = 0"), ". The chain rule multiplies every gradient by this zero: ",
                Tex(r"\frac{\partial L}{\partial \mathbf{W}} = \mathbf{0}"), " and ",
                Tex(r"\frac{\partial L}{\partial b} = 0"), ", although the upstream gradient ",
                Tex(r"\frac{\partial L}{\partial y} = " + up_t), " is not zero"
                + (" (the loss would fall if y grew, since it is negative)" if up < 0 else
                   " (the loss would fall if y shrank)" if up > 0 else "") + ". The update ",
                Tex(r"\mathbf{W} \leftarrow \mathbf{W} - \eta\, \frac{\partial L}{\partial \mathbf{W}}"),
                " leaves W and b exactly where they are, whatever the learning rate: this sample teaches the "
                "neuron nothing, and the gradient passed down, ", Tex(r"\frac{\partial L}{\partial \mathbf{x}}"),
                ", is zero too. A ReLU whose pre-activation is negative for every input it sees is a "
                "dead ReLU: it can never leave that state through its own gradient."))
        else:
            items.append(Text(
                "Here ", Tex(f"z = {z_t} > 0"), ": the ReLU is on its linear part, ",
                Tex(r"\frac{\partial y}{\partial z} = 1"), ", and the upstream gradient reaches W and b "
                "unchanged" + (" (here it is zero)" if up == 0 else "") + ". This sample does not show a dead neuron."))
    elif act.name == "leaky_relu":
        if z > 0:
            items.append(Text("Here ", Tex(f"z = {z_t} > 0"), ": the leaky ReLU is on its linear part and the "
                              "gradient reaches W and b unchanged."))
        else:
            items.append(Text(
                "Here ", Tex(f"z = {z_t} \\le 0"), ", the negative part, where the leaky ReLU has slope ",
                Tex(r"\alpha = " + tex(n.slope)), ": the gradients are scaled by ", Tex(tex(n.slope)),
                " but not zero, so the neuron still learns from this sample, only more slowly. "
                "A leaky ReLU cannot die."))
    elif act.name in ("sigmoid", "tanh"):
        rel, body = value_tex(dydz)
        ratio = dydz / act.max_slope
        if saturated:
            items.append(Text(
                "The problem: ", Tex(f"z {value_tex(z)[0]} {value_tex(z)[1]}"), " lies far on a flat tail of the ",
                act.title, ", so ", Tex(r"\frac{\partial y}{\partial z} " + rel + " " + body),
                f" is below the saturation threshold ", Tex(r"\tau = " + tex(n.threshold)),
                ": the unit is saturated. Every gradient is the upstream gradient times this factor, only ",
                pct_tex(ratio), " of the largest slope ",
                Tex(tex(act.max_slope)), f" of the {act.title}, so the weights barely move "
                "(a vanishing gradient); learning is not stopped, it is very slow."))
        else:
            items.append(Text(
                "Here ", Tex(r"\frac{\partial y}{\partial z} " + rel + " " + body), ", at least the threshold ",
                Tex(r"\tau = " + tex(n.threshold)), ": the unit is not saturated (", pct_tex(ratio),
                " of the largest slope), and the gradient reaches W and b."))
    else:
        items.append(Text("The identity has ", Tex(r"\frac{\partial y}{\partial z} = 1"),
                          " everywhere: the gradient always reaches W and b; this neuron cannot die or saturate."))
    return items


def _recovery(sol, sec, n, z, Ws, xs, bs):
    act, D = n.activation, n.D
    W, b = n.W, n.b
    # extremes of z on the box, at vertices
    x_hi = [n.highs[i] if W[i] > 0 else n.lows[i] for i in range(D)]
    x_lo = [n.lows[i] if W[i] > 0 else n.highs[i] for i in range(D)]
    z_max = sum((W[i] * x_hi[i] for i in range(D)), sp.Integer(0)) + b
    z_min = sum((W[i] * x_lo[i] for i in range(D)), sp.Integer(0)) + b
    sol.answer("domain.z_max", z_max)
    sol.answer("domain.z_min", z_min)
    lin = linear_tex(list(W), xs, b)
    long_form = sum(1 for w in W if w != 0) > 8
    if long_form:
        lin = linear_tex(list(W), xs, b, per_line=7)
    nz = [i for i in range(D) if W[i] != 0]
    c = [abs(W[i]) * (n.highs[i] - n.lows[i]) for i in nz]

    if act.name == "identity":
        sec.add(Text("With the identity activation the gradient never vanishes: ", Tex(r"\partial y/\partial z = 1"),
                     " for every input, so the neuron learns from every sample and the question does not arise. "
                     "Its active fraction is the whole domain."))
        sol.answer("active_fraction", sp.Integer(1))
        sol.answer("dead_on_domain", False)
        return

    if act.name in ("relu", "leaky_relu"):
        sec.add(Text("The neuron passes a gradient ", "" if act.name == "relu" else "of full size ",
                     "exactly where it is active, on the open half-space"),
                Math(Tex(r"\{\mathbf{x} : \mathbf{W}^T\mathbf{x} + b > 0\} = \{\mathbf{x} : " + lin + r" > 0\}")
                     if not long_form else
                     Tex(r"\begin{aligned} &\{\mathbf{x} : \mathbf{W}^T\mathbf{x} + b > 0\} \\ &= \{\mathbf{x} : "
                         + lin + r" > 0\}\end{aligned}")))
        sec.add(Text("Over the domain, a linear function is largest at a vertex of the box: take ",
                     Tex(r"x^*_i"), " at the upper end where ", Tex("W_i > 0"), " and at the lower end otherwise, ",
                     Tex(r"\mathbf{x}^* = " + vector_tex(x_hi)[1]), "."))
        sec.add(Step("The largest pre-activation on the domain:", lhs=Tex(r"z_{\max} = z(\mathbf{x}^*)"),
                     formula=sum_tex([Ws[i] * sp.Symbol(f"x^*_{i + 1}") for i in range(D)] + [bs]),
                     substituted=sum_tex([product(W[i], x_hi[i]) for i in range(D)] + [UE(b)]), result=z_max))
        dead_domain = bool(z_max <= 0)
        sol.answer("dead_on_domain", dead_domain if act.name == "relu" else False)
        if z_max > 0:
            sec.add(Text("So an input of the domain does activate the neuron: the witness ",
                         Tex(r"\mathbf{x}^*"), " gives ", Tex(f"z = {tex(z_max)} > 0"),
                         ", and so does every input near it."))
        else:
            sec.add(Text("Even the best input of the domain gives ", Tex(f"z_{{\\max}} = {tex(z_max)} \\le 0"),
                         ": no input in the domain activates the neuron."))
        frac = _volume(sec, c, nz, z_max, kind="active")
        sol.answer("active_fraction", frac)
        _mechanisms_relu(sec, n, z, z_max, frac, dead_domain)
        return

    # sigmoid / tanh: the non-saturated slab
    zs = saturation_z(act, n.threshold)
    sat_formula = (r"z_{\mathrm{sat}} = \ln\frac{1 + \sqrt{1 - 4\tau}}{1 - \sqrt{1 - 4\tau}}" if act.name == "sigmoid"
                   else r"z_{\mathrm{sat}} = \operatorname{artanh}\sqrt{1 - \tau}")
    sec.add(Text("The unit passes a useful gradient where ", Tex(r"\left|\partial y/\partial z\right| \ge \tau"),
                 ". Solving ", Tex(r"y(1-y) = \tau" if act.name == "sigmoid" else r"1 - y^2 = \tau"),
                 " for z gives the edge of that region:"))
    sec.add(Step("", lhs=Tex(r"z_{\mathrm{sat}}"), formula=Tex(sat_formula.split("=", 1)[1]),
                 substituted=Tex(tex(zs, ln_notation=True)), result=zs))
    sec.add(Text("The unit is not saturated on the slab between two parallel planes,"),
            Math(Tex(r"\{\mathbf{x} : |\mathbf{W}^T\mathbf{x} + b| < z_{\mathrm{sat}}\} = \{\mathbf{x} : |"
                     + lin + r"| < " + value_tex(zs)[1] + r"\}")
                 if not long_form else
                 Tex(r"\begin{aligned} &\{\mathbf{x} : |\mathbf{W}^T\mathbf{x} + b| < z_{\mathrm{sat}}\} \\ &= "
                     r"\{\mathbf{x} : \big|" + lin + r"\big| < " + value_tex(zs)[1] + r"\}\end{aligned}")))
    sol.answer("saturation_z", zs)
    sec.add(Step("On the domain, z ranges between its values at two opposite vertices:",
                 lhs=Tex(r"z_{\max}"), formula=sum_tex([product(W[i], x_hi[i]) for i in range(D)] + [UE(b)]),
                 result=z_max))
    sec.add(Step("", lhs=Tex(r"z_{\min}"), formula=sum_tex([product(W[i], x_lo[i]) for i in range(D)] + [UE(b)]),
                 result=z_min))
    if z_min <= 0 <= z_max:
        t = sp.Integer(0) if z_max == z_min else -z_min / (z_max - z_min)
        witness = sp.Matrix([x_lo[i] + t * (x_hi[i] - x_lo[i]) for i in range(D)])
        sec.add(Text("Since ", Tex(r"z_{\min} \le 0 \le z_{\max}"), ", the segment between the two vertices "
                     "crosses z = 0; a witness input with z = 0, the steepest point of the curve, is"),
                Math(Tex(r"\mathbf{x}_0 " + " ".join(vector_tex(witness)) + ".")))
    else:
        witness = sp.Matrix(x_hi if z_max < 0 else x_lo)
    sol.answer("witness", witness)
    z_w = (W.T * witness)[0] + b
    sol.answer("witness.z", z_w)
    sat_domain = bool(z_min >= zs or z_max <= -zs)
    sol.answer("saturated_on_domain", sat_domain)
    if not (z_min <= 0 <= z_max):
        sec.add(Text("The closest vertex to z = 0 is ", Tex(r"\mathbf{x}_0 = " + vector_tex(witness)[1]),
                     " with ", Tex("z " + approx_tex(z_w)), ": ",
                     "it is saturated too, so the unit is saturated on the whole domain." if sat_domain else
                     "it is not saturated, so some inputs of the domain give useful gradients."))
    frac = _volume(sec, c, nz, z_max, kind="slab", zs=zs)
    sol.answer("active_fraction", frac)
    _mechanisms_saturating(sec, n, z, zs, frac, sat_domain)


def _volume(sec, c, nz, z_max, kind, zs=None):
    """The exact fraction of the box where the neuron is active (half-space or slab)."""
    k = len(c)
    if k == 0:
        if kind == "active":
            return _show_volume(sec, c, z_max, "", r"\text{active fraction}")[0]
        hi, _ = _show_volume(sec, c, z_max + zs, "", r"P(z > -z_{\mathrm{sat}})")
        lo, _ = _show_volume(sec, c, z_max - zs, "", r"P(z > z_{\mathrm{sat}})")
        sec.add(Step("", lhs=Tex(r"\text{active fraction}"), formula=Tex(value_tex(hi)[1] + " - " + value_tex(lo)[1]),
                     result=hi - lo))
        return hi - lo
    sec.add(Text("To measure the active part exactly, write each input relative to the vertex ",
                 Tex(r"\mathbf{x}^*" if kind == "active" else r"\mathbf{x}_{\max}"),
                 " where z is largest, ", Tex(r"x_i = x^*_i \mp (u_i - l_i)\, v_i"), " with ",
                 Tex(r"v_i \in [0, 1]"), ": then ", Tex(r"z = z_{\max} - \sum_i c_i v_i"), " with ",
                 Tex(r"c_i = |W_i|\,(u_i - l_i)"), ". Inputs with ", Tex("W_i = 0"),
                 " do not matter. The fraction of the box below the plane ", Tex(r"\sum_i c_i v_i = r"),
                 " is the volume of a corner simplex cut by the unit cube, by inclusion and exclusion over the cube's "
                 "corners:"))
    sec.add(Math(Tex(r"F(r) = \operatorname{vol}\Big\{\mathbf{v} \in [0,1]^k : \sum_i c_i v_i < r\Big\} = "
                     r"\frac{1}{k!\,\prod_i c_i} \sum_{S \subseteq \{1,\dots,k\}} (-1)^{|S|}"
                     r"\Big(r - \sum_{i \in S} c_i\Big)_+^{\,k}")))
    c_text = ", ".join(f"c_{{{i + 1}}} = {tex(ci)}" for i, ci in zip(nz, c))
    sec.add(Text(f"Here k = {k}: ", Tex(c_text), ".") if k else Text("Here k = 0."))
    if kind == "active":
        frac, _ = _show_volume(sec, c, z_max, "F(z_{\\max})", r"\text{active fraction}")
    else:
        hi, _ = _show_volume(sec, c, z_max + zs, r"F(z_{\max} + z_{\mathrm{sat}})",
                                    r"P(z > -z_{\mathrm{sat}})")
        lo, _ = _show_volume(sec, c, z_max - zs, r"F(z_{\max} - z_{\mathrm{sat}})",
                                    r"P(z > z_{\mathrm{sat}})")
        frac = hi - lo
        sec.add(Step("The fraction of the domain where the unit is not saturated:",
                     lhs=Tex(r"\text{active fraction}"),
                     formula=Tex(r"P(z > -z_{\mathrm{sat}}) - P(z > z_{\mathrm{sat}})"),
                     substituted=Tex(value_tex(hi)[1] + " - " + value_tex(lo)[1]),
                     result=frac))
    return frac


def _show_volume(sec, c, r, name, meaning):
    """F(r) for the cube, shown step by step; past the middle, via the complement 1 - F(sum c - r)."""
    k = len(c)
    total = sum(c, sp.Integer(0))
    lhs = Tex(meaning + " = " + name)
    if k == 0:
        value = sp.Integer(1) if r > 0 else sp.Integer(0)
        sec.add(Text("No input has a nonzero weight, so z is the same on the whole domain:"),
                Step("", lhs=Tex(meaning), result=value))
        return value, []
    if not r > 0:
        sec.add(Text("Since ", Tex(f"r {value_tex(r)[0]} {value_tex(r)[1]} \\le 0"),
                     ", nothing of the cube lies below the plane:"),
                Step("", lhs=lhs, result=sp.Integer(0)))
        return sp.Integer(0), []
    if r >= total:
        sec.add(Text("Since ", Tex(r"r " + value_tex(r)[0] + " " + value_tex(r)[1] + r" \ge \sum_i c_i = "
                                   + tex(total)), ", the whole cube lies below the plane:"),
                Step("", lhs=lhs, result=sp.Integer(1)))
        return sp.Integer(1), []
    flip = bool(r > total / 2)
    rr = total - r if flip else r
    inner, terms = cube_below(c, rr)
    value = 1 - inner if flip else inner
    if flip:
        sec.add(Text("Past the middle of the cube it is shorter to measure the complement, a corner at the "
                     "opposite vertex (where z is smallest): by the symmetry ", Tex(r"v_i \to 1 - v_i"), ", ",
                     Tex(r"F(r) = 1 - F\big(\textstyle\sum_i c_i - r\big)"), " with ",
                     Tex(r"\sum_i c_i - r " + " ".join(value_tex(rr))), "."))
    lead = "1 - " if flip else ""
    if len(terms) <= 40:
        body = ""
        for i, (sigma, weight) in enumerate(terms):
            rest = rr - sigma
            rest = rest if rest.is_Rational else sp.Float(float(rest), 5)
            piece = r"\left(" + tex(rest) + r"\right)^{" + str(k) + "}"
            count = "" if abs(weight) == 1 else str(abs(weight)) + r"\,"
            if i and i % (6 if k <= 6 else 4) == 0:
                body += r" \\ &\qquad "
            if i == 0:
                body += ("-" if weight < 0 else "") + count + piece
            else:
                body += f" {'-' if weight < 0 else '+'} " + count + piece
        c_prod = sp.Mul(*c)
        prod = (r" \cdot ".join(tex(ci) for ci in c) if k <= 8
                else tex(c_prod) if value_tex(c_prod)[0] == "=" else r"\prod_i c_i")
        subst = Tex(lead + r"\frac{1}{" + str(k) + r"! \cdot " + prod + r"}\Big(" + body + r"\Big)")
        text = (f"Subsets S with the same sum give the same bracket: grouped by that sum, only the "
                f"{len(terms)} sum{'s' if len(terms) > 1 else ''} below "
                + ("the threshold" if not rr.is_Rational else _plain_number(rr))
                + " contribute, each with its signed count of subsets"
                + (":" if rr.is_Rational else " (brackets rounded here, summed exactly):"))
    else:
        subst = None
        text = (f"{len(terms)} distinct subset sums lie below the threshold; their terms are summed exactly (too "
                "many to list).")
    relation, shown = result_tex(value)
    sec.add(Step(text, lhs=lhs,
                 formula=Tex(lead + r"\frac{1}{" + str(k) + r"!\,\prod_i c_i}\sum_S (-1)^{|S|}\Big("
                             + value_tex(rr)[1] + r" - \sum_{i \in S} c_i\Big)_+^{\," + str(k) + "}"),
                 substituted=subst, result=shown, relation=relation))
    return value, terms


def _mechanisms_relu(sec, n, z, z_max, frac, dead_domain):
    act, W, b, x = n.activation, n.W, n.b, n.x
    leaky = act.name == "leaky_relu"
    active_now = z > 0
    lines = []
    if leaky:
        lines.append(Text("A leaky ReLU never stops learning: on the negative side its slope ",
                          Tex(r"\alpha = " + tex(n.slope)), " still passes a gradient scaled by ", Tex(tex(n.slope)),
                          ", so W and b keep moving towards inputs where ", Tex("z > 0"), " if the loss asks for it."))
        for item in lines:
            sec.add(item)
        return
    if active_now:
        sec.add(Text("This sample already activates the neuron (", Tex(f"z = {tex(z)} > 0"),
                     "), so it learns from it; the analysis below says how much of the domain keeps it learning."))
    pct = pct_tex(frac)
    if not dead_domain:
        lines.append(Text("1. Other samples. The update is an average over the mini-batch: any sample with ",
                          Tex("z > 0"), " gives a nonzero gradient into W and b. A fraction ",
                          prose_tex(frac), " (", pct, ") of the domain activates the neuron, so, "
                          "if the training inputs spread over the domain, most mini-batches contain such samples "
                          "and the neuron does learn again: it is inactive for this sample, not dead."
                          if frac >= sp.Rational(1, 2) else
                          ", so training inputs that land in that part revive it."))
    else:
        lines.append(Text("1. Other samples cannot help: ", Tex(f"z_{{\\max}} = {tex(z_max)} \\le 0"),
                          " means every input of the domain gives ", Tex("z \\le 0"),
                          ", hence zero gradient into W and b for every sample. The neuron is dead on the whole "
                          "domain and no data gradient can revive it."))
    Wn2 = (W.T * W)[0]
    if z <= 0 and Wn2 != 0:
        dist = -z / sp.sqrt(Wn2)
        imax = max(range(n.D), key=lambda i: abs(W[i]))
        move = -z / abs(W[imax])
        lines.append(Text("2. Changes upstream. If x is the output of earlier layers, their updates move x. The "
                          "smallest move that activates the neuron for this sample goes along W and has length ",
                          Tex(r"\frac{|z|}{\lVert \mathbf{W} \rVert_2} = \frac{" + tex(abs(z)) + r"}{\sqrt{"
                              + tex(Wn2) + r"}} " + approx_tex(dist)),
                          "; along one coordinate, changing ", Tex(f"x_{{{imax + 1}}}"),
                          " (the largest weight in size, ",
                          Tex(f"W_{{{imax + 1}}} = {tex(W[imax])}"), ") by ",
                          Tex(r"|z| / |W_{" + str(imax + 1) + r"}| " + approx_tex(move)),
                          ". But this sample sends no gradient down through the neuron (",
                          Tex(r"\partial L/\partial \mathbf{x} = \mathbf{0}"),
                          "), so such a move can only come from other paths or other samples; raw input data "
                          "never moves." + (" And since the neuron is dead on the whole domain, only a move that "
                                            "leaves the domain would help." if dead_domain else "")))
    wx = (W.T * x)[0]
    if b > 0:
        if wx < 0:
            factor = b / (-wx)
            lines.append(Text(
                "3. Weight decay. With no data gradient, weight decay alone acts: ",
                Tex(r"\mathbf{W}_t = (1 - \eta\lambda)^t\,\mathbf{W}_0"), ". If the bias is not decayed (the usual "
                "practice), z tends to ", Tex(f"b = {tex(b)} > 0"), ": for this sample ",
                Tex(r"z_t = (1-\eta\lambda)^t\,(" + tex(wx) + ") + " + tex(b)),
                " turns positive once ", Tex(r"(1 - \eta\lambda)^t < \frac{b}{-\mathbf{W}^T\mathbf{x}} = \frac{"
                                             + tex(b) + "}{" + tex(-wx) + "} " + approx_tex(factor)),
                ", i.e. once W has shrunk by ", pct_tex(1 - factor),
                ", and then the neuron learns again. If the bias is decayed at the same rate, z keeps its sign ("
                "both terms shrink together) and decay cannot revive it."))
        else:
            lines.append(Text("3. Weight decay shrinks W towards 0, so z tends to ", Tex(f"b = {tex(b)} > 0"),
                              " on every input (if the bias is not decayed): decay pushes the neuron back to life."))
    else:
        lines.append(Text("3. Weight decay shrinks W towards 0, so z tends to ", Tex(f"b = {tex(b)} \\le 0"),
                          ": decay cannot revive it (it drives z to the bias, which is not positive)."))
    lines.append(Text("4. Momentum. With momentum or Adam, the velocity built up on earlier samples keeps moving "
                      "W and b for a while even though this sample's gradient is zero; this can carry the neuron "
                      "back into the active region, or further out of it."))
    if dead_domain:
        lines.append(Text("Verdict: dead on the whole domain. Gradient descent on the data cannot revive it; only "
                          + ("weight decay (b > 0 here), " if b > 0 else "")
                          + "re-initialization or a leaky ReLU can."))
    else:
        lines.append(Text("Verdict: yes, it can learn again. Its inactivity comes from this sample (",
                          Tex(f"z = {tex(z)}"), "), not from the weights as a whole: ", pct,
                          " of the domain activates it, e.g. the witness ", Tex(r"\mathbf{x}^*"), " with ",
                          Tex(f"z = {tex(z_max)}"), "."))
    for item in lines:
        sec.add(item)


def _mechanisms_saturating(sec, n, z, zs, frac, sat_domain):
    b = n.b
    pct = pct_tex(frac)
    no_weights = all(w == 0 for w in n.W)
    sec.add(Text("A saturated unit still learns, only slowly: its gradient is small, not zero. A fraction ", pct,
                 " of the domain lies in the non-saturated slab."))
    b_inside = bool(abs(b) < zs)
    decay = Text("Weight decay shrinks W, so z tends to the bias ", Tex(f"b = {tex(b)}"), ", which lies ",
                 "inside the slab (" if b_inside else "outside the slab (",
                 Tex(r"|b| < z_{\mathrm{sat}}" if b_inside else r"|b| \ge z_{\mathrm{sat}}"), "): ",
                 "decay pulls the unit out of saturation." if b_inside else
                 "decay alone does not bring it out of saturation.")
    if sat_domain:
        sec.add(Text("No input of the domain reaches the slab"
                     + (" (every weight is 0, so z = b everywhere)" if no_weights else "")
                     + ": every sample gives only a tiny gradient, and the unit creeps out of saturation very slowly, "
                     "or not at all if the loss pushes z further out."), decay)
        sec.add(Text("Verdict: it learns, but very slowly. Remedies: shrink the pre-activation (weight decay, a "
                     "smaller initialization, normalized inputs or batch normalization) or use a ReLU-type "
                     "activation."))
    else:
        sec.add(Text("Samples in the slab give gradients of normal size, so the unit keeps learning from them."),
                decay)
        sec.add(Text("Verdict: yes, it can learn. ",
                     *(("Saturation slows learning on this sample (", Tex(r"|z| " + approx_tex(abs(z))),
                        " against ", Tex(r"z_{\mathrm{sat}} " + approx_tex(zs)), ") but does not stop it.")
                       if abs(z) >= zs else
                       ("This sample is not saturated (", Tex(r"|z| " + approx_tex(abs(z))), " against ",
                        Tex(r"z_{\mathrm{sat}} " + approx_tex(zs)), ")."))))


def _figure(n, z, y, dydz):
    act = n.activation
    w = max(act.half_width, 1.3 * abs(float(z)))
    a = num(n.slope) if n.slope is not None else "0"
    data = {
        "xmin": num(-w), "xmax": num(w),
        # pgfplots expressions are symdl's own constants (no spec text): pass them as TeX
        "f": Tex(act.plot.replace("{a}", a)),
        "df": [{"from": num(-w if lo is None else lo), "to": num(w if hi is None else hi),
                "expr": Tex(expr.replace("{a}", a))} for lo, hi, expr in act.plot_derivative],
        "z": num(z), "y": num(y), "dydz": num(dydz),
        "zsat": num(saturation_z(act, n.threshold)) if n.threshold is not None else None,
        "name": act.title,
    }
    return Figure("activation", data, caption=f"The {act.title} (solid) and its derivative (dashed); "
                                              "the dots mark this sample.")


# -------------------------------------------------------------------- independent ---

def independent(question) -> dict:
    """Every answer again: z, y, the gradients, the box's extremes, z_sat and (up to 8 inputs) the active
    fraction exact or at 50 digits (neuron_check, neuron_volume); past 8 inputs the fraction in floats."""
    n = read(question)
    name = n.activation.name
    W = np.array([float(v) for v in n.W])
    b = float(n.b)
    out = local_answers(n)      # z, y, dy/dz, gradients, dead, saturated: exact / mpmath, no float64
    lows = np.array([float(v) for v in n.lows])
    highs = np.array([float(v) for v in n.highs])
    out.update(domain_answers(n))   # extremes over the box and the witness, exact
    zmax, zmin = out["domain.z_max"], out["domain.z_min"]
    if name == "identity":
        out["active_fraction"] = 1.0
        out["dead_on_domain"] = False
        return out
    if name in ("relu", "leaky_relu"):
        # P(z > 0): the distribution of z = b + sum W_i x_i, x uniform on the box (exact up to 8 inputs)
        exact_fraction = active_fraction(n)
        out["active_fraction"] = (exact_fraction if exact_fraction is not None
                                  else 1.0 - float_below(W, lows, highs, b, 0.0))
        out["dead_on_domain"] = bool(zmax <= 0) if name == "relu" else False
        return out
    zsat_hp = saturation_point(name, n.threshold)      # bisection at 50 digits
    zsat = float(zsat_hp)
    out["saturation_z"] = sp.Float(zsat_hp, 50)
    exact_fraction = active_fraction(n, zsat_hp)
    out["active_fraction"] = (exact_fraction if exact_fraction is not None else
                              float_below(W, lows, highs, b, zsat) - float_below(W, lows, highs, b, -zsat))
    out["saturated_on_domain"] = bool(float(zmin) >= zsat or float(zmax) <= -zsat)
    return out


def fourier_below(c, r):
    """P(sum_i c_i U_i < r), U uniform on [0,1], c_i > 0, by inverting the characteristic function.

    Centred at mu = sum c / 2 the sum has the real characteristic function
    psi(t) = prod_i sinc(c_i t / 2), and P(S < r) = 1/2 + (1/pi) int_0^inf sin(t (r - mu)) psi(t) / t dt
    (Gil-Pelaez). The integrand decays like t^-(k+1): used for many inputs (k >= 9), where it
    converges fast; composite Gauss-Legendre on [0, T] with T past where |psi| < 1e-15.
    """
    c = np.asarray(c, dtype=float)
    mu = c.sum() / 2
    d = r - mu
    if abs(d) >= mu:
        return 1.0 if d > 0 else 0.0
    T = 1.0
    while np.sum(np.log(np.minimum(1.0, 2.0 / (c * T)))) > math.log(1e-15):
        T *= 1.5
    width = 0.25 * math.pi / max(abs(d), c.max() / 2)
    n = min(int(math.ceil(T / width)), 200_000)
    nodes, weights = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(0.0, T, n + 1)
    mid, half = (edges[1:] + edges[:-1]) / 2, (edges[1:] - edges[:-1]) / 2
    total = 0.0
    for start in range(0, n, 4096):
        t = (mid[start:start + 4096, None] + half[start:start + 4096, None] * nodes[None, :]).ravel()
        psi = np.ones_like(t)
        for ci in c:
            psi *= np.sinc(ci * t / (2 * math.pi))
        f = np.sin(t * d) / t * psi
        total += float(np.sum((f.reshape(-1, 16) * weights[None, :]) * half[start:start + 4096, None]))
    return min(1.0, max(0.0, 0.5 + total / math.pi))


def float_below(W, lows, highs, b, t):
    """P(W.x + b < t) for x uniform on the box, in floats: piecewise polynomials (few inputs) or Fourier."""
    c = [abs(Wi) * (hi - lo) for Wi, lo, hi in zip(W, lows, highs) if Wi != 0]
    if len(c) <= 8:
        return float_cdf(W, lows, highs, b, t)
    z_max = b + float(np.sum(np.maximum(W * lows, W * highs)))
    return 1.0 - fourier_below(c, z_max - t)


def float_cdf(W, lows, highs, b, t):
    """P(W.x + b <= t) for x uniform on the box, by convolving piecewise polynomials in floats.

    Each term W_i x_i is uniform on an interval; the density of the sum is built term by
    term (the CDF of a sum with one more uniform term is a moving average of the previous
    CDF), every piece kept as an exact numpy polynomial on its interval.
    """
    from numpy.polynomial import Polynomial as P

    # start: the constant b, CDF = step at b
    breaks = [float(b)]
    pieces = [P([0.0]), P([1.0])]        # pieces[j] on [breaks[j-1], breaks[j])
    shifts = [tuple(sorted((Wi * lo, Wi * hi))) for Wi, lo, hi in zip(W, lows, highs) if Wi != 0]
    for index, (a0, a1) in enumerate(shifts):
        # later terms only ever ask for this CDF at s <= t - (their lower ends): drop breaks past that
        limit = t - sum(s0 for s0, _ in shifts[index + 1:])
        width = a1 - a0
        # G_new(s) = (1/width) * int_{s - a1}^{s - a0} G(u) du = (H(s - a0) - H(s - a1)) / width
        H = []
        acc = 0.0
        for j, p in enumerate(pieces):
            q = p.integ()
            left = breaks[j - 1] if j > 0 else None
            if left is None:
                H.append(P([0.0]))      # G = 0 below the first break, so H = 0 there
                continue
            value_left = acc
            H.append(q - q(left) + value_left)
            if j < len(breaks):
                acc = H[-1](breaks[j])
        new_breaks = sorted(set([bk + a0 for bk in breaks] + [bk + a1 for bk in breaks]))

        def piece_at(s, shift):
            u = s - shift
            j = int(np.searchsorted(breaks, u, side="right"))
            return H[j], j

        new_pieces = []
        points = [new_breaks[0] - 1.0] + [(new_breaks[i] + new_breaks[i + 1]) / 2
                                          for i in range(len(new_breaks) - 1)] + [new_breaks[-1] + 1.0]
        for s in points:
            h0, j0 = piece_at(s, a0)
            h1, j1 = piece_at(s, a1)
            if j0 == 0 and j1 == 0:
                new_pieces.append(P([0.0]))
                continue
            shifted0 = h0(P([-a0, 1.0])) if j0 else P([0.0])
            shifted1 = h1(P([-a1, 1.0])) if j1 else P([0.0])
            new_pieces.append((shifted0 - shifted1) / width)
        # beyond the last break the CDF is 1 (H is linear there: the difference is exact)
        keep = int(np.searchsorted(new_breaks, limit, side="right")) + 1
        breaks, pieces = new_breaks[:keep], new_pieces[:keep + 1]
    j = int(np.searchsorted(breaks, t, side="right"))
    return float(min(1.0, max(0.0, pieces[j](t))))
