"""Optimizer steps of a neuron beyond one classic step (issue 24): every rule of symdl.ops.updates, N steps,
the gradient of L = u y computed again at each step's parameters (u the given dL/dy, so the loss is the
one whose gradient the backward pass found); every state after every step an answer, a table per step."""

from __future__ import annotations

import sympy as sp

from symdl.ops import updates
from symdl.notation.display import ValueShown
from symdl.notation.printer import tex
from symdl.solution import Step, Table, Text

from .notation import NeuronFormula as F
from .symbols import B, W_VEC, Y, Z

# each quantity's letter, as a SymPy symbol's name (the printer adds the hats and the Greek)
LETTERS = {"ahead": "thetahat", "velocity": "v", "m": "m", "v": "v", "m_hat": "mhat", "v_hat": "vhat", "sum": "G",
           "s": "s", "g": "g", "d": "d", "shrink": "rho", "shrunk": "thetatilde"}
THETA, THETA_BAR, THETA_NEW = (tex(sp.Symbol(s)) for s in ("theta", "thetabar", "thetaprime"))


def _column(value):
    return sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else sp.ImmutableMatrix([[value]])


def trajectory(n, gW, gb):
    """[{"W": (g, shown), "b": (g, shown)} per step] and the values {W, b} after the last, exact where
    rational, every step from the gradient at its own parameters."""
    u = n.update
    rule = updates.RULES[u.rule]
    values = {"W": _column(n.W), "b": _column(n.b)}
    state = {}
    for key, per in u.state.items():
        for name in ("W", "b"):
            state[(key, name)] = None if per is None else _column(per[name])
    keys = {name: updates.states(rule, u.of(name)) for name in values}
    grads = {"W": _column(gW), "b": _column(gb)}
    steps = []
    for k in range(1, u.steps + 1):
        olds = {name: {key: state.get((key, name), sp.zeros(*values[name].shape)) for key in keys[name]}
                for name in values}
        at = {name: updates.settle(updates.lookahead(rule, values[name], olds[name], u.of(name))) for name in values}
        if k > 1 or at != values:       # the gradient at this step's parameters (or the look-ahead point)
            z = (at["W"].T * n.x)[0] + at["b"][0]
            delta = updates.settle(n.upstream * n.dA(z))
            grads = {"W": updates.settle(_column(delta * n.x)), "b": _column(delta)}
        found = {}
        for name in ("W", "b"):
            new, new_state, shown = rule.step(values[name], grads[name], olds[name], u.of(name), u.t + k - 1)
            found[name] = (grads[name], shown)
            values[name] = updates.settle(new)
            state.update({(key, name): updates.settle(v) for key, v in new_state.items()})
        steps.append(found)
    return steps, values


def _plain(value, name):
    """A parameter's value as the neuron's answers hold it: W a column, b a number."""
    if name == "b" and isinstance(value, sp.MatrixBase):
        return value[0]
    return sp.Matrix(value) if isinstance(value, sp.MatrixBase) else value


def explain(sol, n, gW, gb, title, question=None):
    """The steps as tables, their answers, the values after the last step and the new output."""
    u = n.update
    steps, values = trajectory(n, gW, gb)
    sec = sol.section(title if u.steps == 1 else f"{u.steps} steps of {updates.RULES[u.rule].words}", part=u.part)
    sec.add(Text(f"{updates.RULES[u.rule].words[0].upper()}{updates.RULES[u.rule].words[1:]} as PyTorch takes it"
                 + (", the gradient computed again at each step's weights and bias for the same loss "
                    "(dL/dy the given upstream gradient)" if u.steps > 1 else "")
                 + ". Each step is a table with a row per weight and the bias; ", THETA_BAR,
                 " is the gradient, squares, roots and quotients are taken entry by entry. Values are exact while "
                 "the arithmetic is rational; a square root is carried to 60 digits and rounded only here."))
    sec.add(*_rule_once(u, steps[0]))
    for k, found in enumerate(steps, start=1):
        sec.add(_table(found, u.t + k - 1))
        prefix = "update." if u.steps == 1 else f"update.{k}."
        for name, symbol in (("W", W_VEC), ("b", B)):
            g, shown = found[name]
            at = "" if u.steps == 1 else f", step {u.t + k - 1}"
            if k > 1:
                sol.answer(f"{prefix}grad.{name}", _plain(g, name), part=u.part, label=f"gradient of {name}{at}")
            for key, value in shown.items():
                if key != "theta":
                    sol.answer(f"{prefix}{key}.{name}", _plain(value, name), part=u.part,
                               label=f"{updates.WORDS[key]} of {name}{at}")
            sol.answer(f"{prefix}{name}", _plain(shown["theta"], name), part=u.part,
                       label=F("new", symbol) if k == u.steps else f"{name}{at}", final=k == u.steps)
    W, b = values["W"], values["b"][0]
    sec.add(Step(f"The weights and the bias after {u.steps} step{'s' if u.steps > 1 else ''}:",
                 lhs=F("new", W_VEC), result=sp.Matrix(steps[-1]["W"][1]["theta"]), boxed=True),
            Step("", lhs=F("new", B), result=steps[-1]["b"][1]["theta"][0], boxed=True))
    new_output(sec, sol, u, n, W, b, question)


def new_output(sec, sol, u, n, W, b, question):
    """The neuron's output on the same input with the new weights and bias (boxed, answers
    update.z and update.y), then every state graded (one step or several)."""
    z_new = (W.T * n.x)[0] + b
    y_new = n.A(z_new)
    sec.add(Step("The neuron's new output on the same input:", lhs=F("new", Z), formula=F("z_new"),
                 result=z_new, boxed=True),
            Step("", lhs=F("new", Y), formula=F("A_of", F("new", Z)), result=y_new, boxed=True))
    sol.answer("update.z", z_new, part=u.part, label=F("new", Z), final=True)
    sol.answer("update.y", y_new, part=u.part, label=F("new", Y), final=True)
    if question is not None:
        updates.grade_states(sol, question, u.part)




def _name(quantity):
    return tex(sp.Symbol(LETTERS[quantity] if quantity in ("shrunk", "ahead") else f"{LETTERS[quantity]}_theta"))


def _rule_once(u, found):
    """The rule's formulas for an entry theta of W or b, with its settings (b's only where they differ)."""
    rule = updates.RULES[u.rule]
    split = u.of("W") is not u.of("b")
    out, written = [], set()
    for name in ("W", "b"):
        s = u.of(name)
        names = {"theta": THETA, "grad": THETA_BAR, "t": tex(sp.Symbol("t")), "old:velocity": _name("velocity"),
                 "g": _name("g") if s.get("weight_decay") and not s.get("decoupled") else THETA_BAR}
        names.update({f"new:{q}": _name(q) for q in LETTERS})
        steps = []
        for key in found[name][1]:
            first = key == "velocity" and u.state.get("velocity") is None
            note = " (on the first step the velocity starts as the gradient)" if first else ""
            formula = updates.formula(rule, key, s, {**names, "old": _name(key) if key in rule.state else None})
            seen = (key, formula.template, tuple(str(part) for part in formula.parts))
            if seen not in written:
                written.add(seen)
                steps.append(Step(Text(f"The {updates.WORDS.get(key, 'new value')}{note}:"),
                                  lhs=THETA_NEW if key == "theta" else _name(key), formula=formula))
        if split:
            out.append(Text("For ", tex(W_VEC if name == "W" else B), ":" if name == "W" else " (the rest as above):"))
        out += steps
    return out


def _table(found, t):
    columns = ["grad"]
    for g, shown in found.values():
        columns += [key for key in shown if key not in columns]
    columns.append(columns.pop(columns.index("theta")))
    header = ["entry"] + [THETA_BAR if c == "grad" else THETA_NEW if c == "theta" else
                          tex(sp.Symbol(LETTERS[c])) for c in columns]
    rows = []
    for name, (g, shown) in found.items():
        cells = {"grad": g, **shown}
        for i in range(len(g)):
            label = tex(sp.Symbol(f"W_{i + 1}")) if name == "W" else tex(sp.Symbol("b"))
            rows.append([label] + [_cell(cells.get(c), i) for c in columns])
    return Table(header, rows, align="l" + "r" * len(columns), small=len(columns) > 6,
                 caption=f"Step t = {t}; values to 5 significant digits.")


def _cell(value, i):
    if value is None:
        return ""
    return ValueShown(value[i] if isinstance(value, sp.MatrixBase) else value, sig=5, bare=True)
