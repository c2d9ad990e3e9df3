"""One optimizer step after a backward pass: SGD, momentum and Adam (PyTorch's forms), exact.

Each rule: its settings with their defaults, the state it carries per parameter, the exact step
``step(theta, grad, state, settings) -> (new theta, new state)`` on SymPy matrices, and the
display form of each updated quantity (str.format templates; fields named below).

- sgd:      theta' = theta - lr g
- momentum: v' = mu v + g;  theta' = theta - lr v'                        (torch.optim.SGD)
- adam:     m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2;  t' = t + 1;
            theta' = theta - lr (m' / (1 - b1^t')) / (sqrt(v' / (1 - b2^t')) + eps)   (torch.optim.Adam)

RANGES holds each setting's range (a kind refuses a setting outside it, naming update.<key>);
Adam's b^t past 64 steps is a BiasPower, exact and unexpanded, evaluated only where a number is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import mpmath
import sympy


def _map2(f, *matrices):
    first = matrices[0]
    return sympy.ImmutableMatrix(first.rows, first.cols,
                                 [f(*[m[k] for m in matrices]) for k in range(len(first))])


def _sgd(theta, g, state, s):
    return sympy.ImmutableMatrix(theta - s["lr"] * g), {}


def _momentum(theta, g, state, s):
    v = sympy.ImmutableMatrix(s["momentum"] * state["velocity"] + g)
    return sympy.ImmutableMatrix(theta - s["lr"] * v), {"velocity": v}


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


def _adam(theta, g, state, s):
    b1, b2, t = s["beta1"], s["beta2"], s["step"] + 1
    m = sympy.ImmutableMatrix(b1 * state["m"] + (1 - b1) * g)
    v = _map2(lambda old, gk: b2 * old + (1 - b2) * gk**2, state["v"], g)
    c1, c2 = 1 - bias_power(b1, t), 1 - bias_power(b2, t)
    new = _map2(lambda th, mk, vk: th - s["lr"] * (mk / c1) / (sympy.sqrt(vk / c2) + s["eps"]), theta, m, v)
    return new, {"m": m, "v": v}


MAX_STEP = 10**6          # steps already taken: beyond a million no exam needs, and the bias power is 0 or 1

# Each setting's range: (holds, what the error says). eps = 0 is allowed where no second moment is 0.
RANGES = {
    "lr": (lambda v: v > 0, "the learning rate must be positive"),
    "momentum": (lambda v: 0 <= v < 1, "the momentum must lie in [0, 1)"),
    "beta1": (lambda v: 0 <= v < 1, "beta1 must lie in [0, 1) (at 1 the bias correction 1 - beta1^t is 0)"),
    "beta2": (lambda v: 0 <= v < 1, "beta2 must lie in [0, 1) (at 1 the bias correction 1 - beta2^t is 0)"),
    "eps": (lambda v: v >= 0, "eps must not be negative"),
    "step": (lambda v: v.is_integer and 0 <= v < MAX_STEP,
             f"expected the number of steps already taken: a whole number from 0 to {MAX_STEP - 1}"),
}


def out_of_range(key, value):
    """What is wrong with setting ``key`` = ``value`` (an exact number), or None when it is in range."""
    holds, words = RANGES.get(key, (lambda v: True, ""))
    try:
        ok = value.is_real and bool(holds(value))
    except TypeError:
        ok = False
    return None if ok else words


@dataclass(frozen=True)
class Rule:
    name: str
    words: str
    settings: dict                # name -> default (None: required)
    state: tuple                  # per-parameter state, zeros unless given
    step: Callable
    display: dict = field(default_factory=dict)   # quantity -> template: {theta} {grad} {lr} {mu} {b1} {b2} {eps} {t} {old} {m} {v}


RULES = {
    "sgd": Rule("sgd", "stochastic gradient descent", {"lr": None}, (), _sgd,
                {"theta": r"{theta} - {lr}\, {grad}"}),
    "momentum": Rule("momentum", "SGD with momentum", {"lr": None, "momentum": sympy.Rational(9, 10)},
                     ("velocity",), _momentum,
                     {"velocity": r"{mu}\, {old} + {grad}", "theta": r"{theta} - {lr}\, {v}"}),
    "adam": Rule("adam", "Adam", {"lr": None, "beta1": sympy.Rational(9, 10), "beta2": sympy.Rational(999, 1000),
                                  "eps": sympy.Rational(1, 10**8), "step": sympy.Integer(0)},
                 ("m", "v"), _adam,
                 {"m": r"{b1}\, {old} + (1 - {b1})\, {grad}", "v": r"{b2}\, {old} + (1 - {b2})\, {grad}^{{2}}",
                  "theta": r"{theta} - {lr}\, \frac{{{m} / (1 - {b1}^{{{t}}})}}{{\sqrt{{{v} / (1 - {b2}^{{{t}}})}} + {eps}}}"}),
}
