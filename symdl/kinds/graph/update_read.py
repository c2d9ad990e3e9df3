"""The graph kind's ``update`` table read and checked: the rule, its settings (per parameter group),
the optimizer's state before the first step, the number of steps and the gradients when given."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from symdl.ops import updates
from symdl.errors import SpecError

TABLE_KEYS = {"rule", "params", "steps", "grads", "groups"}


@dataclass
class Plan:
    """What the update asks: the rule, settings per parameter, the state before the first step (None
    where torch starts a buffer from the first gradient), the steps, the given gradients per step."""

    rule: updates.Rule
    params: list
    settings: dict                      # param -> {setting: value}
    state: dict                         # (state name, param) -> matrix or None
    steps: int = 1
    grads: dict = field(default_factory=dict)     # param -> [matrix per step] (empty: the function's)
    first: int = 1                      # the step number t of the first step (Adam: step + 1)


def read_update(question, inputs) -> Plan:
    """The ``update`` table as a Plan; every field checked, errors naming ``update.<field>``."""
    table = question.get("update", dict)
    name = table.get("rule")
    if name not in updates.RULES:
        raise question.error("update.rule", f"expected one of {', '.join(updates.RULES)}")
    rule = updates.RULES[name]
    known = TABLE_KEYS | set(rule.settings) | set(rule.state)
    for key in table:
        if key not in known:
            raise question.error(f"update.{key}", f"not a setting of {name} (known: {', '.join(sorted(known))})")
    params = _params(question, table.get("params", list(inputs)), inputs, "update.params")
    base = _settings(question, rule, table, "update", {})
    settings = {p: base for p in params}
    for k, group in enumerate(_groups(question, table)):
        where = f"update.groups[{k}]"
        for key in group:
            if key != "params" and key not in rule.settings:
                raise question.error(f"{where}.{key}", f"not a setting of {name} (known: params, "
                                     f"{', '.join(sorted(rule.settings))})")
        members = _params(question, group.get("params"), {p: 0 for p in params}, f"{where}.params")
        for p in members:
            if settings[p] is not base:
                raise question.error(f"{where}.params", f"'{p}' is already in an earlier group")
            settings[p] = _settings(question, rule, group, where, base)
    state = _state(question, rule, table, params, inputs, settings)
    steps = _number(question, table, "steps", "update.steps") if "steps" in table else sympy.Integer(1)
    problem = updates.out_of_range("steps", steps)
    if problem:
        raise question.error("update.steps", problem)
    plan = Plan(rule, params, settings, state, int(steps), first=int(base.get("step", 0)) + 1)
    if "grads" in table:
        plan.grads = _grads(question, table["grads"], params, inputs, plan.steps if "steps" in table else None)
        plan.steps = len(next(iter(plan.grads.values())))
    return plan


def _groups(question, table):
    groups = table.get("groups", [])
    if not isinstance(groups, list) or any(not isinstance(g, dict) for g in groups):
        raise question.error("update.groups", "expected a list of tables, each with its params and settings, "
                             "e.g. [{ params = [\"W\"], weight_decay = \"0.01\" }, { params = [\"b\"], "
                             "weight_decay = \"0\" }]")
    return groups


def _settings(question, rule, table, where, base):
    """The rule's settings from ``table`` over ``base`` (the defaults when empty), each in range."""
    out = dict(rule.fixed)
    for key, default in rule.settings.items():
        if key in table:
            if key in updates.FLAGS:
                if not isinstance(table[key], bool):
                    raise question.error(f"{where}.{key}", "expected true or false")
                out[key] = table[key]
                continue
            out[key] = _number(question, table, key, f"{where}.{key}")
        elif key in base:
            out[key] = base[key]
        elif default is None:
            raise question.error(f"{where}.{key}", "missing required field")
        else:
            out[key] = default
        problem = None if key in updates.FLAGS else updates.out_of_range(key, out[key])
        if problem:
            raise question.error(f"{where}.{key}", problem)
    clash = updates.inconsistent(rule, out)
    if clash:
        raise question.error(f"{where}.{clash[0]}", clash[1])
    return out


def _state(question, rule, table, params, inputs, settings):
    """The state before the first step: given, else zeros (None for torch's momentum buffer)."""
    state = {}
    for key in rule.state:
        given = table.get(key, {})
        if not isinstance(given, dict) or any(p not in params for p in given):
            raise question.error(f"update.{key}", "expected a table: one value per updated parameter")
        for p in params:
            if p not in given:
                starts = rule.name in ("momentum", "nesterov")
                state[(key, p)] = None if starts else sympy.ImmutableMatrix(sympy.zeros(*inputs[p].shape))
                continue
            value = _matrix(question, given, p, f"update.{key}.{p}")
            if value.shape != inputs[p].shape:
                raise question.error(f"update.{key}.{p}", f"shape {value.shape[0]}x{value.shape[1]} does not "
                                     f"match {p}")
            if key in ("v", "sum", "s") and any(not (entry.is_real and entry >= 0) for entry in value):
                raise question.error(f"update.{key}.{p}", "a running sum or mean of squares cannot be negative")
            state[(key, p)] = sympy.ImmutableMatrix(value)
    return state


def _grads(question, given, params, inputs, steps):
    """The gradients given per step: { W = ['...', '...'] }, one list per parameter, all as long."""
    if not isinstance(given, dict) or set(given) != set(params):
        raise question.error("update.grads", f"expected a table with a list of gradients (one per step) for "
                             f"each updated parameter ({', '.join(params)})")
    out = {}
    for p in params:
        where = f"update.grads.{p}"
        listed = given[p]
        if not isinstance(listed, list) or not listed:
            raise question.error(where, "expected a list: the gradient at each step")
        if len(listed) > updates.MAX_STEPS:
            raise question.error(where, f"at most {updates.MAX_STEPS} steps")
        out[p] = []
        for k, text in enumerate(listed):
            value = _matrix(question, {p: text}, p, f"{where}[{k}]")
            if value.shape != inputs[p].shape:
                raise question.error(f"{where}[{k}]", f"shape {value.shape[0]}x{value.shape[1]} does not match {p}")
            out[p].append(sympy.ImmutableMatrix(value))
    lengths = {len(v) for v in out.values()}
    if len(lengths) > 1 or (steps is not None and lengths != {steps}):
        raise question.error("update.grads", "every parameter needs one gradient per step"
                             + (f" ({steps} steps)" if steps is not None else ""))
    return out


def _params(question, params, inputs, where):
    """Parameters listed once each, all of them among ``inputs``."""
    if not isinstance(params, list) or not params or any(not isinstance(p, str) or p not in inputs
                                                          for p in params):
        raise question.error(where, f"expected a list of the inputs ({', '.join(inputs)})")
    twice = sorted({p for p in params if params.count(p) > 1})
    if twice:
        raise question.error(where, f"'{twice[0]}' is listed twice: each parameter takes one step")
    return params


def _matrix(question, table, key, where):
    """Entry ``key`` of a table under ``update`` as an exact matrix; its errors name ``where``."""
    try:
        return question.matrix(key, source=table)
    except SpecError as exc:
        exc.field = where
        raise


def _number(question, table, key, where):
    value = _matrix(question, table, key, where)
    if value.shape != (1, 1):
        raise question.error(where, "expected a number")
    return value[0, 0]
