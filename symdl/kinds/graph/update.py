"""Optimizer steps after the backward pass (``update = { rule = "adam", lr = 0.01, steps = 3 }``): every
state after every step, the new values and the output at the end, exact where the arithmetic is rational
(rules in symdl.updates). At each step the gradient is the function's own at that step's values
(forward and backward again) or the one given for that step."""

from __future__ import annotations

import sympy

from symdl import updates
from symdl.display import GraphFormula, GraphGradient, ValueShown
from symdl.errors import SpecError
from symdl.printer import tex
from symdl.solution import Step, Table, Tex, Text

from .derive import SIG_DIGITS, backward, forward, upstream_of
from .parts import part_of
from .update_read import read_update

PREC = 60        # digits an irrational value is carried with into the next step
LETTERS = {"velocity": "v", "m": "m", "v": "v", "m_hat": r"\hat{m}", "v_hat": r"\hat{v}", "sum": "G",
           "s": "s", "g": "g", "d": "d", "shrink": r"\rho", "shrunk": r"\tilde{\theta}"}
WORDS = {"velocity": "velocity", "m": "first moment", "v": "second moment", "m_hat": "bias-corrected first moment",
         "v_hat": "bias-corrected second moment", "sum": "sum of squared gradients",
         "s": "running mean of squared gradients", "g": "gradient with weight decay (L2 penalty)",
         "d": "Nesterov direction", "shrink": "shrink factor (decoupled weight decay)", "shrunk": "shrunk value"}


def _symbol(quantity, param):
    """The printed name of ``quantity`` of ``param``: m_W, \\hat{m}_W, ..."""
    if quantity == "theta":
        return tex(sympy.Symbol(param))
    name = tex(sympy.Symbol(param))
    if quantity == "rmsprop-m":
        quantity = "m"
    return Tex(f"{LETTERS[quantity]}_{{{name}}}")


def _formula(plan, quantity, param, s, first_buffer=False):
    """The display form of ``quantity`` for ``param``, its settings put in."""
    text = updates.display(plan.rule, quantity, s)
    if quantity == "velocity" and first_buffer:
        text = "{g}"              # torch starts the buffer from the first gradient
    symbol = tex(sympy.Symbol(param))
    grad = GraphGradient(symbol)
    fields = {"theta": symbol, "grad": grad, "g": _symbol("g", param) if s.get("weight_decay") and
              not s.get("decoupled") else grad, "old": _symbol(quantity, param) if quantity in plan.rule.state else None,
              "lr": s.get("lr"), "mu": s.get("momentum"), "damp": s.get("dampening"), "wd": s.get("weight_decay"),
              "alpha": s.get("alpha"), "b1": s.get("beta1"), "b2": s.get("beta2"), "eps": s.get("eps"),
              "t": Tex("t")}
    for q in LETTERS:
        fields[f"new:{q}"] = _symbol(q, param)
    keys = [k for k in fields if fields[k] is not None and "{" + k + "}" in text]
    for n, key in enumerate(keys):
        text = text.replace("{" + key + "}", "{%d}" % n)
    return GraphFormula(text, *[fields[k] for k in keys])


def _settle(value):
    """A value as the next step takes it: exact when rational, else its number to PREC digits."""
    if value is None or not isinstance(value, sympy.MatrixBase):
        return value
    return sympy.ImmutableMatrix(value.rows, value.cols, [
        e if isinstance(e, sympy.Rational) else sympy.Float(sympy.N(e, PREC), PREC) for e in value])


def _gradients(question, plan, values, build_graph, k):
    """The gradient of every updated parameter at step ``k`` at ``values`` (the function's or given)."""
    if plan.grads:
        return {p: plan.grads[p][k - 1] for p in plan.params}
    graph = _graph_at(question, values, build_graph, f"at the values after step {k - 1}")
    grads, _ = backward(graph, upstream_of(question, graph))
    return {p: sympy.ImmutableMatrix(grads[p]) for p in plan.params}


def _graph_at(question, values, build_graph, when):
    graph = build_graph(question)
    for node in graph.nodes:
        if node.id in values:
            node.value = values[node.id]
    try:
        forward(graph)
    except SpecError as exc:       # the function is fine at the given values; a step took it out
        raise question.error("update", f"{when}: {exc.message}") from None
    return graph


def trajectory(question, plan, inputs, grads, build_graph):
    """Every step: a list of {param: (gradient, shown quantities)} and the values after the last."""
    values = {p: inputs[p] for p in plan.params}
    state = dict(plan.state)
    steps = []
    for k in range(1, plan.steps + 1):
        if k > 1 or plan.grads:
            grads = _gradients(question, plan, {**inputs, **values}, build_graph, k)
        found = {}
        for p in plan.params:
            old = {key: state[(key, p)] for key in updates.states(plan.rule, plan.settings[p])}
            new, new_state, shown = plan.rule.step(values[p], grads[p], old, plan.settings[p], plan.first + k - 1)
            _check_eps(question, plan, p, shown, k)
            found[p] = (grads[p], shown, old)
            values[p] = _settle(new)
            state.update({(key, p): _settle(v) for key, v in new_state.items()})
        steps.append(found)
    return steps, values


def _check_eps(question, plan, p, shown, k):
    if plan.settings[p].get("eps") != 0:
        return
    for key in ("v_hat", "sum", "s"):
        if key in shown and any(v == 0 for v in shown[key]):
            raise question.error("update.eps", f"with eps = 0 step {k} of {p} divides by the root of a running "
                                 "mean of squares that is 0 (its gradients are 0): give eps > 0")


def add_update(sol, question, graph, grads, build_graph):
    """The update's sections and answers: every state after every step, the new values, the output."""
    inputs = {n.id: n.value for n in graph.nodes if n.op == "input"}
    plan = read_update(question, inputs)
    steps, values = trajectory(question, plan, inputs, grads, build_graph)
    part = part_of(question, "update")
    rule = plan.rule
    title = f"One step of {rule.words}" if plan.steps == 1 else f"{plan.steps} steps of {rule.words}"
    sec = sol.section(title, part=part)
    sec.add(Text(_intro(plan)))
    for k, found in enumerate(steps, start=1):
        prefix = "update." if plan.steps == 1 else f"update.{k}."
        if k == 1:
            _first_step(sec, plan, found, k)
        else:
            sec.add(_table(plan, found, k))
        for p, (g, shown, old) in found.items():
            if k > 1 and not plan.grads:
                sol.answer(f"{prefix}grad.{p}", g, part=part, label=GraphGradient(tex(sympy.Symbol(p))),
                           digits=SIG_DIGITS)
            for key, value in shown.items():
                if key != "theta":
                    sol.answer(f"{prefix}{key}.{p}", value, part=part, label=_symbol(key, p), digits=SIG_DIGITS)
            sol.answer(f"{prefix}{p}" if plan.steps == 1 else f"update.{k}.{p}", shown["theta"], part=part,
                       label=tex(sympy.Symbol(f"{p}'")), digits=SIG_DIGITS, final=k == plan.steps)
    if plan.steps > 1:
        for p in plan.params:
            sec.add(Step(Text("The value of ", tex(sympy.Symbol(p)), f" after {plan.steps} steps:"),
                         lhs=tex(sympy.Symbol(p + "'")), result=steps[-1][p][1]["theta"], boxed=True))
    after = _graph_at(question, {**inputs, **values}, build_graph,
                      "at the values after the step" if plan.steps == 1 else f"at the values after step {plan.steps}")
    sec.add(Step("The output at the new values:", lhs=tex(sympy.Symbol("f'")), result=after.output.value, boxed=True))
    sol.answer("update.output", after.output.value, part=part, label=tex(sympy.Symbol("f'")), digits=SIG_DIGITS,
               final=True)
    return values


def _intro(plan):
    groups = {id(s): s for s in plan.settings.values()}
    words = [f"{plan.rule.words} as PyTorch takes it" if plan.rule.name != "classic" else plan.rule.words]
    if plan.grads:
        words.append("from the gradient given for each step")
    elif plan.steps > 1:
        words.append("with the gradient computed again (forward and backward pass) at each step's values")
    if len(groups) > 1:
        words.append("each parameter group with its own settings")
    text = "; ".join(words) + "."
    if plan.steps > 1:
        text += (" The first step is worked in full; each later step is a row per entry of the table of that step. "
                 "Exact values are kept while the arithmetic is rational; a square root is carried to 60 digits.")
    return text[0].upper() + text[1:]


def _first_step(sec, plan, found, k):
    for p, (g, shown, old) in found.items():
        s = plan.settings[p]
        for key, value in shown.items():
            lhs = _symbol(key, p) if key != "theta" else tex(sympy.Symbol(f"{p}'"))
            first = key == "velocity" and old.get("velocity", 0) is None
            words = Text(f"The {WORDS.get(key, 'new value')} of ", tex(sympy.Symbol(p)),
                         " (first step):" if plan.steps > 1 else ":") if key != "theta" else \
                Text("The new value of ", tex(sympy.Symbol(p)), ":")
            sec.add(Step(words, lhs=lhs, formula=_formula(plan, key, p, s, first), result=value,
                         boxed=key == "theta" and plan.steps == 1))


def _table(plan, found, k):
    """Step ``k`` as a table: one row per entry of every parameter, one column per quantity."""
    columns = ["grad"] + [key for key in next(iter(found.values()))[1] if key not in ("shrink",)]
    header = [Tex("t")] + [Tex(r"\bar{\theta}" if c == "grad" else r"\theta'" if c == "theta" else
                               LETTERS[c].replace("theta", "theta")) for c in columns]
    rows = []
    for p, (g, shown, old) in found.items():
        cells = {"grad": g, **shown}
        for i in range(len(g)):
            name = tex(sympy.Symbol(p)) + (f"[{i // g.cols}, {i % g.cols}]" if len(g) > 1 else "")
            rows.append([Tex(f"{plan.first + k - 1}:\\ {name}")] +
                        [ValueShown(cells[c][i], sig=SIG_DIGITS, bare=True) for c in columns])
    return Table(header, rows, align="l" + "r" * len(columns), small=len(columns) > 6,
                 caption=f"Step {plan.first + k - 1}: " + ", ".join(
                     f"{LETTERS.get(c, c)}" for c in columns[1:-1]) + " as the first step computes them.")
