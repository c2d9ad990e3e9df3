"""The neuron kind's ``update`` field: one optimizer step after the backward pass (SGD, momentum, Adam),
its hyperparameters and the optimizer's state before the step, read exactly."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp

from symdl.errors import LatexError
from symdl.latex_parse import parse_matrix, parse_number

RULES = ("sgd", "momentum", "adam")
# the keys each rule takes; PyTorch's defaults where it has them (Adam's betas and eps, no weight decay)
KEYS = {
    "sgd": {"rule", "lr", "weight_decay", "part"},
    "momentum": {"rule", "lr", "weight_decay", "part", "momentum", "velocity"},
    "adam": {"rule", "lr", "weight_decay", "part", "beta1", "beta2", "eps", "step", "m", "v"},
}
STATES = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}


@dataclass
class Update:
    """One optimizer step: the rule, its hyperparameters (exact), the state before the step per
    parameter ({"velocity": {"W": Matrix, "b": value}} ...), the step number t it is, its part."""

    rule: str
    lr: object
    weight_decay: object = sp.Integer(0)
    momentum: object = None
    beta1: object = sp.Rational(9, 10)
    beta2: object = sp.Rational(999, 1000)
    eps: object = sp.Rational(1, 10 ** 8)
    t: int = 1
    state: dict = field(default_factory=dict)
    part: str | None = None


def read_update(question, D):
    """The ``update`` table as an Update (None without one); errors name ``update.<key>``."""
    table = question.fields.get("update")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise question.error("update", "expected a table such as { rule = \"sgd\", lr = 0.1 }")
    rule = table.get("rule")
    if rule not in RULES:
        raise question.error("update.rule", f"unknown rule {rule!r} (known: {', '.join(RULES)})")
    for key in table:
        if key not in KEYS[rule]:
            raise question.error(f"update.{key}", f"not a setting of the {rule} rule "
                                                  f"(known: {', '.join(sorted(KEYS[rule]))})")
    u = Update(rule, _number(question, table, "lr", None, positive=True))
    u.weight_decay = _number(question, table, "weight_decay", sp.Integer(0))
    if rule == "momentum":
        u.momentum = _number(question, table, "momentum", None)
        if not 0 <= u.momentum < 1:
            raise question.error("update.momentum", "the momentum must lie in [0, 1)")
    if rule == "adam":
        u.beta1, u.beta2 = (_number(question, table, k, getattr(u, k)) for k in ("beta1", "beta2"))
        u.eps = _number(question, table, "eps", u.eps, positive=True)
        for key in ("beta1", "beta2"):
            if not 0 <= getattr(u, key) < 1:
                raise question.error(f"update.{key}", f"{key} must lie in [0, 1)")
        steps = table.get("step", 0)
        if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps < 10 ** 6:
            raise question.error("update.step", "expected the number of steps already taken (an integer >= 0)")
        u.t = steps + 1
    if u.weight_decay < 0:
        raise question.error("update.weight_decay", "the weight decay must not be negative")
    u.state = {name: _state(question, table, name, D) for name in STATES[rule]}
    part = table.get("part")
    if part is not None and part not in question.parts:
        raise question.error("update.part", f"no part {part!r} in the question")
    u.part = part
    return u


def _number(question, table, key, default, positive=False):
    if key not in table:
        if default is None:
            raise question.error(f"update.{key}", "missing")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise question.error(f"update.{key}", "expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise question.error(f"update.{key}", "not a finite number")
    try:
        number = parse_number(value)
    except LatexError as exc:
        raise question.error(f"update.{key}", exc.message) from None
    if positive and not number > 0:
        raise question.error(f"update.{key}", "must be positive")
    return number


def _state(question, table, name, D):
    """The state ``name`` before the step: { W = vector, b = number }, zeros when not given."""
    given = table.get(name, {})
    if not isinstance(given, dict) or set(given) - {"W", "b"}:
        raise question.error(f"update.{name}", "expected a table { W = ..., b = ... }")
    out = {"W": sp.zeros(D, 1), "b": sp.Integer(0)}
    for key in ("W", "b"):
        if key not in given:
            continue
        try:
            m = parse_matrix(given[key])
        except LatexError as exc:
            raise question.error(f"update.{name}.{key}", exc.message) from None
        want = D if key == "W" else 1
        if len(m) != want or (m.rows != 1 and m.cols != 1):
            raise question.error(f"update.{name}.{key}", f"expected {want} number{'s' if want > 1 else ''}")
        out[key] = sp.Matrix(m).reshape(D, 1) if key == "W" else m[0]
    if name == "v" and any(v < 0 for v in list(out["W"]) + [out["b"]]):
        raise question.error("update.v", "Adam's second moment cannot be negative")
    return out
