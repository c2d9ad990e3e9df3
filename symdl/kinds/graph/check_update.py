"""The independent route of the optimizer steps: every rule written again entry by entry in mpmath
(none of symdl.updates is used), its settings and defaults read again from the spec, each step's
gradient a central difference of L = u^T f through the function as read (check_mp.evaluate), or the
gradient given for the step; the output at the end from the function as read."""

from __future__ import annotations

import mpmath
import numpy as np

from symdl import hp

from . import check_mp
from .fields import read_values

WORK = 90                # digits of the loop (the route's values are compared at 50)
H = 30                   # a difference's step: 10^-H of the point's size
RELATIVE = mpmath.mpf(10) ** -35     # each value's bound, relative to the size of the terms it sums
# PyTorch's defaults, written again here: rule -> setting -> LaTeX text
DEFAULTS = {
    "sgd": {"weight_decay": "0"},
    "momentum": {"weight_decay": "0", "momentum": "0.9", "dampening": "0"},
    "nesterov": {"weight_decay": "0", "momentum": "0.9", "dampening": "0"},
    "classic": {"weight_decay": "0", "momentum": "0.9"},
    "adagrad": {"weight_decay": "0", "eps": "10^{-10}"},
    "rmsprop": {"weight_decay": "0", "alpha": "0.99", "eps": "10^{-8}", "momentum": "0"},
    "adam": {"weight_decay": "0", "beta1": "0.9", "beta2": "0.999", "eps": "10^{-8}", "step": "0"},
    "adamw": {"weight_decay": "0.01", "beta1": "0.9", "beta2": "0.999", "eps": "10^{-8}", "step": "0"},
}
STATES = {"momentum": ("velocity",), "nesterov": ("velocity",), "classic": ("velocity",), "adagrad": ("sum",),
          "rmsprop": ("s", "m", "velocity"), "adam": ("m", "v"), "adamw": ("m", "v")}


def _each(f, *arrays):
    return np.frompyfunc(f, len(arrays), 1)(*arrays).astype(object).reshape(arrays[0].shape)


def _zeros(shape):
    out = np.empty(shape, dtype=object)
    out[...] = mpmath.mpf(0)
    return out


def _settings(question, rule, table, group):
    """Numbers as mpf and flags, the group's over the table's over the defaults."""
    out = {}
    for source in (DEFAULTS[rule], table, group):
        for key, text in source.items():
            if key in ("rule", "params", "steps", "grads", "groups") or isinstance(text, dict):
                continue
            out[key] = text if isinstance(text, bool) else check_mp.mp(question.matrix(key, source={key: text})[0, 0])
    out["nesterov"] = out.get("nesterov", rule == "nesterov")
    return out


def _step(rule, s, theta, g, state, t):
    """One step of one parameter: (new theta, {quantity: value}) in mpmath, entry by entry."""
    q = {}
    wd = s.get("weight_decay", 0)
    if rule == "adamw":
        q["shrink"] = 1 - s["lr"] * wd
        theta = q["shrunk"] = theta * q["shrink"]
    elif wd:
        g = q["g"] = g + wd * theta
    if rule == "sgd":
        new = theta - s["lr"] * g
    elif rule in ("momentum", "nesterov"):
        old = state.get("velocity")
        q["velocity"] = g if old is None else s["momentum"] * old + (1 - s["dampening"]) * g
        direction = q["velocity"]
        if s["nesterov"]:
            direction = q["d"] = g + s["momentum"] * q["velocity"]
        new = theta - s["lr"] * direction
    elif rule == "classic":
        q["velocity"] = s["momentum"] * state["velocity"] - s["lr"] * g
        new = theta + q["velocity"]
    elif rule == "adagrad":
        q["sum"] = state["sum"] + g * g
        new = theta - s["lr"] * _each(lambda gk, G: gk / (mpmath.sqrt(G) + s["eps"]), g, q["sum"])
    elif rule == "rmsprop":
        a = s["alpha"]
        q["s"] = a * state["s"] + (1 - a) * g * g
        if s.get("centered"):
            q["m"] = a * state["m"] + (1 - a) * g
            root = _each(lambda sk, mk: mpmath.sqrt(sk - mk * mk) + s["eps"], q["s"], q["m"])
        else:
            root = _each(lambda sk: mpmath.sqrt(sk) + s["eps"], q["s"])
        ratio = _each(lambda gk, d: gk / d, g, root)
        if s["momentum"]:
            q["velocity"] = s["momentum"] * state["velocity"] + ratio
            new = theta - s["lr"] * q["velocity"]
        else:
            new = theta - s["lr"] * ratio
    else:
        b1, b2 = s["beta1"], s["beta2"]
        q["m"] = b1 * state["m"] + (1 - b1) * g
        q["v"] = b2 * state["v"] + (1 - b2) * g * g
        q["m_hat"] = q["m"] / (1 - mpmath.power(b1, t))
        q["v_hat"] = q["v"] / (1 - mpmath.power(b2, t))
        new = theta - s["lr"] * _each(lambda mk, vk: mk / (mpmath.sqrt(vk) + s["eps"]), q["m_hat"], q["v_hat"])
    q["theta"] = new
    return new, q


def _start(question, rule, table, p, shape, s):
    """The state before the first step: given, else zeros (no velocity: torch's buffer starts as g)."""
    out = {}
    for key in STATES.get(rule, ()):
        if rule == "rmsprop" and ((key == "m" and not s.get("centered")) or (key == "velocity" and not s["momentum"])):
            continue
        given = table.get(key, {})
        if p in given:
            out[key] = check_mp.mp_array(question.matrix(p, source=given))
        else:
            out[key] = None if rule in ("momentum", "nesterov") else _zeros(shape)
    return out


def _difference(source, env, name, weights):
    """The gradient of L = u^T f in ``name`` at ``env``, central differences at WORK digits."""
    point = env[name]
    grad = np.empty(point.shape, dtype=object)

    def loss(index, t):
        moved = {k: v.copy() for k, v in env.items()}
        moved[name][index] += t
        out = check_mp.evaluate(source.expr, moved, source.constants, check_mp.Probe())
        return mpmath.fsum((weights * out).ravel())
    for index in np.ndindex(point.shape):
        h = mpmath.mpf(10) ** -H * max(1, abs(point[index]))
        grad[index] = (loss(index, h) - loss(index, -h)) / (2 * h)
    return grad


def independent(question, graph, gradients) -> dict:
    """update.* answers; ``gradients``: the route's own grad.<input> values at the given point."""
    table = question.get("update", dict)
    rule = table["rule"]
    values = read_values(question)
    params = table.get("params", list(values))
    groups = {p: g for g in table.get("groups", []) for p in g["params"]}
    given = table.get("grads")
    steps = len(next(iter(given.values()))) if given else int(table.get("steps", 1))
    out = {}
    with mpmath.workdps(WORK):
        settings = {p: _settings(question, rule, table, groups.get(p, {})) for p in params}
        env = {n: check_mp.mp_array(v) for n, v in values.items()}
        state = {p: _start(question, rule, table, p, env[p].shape, settings[p]) for p in params}
        u = (check_mp.mp_array(question.matrix("upstream")) if question.has("upstream") else None)
        errors = {}
        for k in range(1, steps + 1):
            prefix = "update." if steps == 1 else f"update.{k}."
            if given:
                grads = {p: check_mp.mp_array(question.matrix(p, source={p: given[p][k - 1]})) for p in params}
            elif k == 1:
                grads = {p: _each(lambda v: v if isinstance(v, mpmath.mpf) else mpmath.mpf(float(v)),
                                  np.array(gradients[f"grad.{p}"], dtype=object).reshape(env[p].shape))
                         for p in params}
            else:
                first = check_mp.evaluate(graph.source.expr, env, graph.source.constants, check_mp.Probe())
                weights = u if u is not None else _each(lambda _: mpmath.mpf(1), first)
                grads = {p: _difference(graph.source, env, p, weights) for p in params}
                for p in params:
                    out[f"{prefix}grad.{p}"] = _bounded(grads[p], _each(lambda v: max(abs(v), 1), env[p]))
            for p in params:
                t = int(settings[p].get("step", 0)) + k
                new, q = _step(rule, settings[p], env[p], grads[p], state[p], t)
                size = abs_sum(env[p], grads[p], *[v for v in state[p].values() if v is not None])
                for key, value in q.items():
                    name = f"{prefix}{p}" if key == "theta" else f"{prefix}{key}.{p}"
                    terms = size + abs_sum(value) if isinstance(value, np.ndarray) else 1 + abs(value)
                    out[name] = _bounded(value, terms)
                state[p].update({key: q[key] for key in state[p]})
                errors[p] = out[f"{prefix}{p}"].error
                env[p] = new
        out["update.output"] = _output(graph.source, env, errors)
    return out


def _output(source, env, errors):
    """The output at the last values, its bound the spread of the output when each updated value
    moves by its own bound either way, plus its own rounding."""
    def at(shift):
        moved = {k: (v + shift * errors[k] if k in errors else v) for k, v in env.items()}
        return check_mp.evaluate(source.expr, moved, source.constants, check_mp.Probe())
    value = at(0)
    spread = np.maximum(abs_sum(at(1) - value), abs_sum(at(-1) - value))
    return hp.Bounded(value, 2 * spread + _each(lambda m: RELATIVE * m, abs_sum(value)))


def abs_sum(*arrays):
    """The size of the terms of a value: |a| + |b| + ... entry by entry (a scalar broadcast)."""
    total = None
    for a in arrays:
        part = _each(abs, a) if isinstance(a, np.ndarray) else abs(a)
        total = part if total is None else total + part
    return total


def _bounded(value, magnitude):
    if not isinstance(value, np.ndarray):
        return hp.Bounded(value, RELATIVE * magnitude)
    return hp.Bounded(value, _each(lambda m: RELATIVE * m, magnitude))
