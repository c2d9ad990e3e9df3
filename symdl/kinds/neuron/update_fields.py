"""The neuron kind's ``update`` field: optimizer steps after the backward pass (every rule of
symdl.ops.updates), its hyperparameters, the number of steps and the optimizer's state before the first
step, read exactly."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy as sp

from symdl.ops import updates
from symdl.errors import LatexError
from symdl.input.latex import parse_matrix, parse_number

RULES = tuple(updates.RULES)
# the keys each rule takes; PyTorch's defaults where it has them
KEYS = {name: {"rule", "part", "steps", "groups", *rule.settings, *rule.state} for name, rule in updates.RULES.items()}
STATES = {name: rule.state for name, rule in updates.RULES.items()}


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
    settings: dict = field(default_factory=dict)     # every setting of the rule, for symdl.ops.updates
    steps: int = 1
    groups: dict = field(default_factory=dict)       # "W" or "b" -> its group's settings (over settings)

    def of(self, name):
        """The settings of parameter ``name`` ("W" or "b"): its group's, else the table's."""
        return self.groups.get(name, self.settings)

    @property
    def classic(self) -> bool:
        """One step of SGD, momentum (PyTorch's, no dampening or Nesterov) or Adam: worked in full."""
        return (self.steps == 1 and self.rule in ("sgd", "momentum", "adam") and not self.groups
                and not self.settings.get("dampening") and not self.settings.get("nesterov"))


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
    if rule in ("adam", "adamw"):
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
    _generic(question, table, u)
    u.state = {name: _state(question, table, name, D) for name in STATES[rule]}
    if rule in ("momentum", "nesterov") and "velocity" not in table and (u.steps > 1 or not u.classic):
        u.state["velocity"] = None          # PyTorch starts the buffer from the first gradient
    part = table.get("part")
    if part is not None and part not in question.parts:
        raise question.error("update.part", f"no part {part!r} in the question")
    u.part = part
    return u


def _generic(question, table, u):
    """Every setting of the rule (defaults of symdl.ops.updates for those the classic fields do not read), the
    number of steps; each in range."""
    rule = updates.RULES[u.rule]
    read = {"lr", "weight_decay"} | ({"beta1", "beta2", "eps"} if u.rule in ("adam", "adamw") else set()) \
        | ({"momentum"} if u.rule == "momentum" else set())     # read by read_update, with its own checks
    s = dict(rule.fixed)
    for key, default in rule.settings.items():
        if key in updates.FLAGS:
            value = table.get(key, default)
            if not isinstance(value, bool):
                raise question.error(f"update.{key}", "expected true or false")
        elif key == "step":
            value = sp.Integer(u.t - 1)
        elif key in read:
            value = getattr(u, key)
        else:
            value = _number(question, table, key, default, positive=key == "eps")
            problem = updates.out_of_range(key, value)
            if problem:
                raise question.error(f"update.{key}", problem)
        s[key] = value
    if u.rule == "adamw" and "weight_decay" not in table:
        s["weight_decay"] = rule.settings["weight_decay"]
    clash = updates.inconsistent(rule, s)
    if clash:
        raise question.error(f"update.{clash[0]}", clash[1])
    u.settings = s
    u.groups = _groups(question, table, rule, s)
    steps = _number(question, table, "steps", sp.Integer(1))
    problem = updates.out_of_range("steps", steps)
    if problem:
        raise question.error("update.steps", problem)
    u.steps = int(steps)


def _groups(question, table, rule, base):
    """Parameter groups, as PyTorch's: [{ params = ["b"], weight_decay = 0 }], each over the table's settings."""
    groups = table.get("groups", [])
    if not isinstance(groups, list) or any(not isinstance(g, dict) for g in groups):
        raise question.error("update.groups", "expected a list of tables such as { params = [\"b\"], weight_decay = 0 }")
    out = {}
    for k, group in enumerate(groups):
        where = f"update.groups[{k}]"
        params = group.get("params")
        if not isinstance(params, list) or not params or any(p not in ("W", "b") for p in params):
            raise question.error(f"{where}.params", "expected a list of the parameters, W and/or b")
        s = dict(base)
        for key, value in group.items():
            if key == "params":
                continue
            if key not in rule.settings or key == "step":
                raise question.error(f"{where}.{key}", f"not a setting of a group (known: params, "
                                     f"{', '.join(sorted(set(rule.settings) - {'step'}))})")
            if key in updates.FLAGS:
                if not isinstance(value, bool):
                    raise question.error(f"{where}.{key}", "expected true or false")
                s[key] = value
                continue
            try:
                s[key] = parse_number(value) if not isinstance(value, bool) else None
            except LatexError as exc:
                raise question.error(f"{where}.{key}", exc.message) from None
            problem = updates.out_of_range(key, s[key]) if s[key] is not None else "expected a number"
            if problem or (key in ("eps", "lr") and not s[key] > 0):
                raise question.error(f"{where}.{key}", problem or "must be positive")
        clash = updates.inconsistent(rule, s)
        if clash:
            raise question.error(f"{where}.{clash[0]}", clash[1])
        for p in params:
            if p in out:
                raise question.error(f"{where}.params", f"'{p}' is already in an earlier group")
            out[p] = s
    return out


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
    if name in ("v", "sum", "s") and any(v < 0 for v in list(out["W"]) + [out["b"]]):
        raise question.error(f"update.{name}", "a running sum or mean of squares cannot be negative")
    return out
