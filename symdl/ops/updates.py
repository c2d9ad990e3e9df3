"""Optimizer steps after a backward pass, exact: PyTorch's SGD (momentum, dampening, Nesterov), the
classic momentum form, Adagrad, RMSProp, Adam and AdamW.

Each rule: its settings with their defaults, the state it carries per parameter, the exact step
``step(theta, grad, state, settings, t) -> (new theta, new state, shown)`` on SymPy matrices (``t``
the step number, 1 for the first step an optimizer takes; ``shown`` every quantity of the step in the
order it is computed, the new state and theta among them), and the display form of each quantity
(str.format templates; fields named below).

- sgd:      g = grad + wd theta;  theta' = theta - lr g                                      (torch.optim.SGD)
- momentum: v' = mu v + (1 - dampening) g (v' = g on an optimizer's first step, no velocity given);
            theta' = theta - lr v', or with nesterov theta' = theta - lr (g + mu v')          (torch.optim.SGD)
- nesterov: momentum with nesterov = true
- classic:  v' = mu v - lr g;  theta' = theta + v'                   (Sutskever et al., CS231n's form);
            with nesterov the gradient is taken at the look-ahead point theta + mu v
- adagrad:  G' = G + g^2;  theta' = theta - lr g / (sqrt(G') + eps)                      (torch.optim.Adagrad)
- rmsprop:  s' = alpha s + (1 - alpha) g^2;  centered: m' = alpha m + (1 - alpha) g, d = sqrt(s' - m'^2) + eps,
            else d = sqrt(s') + eps;  with momentum v' = mu v + g / d, theta' = theta - lr v',
            else theta' = theta - lr g / d                                              (torch.optim.RMSprop)
- adam:     g = grad + wd theta (L2);  m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2;
            m^ = m' / (1 - b1^t);  v^ = v' / (1 - b2^t);  theta' = theta - lr m^ / (sqrt(v^) + eps)  (torch.optim.Adam)
- adamw:    theta is first shrunk, theta (1 - lr wd) (decoupled weight decay), then Adam's step from
            the plain gradient                                                           (torch.optim.AdamW)

RANGES holds each setting's range (a kind refuses a setting outside it, naming update.<key>);
Adam's b^t past 64 steps is a BiasPower, exact and unexpanded, evaluated only where a number is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import mpmath
import sympy

from symdl.notation.display import GraphFormula
from symdl.grading.policy import policy_of
from symdl.solution import Tex

HALF, ZERO = sympy.Rational(1, 2), sympy.Integer(0)


def _map2(f, *matrices):
    first = matrices[0]
    return sympy.ImmutableMatrix(first.rows, first.cols,
                                 [f(*[m[k] for m in matrices]) for k in range(len(first))])


def _decayed(theta, g, s, shown):
    """The gradient with L2 weight decay added (shown as g when the decay is not 0)."""
    if not s.get("weight_decay"):
        return g
    g = sympy.ImmutableMatrix(g + s["weight_decay"] * theta)
    shown["g"] = g
    return g


def _sgd(theta, g, state, s, t):
    shown = {}
    g = _decayed(theta, g, s, shown)
    shown["theta"] = sympy.ImmutableMatrix(theta - s["lr"] * g)
    return shown["theta"], {}, shown


def _momentum(theta, g, state, s, t):
    shown = {}
    g = _decayed(theta, g, s, shown)
    old = state.get("velocity")
    v = g if old is None else sympy.ImmutableMatrix(s["momentum"] * old + (1 - s["dampening"]) * g)
    shown["velocity"] = v
    if s["nesterov"]:
        shown["d"] = sympy.ImmutableMatrix(g + s["momentum"] * v)
        v = shown["d"]
    shown["theta"] = sympy.ImmutableMatrix(theta - s["lr"] * v)
    return shown["theta"], {"velocity": shown["velocity"]}, shown


def lookahead(rule, theta, state, s):
    """Where the gradient of a step is taken: the look-ahead point theta + mu v of the classic Nesterov
    form (Sutskever et al.: v' = mu v - lr grad f(theta + mu v)), else theta itself."""
    if rule.name == "classic" and s.get("nesterov"):
        return sympy.ImmutableMatrix(theta + s["momentum"] * state["velocity"])
    return theta


def _classic(theta, g, state, s, t):
    shown = {}
    if s.get("nesterov"):
        shown["ahead"] = lookahead(RULES["classic"], theta, state, s)
    g = _decayed(theta, g, s, shown)
    v = sympy.ImmutableMatrix(s["momentum"] * state["velocity"] - s["lr"] * g)
    shown["velocity"], shown["theta"] = v, sympy.ImmutableMatrix(theta + v)
    return shown["theta"], {"velocity": v}, shown


def _adagrad(theta, g, state, s, t):
    shown = {}
    g = _decayed(theta, g, s, shown)
    total = _map2(lambda old, gk: old + gk**2, state["sum"], g)
    shown["sum"] = total
    shown["theta"] = _map2(lambda th, gk, G: th - s["lr"] * gk / (sympy.sqrt(G) + s["eps"]), theta, g, total)
    return shown["theta"], {"sum": total}, shown


def _rmsprop(theta, g, state, s, t):
    shown, new = {}, {}
    g = _decayed(theta, g, s, shown)
    a = s["alpha"]
    sq = _map2(lambda old, gk: a * old + (1 - a) * gk**2, state["s"], g)
    shown["s"] = new["s"] = sq
    if s["centered"]:
        mean = _map2(lambda old, gk: a * old + (1 - a) * gk, state["m"], g)
        shown["m"] = new["m"] = mean
        denom = _map2(lambda sk, mk: sympy.sqrt(sk - mk**2) + s["eps"], sq, mean)
    else:
        denom = _map2(lambda sk: sympy.sqrt(sk) + s["eps"], sq)
    if s["momentum"]:
        v = _map2(lambda old, gk, d: s["momentum"] * old + gk / d, state["velocity"], g, denom)
        shown["velocity"] = new["velocity"] = v
        shown["theta"] = sympy.ImmutableMatrix(theta - s["lr"] * v)
    else:
        shown["theta"] = _map2(lambda th, gk, d: th - s["lr"] * gk / d, theta, g, denom)
    return shown["theta"], new, shown


class BiasPower(sympy.Function):
    """beta^t of Adam's bias correction, exact but never expanded: at t = 10001 the rational 0.9^t
    has ten thousand digits, and a square root of a quotient of such numbers sends SymPy to factor
    them (minutes). It is evaluated (mpmath, to the precision asked) only where a number is needed,
    and printed as the power it is."""

    is_extended_real = True
    is_finite = True

    @classmethod
    def eval(cls, beta, t):
        return None             # never expanded

    def _eval_is_positive(self):
        return bool(self.args[0] > 0)

    def _eval_is_zero(self):
        return bool(self.args[0] == 0)

    def _eval_evalf(self, prec):
        beta, t = self.args
        with mpmath.workprec(prec + 20):
            value = mpmath.power(mpmath.mpf(int(beta.p)) / int(beta.q), int(t))
        return sympy.Float(value, precision=prec)

    def _latex(self, printer):
        return printer._print(sympy.Pow(*self.args, evaluate=False))


def bias_power(beta, t):
    """beta^t, exact: a rational for a few steps, else a BiasPower left unexpanded."""
    return beta ** t if t <= 64 or beta in (0, 1) else BiasPower(beta, t)


def _adam(theta, g, state, s, t):
    shown = {}
    if s["decoupled"]:
        shown["shrink"] = 1 - s["lr"] * s["weight_decay"]
        theta = shown["shrunk"] = sympy.ImmutableMatrix(shown["shrink"] * theta)
    else:
        g = _decayed(theta, g, s, shown)
    b1, b2 = s["beta1"], s["beta2"]
    m = shown["m"] = sympy.ImmutableMatrix(b1 * state["m"] + (1 - b1) * g)
    v = shown["v"] = _map2(lambda old, gk: b2 * old + (1 - b2) * gk**2, state["v"], g)
    c1, c2 = 1 - bias_power(b1, t), 1 - bias_power(b2, t)
    m_hat = shown["m_hat"] = _map2(lambda mk: mk / c1, m)
    v_hat = shown["v_hat"] = _map2(lambda vk: vk / c2, v)
    shown["theta"] = _map2(lambda th, mk, vk: th - s["lr"] * mk / (sympy.sqrt(vk) + s["eps"]), theta, m_hat, v_hat)
    return shown["theta"], {"m": m, "v": v}, shown


MAX_STEP = 10**6          # steps already taken: beyond a million no exam needs, and the bias power is 0 or 1
MAX_STEPS = 100           # steps asked for in one question: a trajectory an exam prints

# Each setting's range: (holds, what the error says). eps = 0 is allowed where no second moment is 0.
RANGES = {
    "lr": (lambda v: v > 0, "the learning rate must be positive"),
    "momentum": (lambda v: 0 <= v < 1, "the momentum must lie in [0, 1)"),
    "dampening": (lambda v: 0 <= v <= 1, "the dampening must lie in [0, 1]"),
    "weight_decay": (lambda v: v >= 0, "the weight decay must not be negative"),
    "alpha": (lambda v: 0 <= v < 1, "alpha must lie in [0, 1)"),
    "beta1": (lambda v: 0 <= v < 1, "beta1 must lie in [0, 1) (at 1 the bias correction 1 - beta1^t is 0)"),
    "beta2": (lambda v: 0 <= v < 1, "beta2 must lie in [0, 1) (at 1 the bias correction 1 - beta2^t is 0)"),
    "eps": (lambda v: v >= 0, "eps must not be negative"),
    "step": (lambda v: v.is_integer and 0 <= v < MAX_STEP,
             f"expected the number of steps already taken: a whole number from 0 to {MAX_STEP - 1}"),
    "steps": (lambda v: v.is_integer and 1 <= v <= MAX_STEPS,
              f"expected the number of steps to take: a whole number from 1 to {MAX_STEPS}"),
}
FLAGS = ("nesterov", "centered", "decoupled")     # settings that are true or false


def out_of_range(key, value):
    """What is wrong with setting ``key`` = ``value`` (an exact number), or None when it is in range."""
    holds, words = RANGES.get(key, (lambda v: True, ""))
    try:
        ok = value.is_real and bool(holds(value))
    except TypeError:
        ok = False
    return None if ok else words


def inconsistent(rule, s):
    """What is wrong with a rule's settings taken together (PyTorch refuses the same), or None."""
    if s.get("nesterov") and (not s["momentum"] or s.get("dampening")):
        return "nesterov", "Nesterov momentum needs a momentum above 0 and no dampening"
    return None


def states(rule, s):
    """The state a rule carries with settings ``s``: names, in the order they are computed."""
    if rule.name == "rmsprop":
        return ("s",) + (("m",) if s["centered"] else ()) + (("velocity",) if s["momentum"] else ())
    return rule.state


@dataclass(frozen=True)
class Rule:
    name: str
    words: str
    settings: dict                # name -> default (None: required)
    state: tuple                  # per-parameter state, zeros unless given
    step: Callable
    display: dict = field(default_factory=dict)   # quantity -> template (fields: see DISPLAY_FIELDS)
    fixed: dict = field(default_factory=dict)     # settings the rule fixes (not read from the spec)


# Display fields: {theta} the parameter, {grad} its gradient, {g} the gradient used (decayed), {old} the
# quantity before the step, {new:<q>} a quantity of this step; settings {lr} {mu} {damp} {wd} {alpha}
# {b1} {b2} {eps} {t}.
_L2 = {"g": r"{grad} + {wd}\, {theta}"}
_SGD = dict(lr=None, weight_decay=ZERO)
_ADAM = dict(lr=None, beta1=sympy.Rational(9, 10), beta2=sympy.Rational(999, 1000), eps=sympy.Rational(1, 10**8),
             weight_decay=ZERO, step=ZERO)
_ADAM_SHOWN = {"m": r"{b1}\, {old} + (1 - {b1})\, {g}", "v": r"{b2}\, {old} + (1 - {b2})\, {g}^{{2}}",
               "m_hat": r"\frac{{{new:m}}}{{1 - {b1}^{{{t}}}}}", "v_hat": r"\frac{{{new:v}}}{{1 - {b2}^{{{t}}}}}",
               "theta": r"{theta} - {lr}\, \frac{{{new:m_hat}}}{{\sqrt{{{new:v_hat}}} + {eps}}}"}
_MOMENTUM = {**_L2, "velocity": r"{mu}\, {old} + (1 - {damp})\, {g}", "d": r"{g} + {mu}\, {new:velocity}",
             "theta": r"{theta} - {lr}\, {new:velocity}"}
_RULE_LIST = [
    Rule("sgd", "gradient descent", _SGD, (), _sgd, {**_L2, "theta": r"{theta} - {lr}\, {g}"}),
    Rule("momentum", "SGD with momentum", {**_SGD, "momentum": sympy.Rational(9, 10), "dampening": ZERO,
                                           "nesterov": False}, ("velocity",), _momentum, _MOMENTUM),
    Rule("nesterov", "SGD with Nesterov momentum", {**_SGD, "momentum": sympy.Rational(9, 10), "dampening": ZERO},
         ("velocity",), _momentum, {**_MOMENTUM, "theta": r"{theta} - {lr}\, {new:d}"}, {"nesterov": True}),
    Rule("classic", "momentum (classic form)", {**_SGD, "momentum": sympy.Rational(9, 10), "nesterov": False},
         ("velocity",), _classic, {**_L2, "ahead": r"{theta} + {mu}\, {old:velocity}",
                                   "velocity": r"{mu}\, {old} - {lr}\, {g}", "theta": r"{theta} + {new:velocity}"}),
    Rule("adagrad", "Adagrad", {**_SGD, "eps": sympy.Rational(1, 10**10)}, ("sum",), _adagrad,
         {**_L2, "sum": r"{old} + {g}^{{2}}", "theta": r"{theta} - {lr}\, \frac{{{g}}}{{\sqrt{{{new:sum}}} + {eps}}}"}),
    Rule("rmsprop", "RMSProp", {**_SGD, "alpha": sympy.Rational(99, 100), "eps": sympy.Rational(1, 10**8),
                                "momentum": ZERO, "centered": False}, ("s", "m", "velocity"), _rmsprop,
         {**_L2, "s": r"{alpha}\, {old} + (1 - {alpha})\, {g}^{{2}}", "m": r"{alpha}\, {old} + (1 - {alpha})\, {g}",
          "velocity": r"{mu}\, {old} + \frac{{{g}}}{{\sqrt{{{new:s}}} + {eps}}}",
          "theta": r"{theta} - {lr}\, \frac{{{g}}}{{\sqrt{{{new:s}}} + {eps}}}"}),
    Rule("adam", "Adam", _ADAM, ("m", "v"), _adam, {**_L2, **_ADAM_SHOWN}, {"decoupled": False}),
    Rule("adamw", "AdamW", {**_ADAM, "weight_decay": sympy.Rational(1, 100)}, ("m", "v"), _adam,
         {"shrink": r"1 - {lr} \cdot {wd}", "shrunk": r"(1 - {lr} \cdot {wd})\, {theta}", **_ADAM_SHOWN,
          "theta": r"{new:shrunk} - {lr}\, \frac{{{new:m_hat}}}{{\sqrt{{{new:v_hat}}} + {eps}}}"},
         {"decoupled": True}),
]
RULES = {rule.name: rule for rule in _RULE_LIST}


# what each quantity of a step is, in the words of the documents
WORDS = {"ahead": "look-ahead point, where the gradient is taken", "velocity": "velocity", "m": "first moment",
         "v": "second moment", "m_hat": "bias-corrected first moment", "v_hat": "bias-corrected second moment",
         "sum": "sum of squared gradients", "s": "running mean of squared gradients",
         "g": "gradient with weight decay (L2 penalty)", "d": "Nesterov direction",
         "shrink": "shrink factor (decoupled weight decay)", "shrunk": "shrunk value"}


def display(rule, quantity, s):
    """The display template of ``quantity`` under settings ``s`` (RMSProp's and Nesterov's variants)."""
    text = rule.display[quantity]
    if rule.name == "rmsprop":
        root = r"\sqrt{{{new:s} - {new:m}^{{2}}}}" if s["centered"] else r"\sqrt{{{new:s}}}"
        text = text.replace(r"\sqrt{{{new:s}}}", root)
        if quantity == "theta" and s["momentum"]:
            text = r"{theta} - {lr}\, {new:velocity}"
    if rule.name == "momentum" and s["nesterov"] and quantity == "theta":
        text = r"{theta} - {lr}\, {new:d}"
    if quantity == "velocity" and rule.name in ("momentum", "nesterov") and not s["dampening"]:
        text = r"{mu}\, {old} + {g}"
    return text


PREC = 60        # digits an irrational value is carried with into the next step


def settle(value):
    """A value as the next step takes it: exact when rational, else its number to PREC digits (so a
    step costs the same whatever came before it)."""
    if value is None:
        return None
    if not isinstance(value, sympy.MatrixBase):
        return value if isinstance(value, sympy.Rational) else sympy.Float(sympy.N(value, PREC), PREC)
    return sympy.ImmutableMatrix(value.rows, value.cols, [settle(e) for e in value])


def small(value):
    """A setting as a formula shows it: 10^{-8} for a small power of ten, else the number."""
    if isinstance(value, sympy.Rational) and value.p == 1 and value.q >= 10**4 and str(value.q).strip("0") == "1":
        return Tex("10^{-%d}" % (len(str(value.q)) - 1))
    return value


def formula(rule, quantity, s, names, first_buffer=False):
    """The display form of ``quantity`` under settings ``s`` as a GraphFormula: ``names`` gives the printed
    theta, grad, g, old and new:<quantity> pieces, the settings are put in as numbers."""
    text = "{g}" if quantity == "velocity" and first_buffer else display(rule, quantity, s)
    fields = {**names, "lr": s.get("lr"), "mu": s.get("momentum"), "damp": s.get("dampening"),
              "wd": s.get("weight_decay"), "alpha": s.get("alpha"), "b1": s.get("beta1"), "b2": s.get("beta2"),
              "eps": small(s["eps"]) if s.get("eps") is not None else None}
    keys = [k for k in fields if fields[k] is not None and "{" + k + "}" in text]
    for n, key in enumerate(keys):
        text = text.replace("{" + key + "}", "{%d}" % n)
    return GraphFormula(text, *[fields[k] for k in keys])


def grade_states(sol, question, part):
    """Every state after every step graded (not only the final values) when the part asking for the
    steps has the points for them: at least the policy's step per answer, as the graph kind grades
    every node's value."""
    total = question.points_of(part) if part is not None else None
    if total is None:
        return
    names = [n for n, a in sol.meta.items() if n.startswith("update.") and a.part == part and not a.final]
    finals = [a for a in sol.meta.values() if a.part == part and a.final]
    if (len(names) + len(finals)) * policy_of(question).step <= total:
        for name in names:
            sol.describe(name, graded=True)
