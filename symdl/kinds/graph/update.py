"""One parameter update after the backward pass (``update = { rule = "sgd", lr = 0.1 }``): the new
values, the optimizer's new state and the new output, exact (rules in symdl.updates)."""

from __future__ import annotations

import sympy

from symdl import updates
from symdl.display import GraphFormula, GraphGradient
from symdl.errors import SpecError
from symdl.printer import tex
from symdl.solution import Step, Text

from .derive import SIG_DIGITS, forward
from .parts import part_of


def read_update(question, inputs):
    """(rule, settings, params, state) from the ``update`` table; every field checked."""
    table = question.get("update", dict)
    name = table.get("rule")
    if name not in updates.RULES:
        raise question.error("update.rule", f"expected one of {', '.join(updates.RULES)}")
    rule = updates.RULES[name]
    known = {"rule", "params", *rule.settings, *rule.state}
    for key in table:
        if key not in known:
            raise question.error(f"update.{key}", f"not a setting of {name} (known: {', '.join(sorted(known))})")
    settings = {}
    for key, default in rule.settings.items():
        if key not in table and default is None:
            raise question.error(f"update.{key}", "missing required field")
        settings[key] = _number(question, table, key) if key in table else default
        problem = updates.out_of_range(key, settings[key])
        if problem:
            raise question.error(f"update.{key}", problem)
    params = _params(question, table, inputs)
    state = {}
    for key in rule.state:
        given = table.get(key, {})
        if not isinstance(given, dict) or any(p not in params for p in given):
            raise question.error(f"update.{key}", "expected a table: one value per updated parameter")
        for p in params:
            value = _matrix(question, given, p, f"update.{key}.{p}") if p in given else sympy.zeros(*inputs[p].shape)
            if value.shape != inputs[p].shape:
                raise question.error(f"update.{key}.{p}", f"shape {value.shape[0]}x{value.shape[1]} does not "
                                     f"match {p}")
            if key == "v" and any(not (entry.is_real and entry >= 0) for entry in value):
                raise question.error(f"update.v.{p}", "Adam's second moment is a mean of squares: it cannot be "
                                     "negative")
            state[(key, p)] = sympy.ImmutableMatrix(value)
    return rule, settings, params, state


def _params(question, table, inputs):
    """The parameters updated: inputs of the function, each listed once (all of them by default)."""
    params = table.get("params", list(inputs))
    if not isinstance(params, list) or not params or any(not isinstance(p, str) or p not in inputs
                                                          for p in params):
        raise question.error("update.params", f"expected a list of the inputs ({', '.join(inputs)})")
    twice = sorted({p for p in params if params.count(p) > 1})
    if twice:
        raise question.error("update.params", f"'{twice[0]}' is listed twice: each parameter takes one step")
    return params


def _matrix(question, table, key, where):
    """Entry ``key`` of a table under ``update`` as an exact matrix; its errors name ``where``."""
    try:
        return question.matrix(key, source=table)
    except SpecError as exc:
        exc.field = where
        raise


def _number(question, table, key):
    value = _matrix(question, table, key, f"update.{key}")
    if value.shape != (1, 1):
        raise question.error(f"update.{key}", "expected a number")
    return value[0, 0]


def _template(text, keys):
    for k, key in enumerate(keys):
        text = text.replace("{" + key + "}", "{%d}" % k)
    return text


def _formula(rule, quantity, param, settings):
    symbol = tex(sympy.Symbol(param))
    parts = {"theta": symbol, "grad": GraphGradient(symbol), "lr": settings.get("lr"),
             "mu": settings.get("momentum"), "b1": settings.get("beta1"), "b2": settings.get("beta2"),
             "eps": settings.get("eps"), "t": settings.get("step", 0) + 1,
             "old": tex(sympy.Symbol(f"{quantity}_{param}")) if quantity != "theta" else None,
             "m": tex(sympy.Symbol(f"m_{param}")), "v": tex(sympy.Symbol(f"v_{param}"))}
    if rule.name == "momentum":
        parts["v"] = tex(sympy.Symbol(f"velocity_{param}"))
    keys = [k for k in parts if parts[k] is not None]
    return GraphFormula(_template(rule.display[quantity], keys), *[parts[k] for k in keys])


def add_update(sol, question, graph, grads, build_graph):
    """The update section and its answers: new state, new values, the output at the new values."""
    inputs = {n.id: n.value for n in graph.nodes if n.op == "input"}
    rule, settings, params, state = read_update(question, inputs)
    part = part_of(question, "update")
    sec = sol.section(f"One step of {rule.words}", part=part)
    new_values = {}
    for p in params:
        old_state = {key: state[(key, p)] for key in rule.state}
        new, new_state = rule.step(inputs[p], grads[p], old_state, settings)
        if rule.name == "adam" and settings["eps"] == 0 and any(v == 0 for v in new_state["v"]):
            raise question.error("update.eps", f"with eps = 0 the step of {p} divides by the root of a second "
                                 "moment that is 0 (its gradient and its v are 0): give eps > 0")
        for key, value in new_state.items():
            lhs = tex(sympy.Symbol(f"{key}_{p}"))
            sec.add(Step(Text(f"The new {key} of ", tex(sympy.Symbol(p)), ":"), lhs=lhs,
                         formula=_formula(rule, key, p, settings), result=value))
            sol.answer(f"update.{key}.{p}", value, part=part, label=lhs, digits=SIG_DIGITS)
        lhs = tex(sympy.Symbol(f"{p}'"))
        sec.add(Step(Text("The new value of ", tex(sympy.Symbol(p)), ":"), lhs=lhs,
                     formula=_formula(rule, "theta", p, settings), result=new, boxed=True))
        sol.answer(f"update.{p}", new, part=part, label=lhs, digits=SIG_DIGITS, final=True)
        new_values[p] = new
    after = build_graph(question)
    for node in after.nodes:
        if node.id in new_values:
            node.value = new_values[node.id]
    try:
        forward(after)
    except SpecError as exc:       # the function is fine at the given values; the step took it out
        raise question.error("update", f"at the values after the step: {exc.message}") from None
    sec.add(Step("The output at the new values:", lhs=tex(sympy.Symbol("f'")), result=after.output.value, boxed=True))
    sol.answer("update.output", after.output.value, part=part, label=tex(sympy.Symbol("f'")), digits=SIG_DIGITS,
               final=True)
    return new_values
