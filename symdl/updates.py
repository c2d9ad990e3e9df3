"""One optimizer step after a backward pass: SGD, momentum and Adam (PyTorch's forms), exact.

Each rule: its settings with their defaults, the state it carries per parameter, the exact step
``step(theta, grad, state, settings) -> (new theta, new state)`` on SymPy matrices, and the
display form of each updated quantity (str.format templates; fields named below).

- sgd:      theta' = theta - lr g
- momentum: v' = mu v + g;  theta' = theta - lr v'                        (torch.optim.SGD)
- adam:     m' = b1 m + (1 - b1) g;  v' = b2 v + (1 - b2) g^2;  t' = t + 1;
            theta' = theta - lr (m' / (1 - b1^t')) / (sqrt(v' / (1 - b2^t')) + eps)   (torch.optim.Adam)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

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


def _adam(theta, g, state, s):
    b1, b2, t = s["beta1"], s["beta2"], s["step"] + 1
    m = sympy.ImmutableMatrix(b1 * state["m"] + (1 - b1) * g)
    v = _map2(lambda old, gk: b2 * old + (1 - b2) * gk**2, state["v"], g)
    new = _map2(lambda th, mk, vk: th - s["lr"] * (mk / (1 - b1**t)) / (sympy.sqrt(vk / (1 - b2**t)) + s["eps"]),
                theta, m, v)
    return new, {"m": m, "v": v}


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
