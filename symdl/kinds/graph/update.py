"""Optimizer steps after the backward pass (``update = { rule = "adam", lr = 0.01, steps = 3 }``): every
state after every step, the new values and the output at the end, exact where the arithmetic is rational
(rules in symdl.ops.updates). At each step the gradient is the function's own at that step's values
(forward and backward again) or the one given for that step."""

from __future__ import annotations

import sympy

from symdl.ops import updates
from symdl.notation.display import ValueShown
from symdl.errors import SpecError
from symdl.notation.printer import tex
from symdl.solution import Step, Table, Tex, Text

from .derive import SIG_DIGITS, backward, forward, upstream_of
from .notation import GraphGradient
from .parts import part_of
from .update_read import read_update

# each quantity's letter, as a SymPy name the printer decorates (thetahat: a hat over theta)
LETTERS = {"ahead": "thetahat", "velocity": "v", "m": "m", "v": "v", "m_hat": "mhat", "v_hat": "vhat",
           "sum": "G", "s": "s", "g": "g", "d": "d", "shrink": "rho", "shrunk": "thetatilde"}


def _letter(name) -> Tex:
    return tex(sympy.Symbol(name))


def _marked(param, modifier) -> Tex:
    """``param`` with a SymPy name modifier (bar, hat, tilde, prime) on its base: W_1, bar -> bar W_1."""
    base, sep, sub = param.partition("_")
    return tex(sympy.Symbol(f"{base}{modifier}{sep}{sub}"))


def _symbol(quantity, param):
    """The printed name of ``quantity`` of ``param``: m_W, \\hat{m}_W, ..."""
    if quantity == "theta":
        return tex(sympy.Symbol(param))
    name = tex(sympy.Symbol(param))
    if quantity == "shrunk":
        return _marked(param, "tilde")
    if quantity == "ahead":
        return _marked(param, "hat")
    return Tex(f"{_letter(LETTERS[quantity])}_{{{name}}}")


def _formula(plan, quantity, param, s, first_buffer=False, t=None):
    """The display form of ``quantity`` for ``param``, its settings put in."""
    symbol = tex(sympy.Symbol(param))
    grad = GraphGradient(symbol)
    names = {"theta": symbol, "grad": grad, "g": _symbol("g", param) if s.get("weight_decay") and
             not s.get("decoupled") else grad, "t": Tex("t") if t is None else t}
    if quantity in plan.rule.state:
        names["old"] = _symbol(quantity, param)
    names.update({f"new:{q}": _symbol(q, param) for q in LETTERS})
    names["old:velocity"] = _symbol("velocity", param)
    return updates.formula(plan.rule, quantity, s, names, first_buffer)


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
        olds = {p: {key: state[(key, p)] for key in updates.states(plan.rule, plan.settings[p])} for p in plan.params}
        at = {p: updates.settle(updates.lookahead(plan.rule, values[p], olds[p], plan.settings[p])) for p in plan.params}
        if k > 1 or plan.grads or at != values:
            grads = _gradients(question, plan, {**inputs, **at}, build_graph, k)
        found = {}
        for p in plan.params:
            old = olds[p]
            new, new_state, shown = plan.rule.step(values[p], grads[p], old, plan.settings[p], plan.first + k - 1)
            _check_eps(question, plan, p, shown, k)
            found[p] = (grads[p], shown, old)
            values[p] = updates.settle(new)
            state.update({(key, p): updates.settle(v) for key, v in new_state.items()})
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
    title = f"One step of {plan.rule.words}" if plan.steps == 1 else f"{plan.steps} steps of {plan.rule.words}"
    sec = sol.section(title, part=part)
    sec.add(_intro(plan))
    if plan.steps == 1:
        _one_step(sec, plan, steps[0])
    else:
        _rule_once(sec, plan, steps[0])
        sec.add(*[_table(plan, found, k) for k, found in enumerate(steps, start=1)])
    for k, found in enumerate(steps, start=1):
        prefix = "update." if plan.steps == 1 else f"update.{k}."
        at = "" if plan.steps == 1 else f"^{{({plan.first + k - 1})}}"       # the step in a label: m_W^(2)
        for p, (g, shown, old) in found.items():
            name = tex(sympy.Symbol(p))
            if k > 1 and not plan.grads:
                sol.answer(f"{prefix}grad.{p}", g, part=part, label=Tex(f"{_marked(p, 'bar')}{at}"), digits=SIG_DIGITS)
            for key, value in shown.items():
                if key != "theta":
                    sol.answer(f"{prefix}{key}.{p}", value, part=part, label=Tex(f"{{{_symbol(key, p)}}}{at}"),
                               digits=SIG_DIGITS)
            sol.answer(f"{prefix}{p}", shown["theta"], part=part, label=Tex(f"{name}{at}" if at else f"{name}'"),
                       digits=SIG_DIGITS, final=k == plan.steps)
    if plan.steps > 1:
        for p in plan.params:
            sec.add(Step(Text("The value of ", tex(sympy.Symbol(p)), f" after {plan.steps} steps:"),
                         lhs=tex(sympy.Symbol(p + "'")), result=steps[-1][p][1]["theta"], boxed=True))
    after = _graph_at(question, {**inputs, **values}, build_graph,
                      "at the values after the step" if plan.steps == 1 else f"at the values after step {plan.steps}")
    sec.add(Step("The output at the new values:", lhs=tex(sympy.Symbol("f'")), result=after.output.value, boxed=True))
    sol.answer("update.output", after.output.value, part=part, label=tex(sympy.Symbol("f'")), digits=SIG_DIGITS,
               final=True)
    updates.grade_states(sol, question, part)
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
        return Text(text[0].upper() + text[1:], " The rule is written once for a parameter entry ", _letter("theta"),
                    " with gradient ", _letter("thetabar"), " (squares, roots and quotients entry by entry; ",
                    Tex("t"), " counts the optimizer's steps); then each step is a table with a row per entry. "
                    "Values are exact while the arithmetic is rational; a square root is carried to 60 digits "
                    "and rounded only here.")
    return Text(text[0].upper() + text[1:])


def _one_step(sec, plan, found):
    for p, (g, shown, old) in found.items():
        s = plan.settings[p]
        for key, value in shown.items():
            lhs = _symbol(key, p) if key != "theta" else tex(sympy.Symbol(f"{p}'"))
            first = key == "velocity" and old.get("velocity", 0) is None
            what = updates.WORDS.get(key, "new value") if key != "theta" else "new value"
            words = Text(f"The {what} of ", tex(sympy.Symbol(p)), ":")
            sec.add(Step(words, lhs=lhs, formula=_formula(plan, key, p, s, first, t=plan.first), result=value,
                         boxed=key == "theta"))


def _rule_once(sec, plan, found):
    """The rule's formulas for a generic entry theta, once per group of settings."""
    groups = {}
    for p in plan.params:
        groups.setdefault(id(plan.settings[p]), []).append(p)
    written = set()
    for n, members in enumerate(groups.values()):
        g, shown, old = found[members[0]]
        s = plan.settings[members[0]]
        steps = []
        for key in shown:
            first = key == "velocity" and old.get("velocity", 0) is None
            lhs = _symbol(key, "theta") if key != "theta" else _letter("thetaprime")
            note = " (on the first step the velocity starts as the gradient)" if first else ""
            formula = _formula(plan, key, "theta", s)
            seen = (key, formula.template, tuple(str(part) for part in formula.parts))
            if seen not in written:
                written.add(seen)
                steps.append(Step(Text(f"The {updates.WORDS.get(key, 'new value')}{note}:"), lhs=lhs,
                                  formula=formula))
        if len(groups) > 1:
            names = [tex(sympy.Symbol(p)) for p in members]
            sec.add(Text("For ", *[x for name in names for x in (name, ", ")][:-1],
                         ":" if n == 0 else " (the rest as above):"))
        sec.add(*steps)


def _table(plan, found, k):
    """Step ``k`` as a table: one row per entry of every parameter, one column per quantity."""
    columns = ["grad"]
    for g, shown, old in found.values():
        columns += [key for key in shown if key not in columns]
    columns.append(columns.pop(columns.index("theta")))
    header = ["entry"] + [_letter("thetabar" if c == "grad" else "thetaprime" if c == "theta" else LETTERS[c])
                          for c in columns]
    rows = []
    for p, (g, shown, old) in found.items():
        cells = {"grad": g, **shown}
        for i in range(len(g)):
            rows.append([_entry(p, g, i)] + [_cell(cells.get(c), i) for c in columns])
    return Table(header, rows, align="l" + "r" * len(columns), small=len(columns) > 6,
                 caption=f"Step t = {plan.first + k - 1}; values to 5 significant digits.")


def _entry(param, value, i):
    name = tex(sympy.Symbol(param))
    row, col = divmod(i, value.cols)
    if value.rows > 1 and value.cols > 1:
        return Tex(f"{name}_{{{row + 1}{col + 1}}}")
    return Tex(f"{name}_{{{i + 1}}}") if len(value) > 1 else Tex(name)


def _cell(value, i):
    if value is None:
        return ""
    entry = value[i] if isinstance(value, sympy.MatrixBase) else value
    return ValueShown(entry, sig=SIG_DIGITS, bare=True)
