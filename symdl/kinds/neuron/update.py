"""One parameter update after the backward pass (issue 13): SGD, momentum or Adam as PyTorch's optimizers
take a step (weight decay added to the gradient), the optimizer's state given; exact, then shown step by
step, with the neuron's new output on the same input."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import RelationChain, ValueShown, vector_tex
from symdl.solution import Step, Tex, Text
from symdl.ops.updates import RULES, bias_power

from . import update_steps
from .notation import NeuronFormula as F
from .symbols import B, DL_DB, DL_DW, ETA, W_VEC

MU, BETA1, BETA2, EPS, LAMBDA = (sp.Symbol(s) for s in ("mu", "beta_1", "beta_2", "epsilon", "lambda"))
TITLES = {"sgd": "stochastic gradient descent", "momentum": "SGD with momentum", "adam": "Adam"}
STATE_LETTERS = {"velocity": sp.Symbol("v"), "m": sp.Symbol("m"), "v": sp.Symbol("v")}


def each(f, *args):
    """``f`` entry by entry when the first argument is a vector, else on the numbers."""
    if isinstance(args[0], sp.MatrixBase):
        return sp.Matrix(args[0].rows, 1, lambda i, _: f(*(a[i] if isinstance(a, sp.MatrixBase) else a
                                                          for a in args)))
    return f(*args)


def step(u, p, g, state):
    """One step for the parameter ``p`` with gradient ``g``: (new p, {state: new value}, {name: value}
    of the intermediate quantities), exact."""
    g = each(lambda gi, pi: gi + u.weight_decay * pi, g, p) if u.weight_decay else g
    if u.rule == "sgd":
        return each(lambda pi, gi: pi - u.lr * gi, p, g), {}, {"g": g}
    if u.rule == "momentum":
        vel = each(lambda vi, gi: u.momentum * vi + gi, state["velocity"], g)
        return each(lambda pi, vi: pi - u.lr * vi, p, vel), {"velocity": vel}, {"g": g}
    m = each(lambda mi, gi: u.beta1 * mi + (1 - u.beta1) * gi, state["m"], g)
    v = each(lambda vi, gi: u.beta2 * vi + (1 - u.beta2) * gi ** 2, state["v"], g)
    c1, c2 = 1 - bias_power(u.beta1, u.t), 1 - bias_power(u.beta2, u.t)     # unexpanded at a late step
    m_hat = each(lambda mi: mi / c1, m)
    v_hat = each(lambda vi: vi / c2, v)
    new = each(lambda pi, mi, vi: pi - u.lr * mi / (sp.sqrt(vi) + u.eps), p, m_hat, v_hat)
    return new, {"m": m, "v": v}, {"g": g, "m_hat": m_hat, "v_hat": v_hat}


def shown(value):
    """(relation, printed value) of a vector or a number."""
    if isinstance(value, sp.MatrixBase):
        return vector_tex(value)
    return None, value


def explain(sol, n, gW, gb, question=None):
    """The update's section: each parameter's step, the new output; its answers."""
    u = n.update
    if not u.classic:       # other rules, dampening, Nesterov, several steps: a table per step
        return update_steps.explain(sol, n, gW, gb, f"One step of {RULES[u.rule].words}", question)
    sec = sol.section(f"One step of {TITLES[u.rule]}", part=u.part)
    settings = [RelationChain(ETA, "=", u.lr)]
    if u.rule == "momentum":
        settings.append(RelationChain(MU, "=", u.momentum))
    if u.rule == "adam":
        settings += [RelationChain(BETA1, "=", u.beta1), RelationChain(BETA2, "=", u.beta2),
                     RelationChain(EPS, "=", _tex(u.eps)), RelationChain(sp.Symbol("t"), "=", u.t)]
    if u.weight_decay:
        settings.append(RelationChain(LAMBDA, "=", u.weight_decay))
    sec.add(Text("After the backward pass, one step of ", TITLES[u.rule], " with ",
                 *[part for s in settings for part in (s, ", ")][:-1], " moves the parameters"
                 + (" (weight decay adds the weights times the decay to the gradient)" if u.weight_decay else "")
                 + (", starting from the optimizer's state given" if u.rule != "sgd" else "")
                 + ("; squares, roots and quotients of vectors are taken entry by entry" if u.rule == "adam" else "")
                 + ":"))
    new = {}
    for name, symbol, p, g, grad in (("W", W_VEC, n.W, gW, DL_DW), ("b", B, n.b, gb, DL_DB)):
        new[name], states, parts = step(u, p, g, {k: u.state[k][name] for k in u.state})
        _steps(sec, u, symbol, p, grad, parts, states, new[name], {k: u.state[k][name] for k in u.state})
        for state, value in states.items():
            sol.answer(f"update.{state}.{name}", value, part=u.part,
                       label=F("new_state", STATE_LETTERS[state], symbol))
        for key in ("g", "m_hat", "v_hat"):        # the decayed gradient, Adam's bias-corrected moments
            if key in parts and (key != "g" or u.weight_decay):
                sol.answer(f"update.{key}.{name}", parts[key], part=u.part)
        sol.answer(f"update.{name}", new[name], part=u.part, label=F("new", symbol), final=True)
    update_steps.new_output(sec, sol, u, n, new["W"], new["b"], question)


def _steps(sec, u, symbol, p, grad, parts, states, new, before):
    """The steps of one parameter: the decayed gradient, the state, the new value."""
    g = parts["g"]
    if u.weight_decay:
        rel, body = shown(g)
        sec.add(Step("", lhs=F("state", sp.Symbol("g"), symbol), formula=F("decayed", grad, symbol),
                     result=body, relation=rel))
        grad = F("state", sp.Symbol("g"), symbol)
    if u.rule == "momentum":
        rel, body = shown(states["velocity"])
        sec.add(Step("", lhs=F("new_state", sp.Symbol("v"), symbol), formula=F("velocity", F("state", sp.Symbol("v"), symbol), grad),
                     substituted=F("mu_sub", u.momentum, _tex(before["velocity"]), _tex(g)),
                     result=body, relation=rel))
        grad = F("new_state", sp.Symbol("v"), symbol)
    if u.rule == "adam":
        for key, letter, beta, formula in (("m", sp.Symbol("m"), u.beta1, "adam_m"), ("v", sp.Symbol("v"), u.beta2, "adam_v")):
            rel, body = shown(states[key])
            sec.add(Step("", lhs=F("new_state", letter, symbol), formula=F(formula, F("state", letter, symbol), grad),
                         substituted=F("lin_comb_sq" if key == "v" else "lin_comb", beta, _tex(before[key]),
                                       1 - beta, F("paren", _tex(g)) if key == "v" and isinstance(g, sp.MatrixBase)
                                       else _tex(g)), result=body, relation=rel))
        for key, letter, beta in (("m_hat", sp.Symbol("m"), BETA1), ("v_hat", sp.Symbol("v"), BETA2)):
            rel, body = shown(parts[key])
            sec.add(Step("", lhs=F("hat_state", letter, symbol),
                         formula=F("adam_hat", F("new_state", letter, symbol), beta, sp.Symbol("t")),
                         result=body, relation=rel))
        rel, body = shown(new)
        sec.add(Step("", lhs=F("new", symbol), formula=F("adam_step", symbol, F("hat_state", sp.Symbol("m"), symbol),
                                                         F("hat_state", sp.Symbol("v"), symbol)),
                     substituted=F("adam_sub", _tex(p), u.lr, _tex(parts["m_hat"]), _tex(parts["v_hat"]), _tex(u.eps)),
                     result=body, relation=rel, boxed=True))
        return
    rel, body = shown(new)
    sec.add(Step("", lhs=F("new", symbol), formula=F("sgd", symbol, grad),
                 substituted=F("minus_times", _tex(p), u.lr, _tex(states.get("velocity", g))),
                 result=body, relation=rel, boxed=True))


def _tex(value):
    """A value as it is put into a formula: a vector as its printed row, a number as shown (rounded when
    inexact, a small power of ten as such), bracketed when negative."""
    if isinstance(value, sp.MatrixBase):
        return Tex(vector_tex(value)[1])
    value = sp.sympify(value)
    shown = (ValueShown(value, bare=True) if not value.is_Rational else
             F("pow10", -len(str(value.q)) + 1) if value.p == 1 and value.q >= 10 ** 4
             and str(value.q).rstrip("0") == "1" else sp.UnevaluatedExpr(value))
    return F("paren", shown) if value.is_negative else shown
