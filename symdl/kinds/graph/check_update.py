"""The independent route of the optimizer steps: every rule written again entry by entry in mpmath
(none of symdl.ops.updates is used), its settings and defaults read again from the spec, each step's
gradient a central difference of L = u^T f through the function as read (check_mp.evaluate), or the
gradient given for the step; the output at the end from the function as read."""

from __future__ import annotations

import mpmath
import numpy as np

from symdl.check import hp
from symdl.check.optim_route import DEFAULTS, STATES, each as _each, step as _step, two_precisions, zeros as _zeros

from . import check_mp
from .fields import read_values

WORK = 90                # digits of the loop (the route's values are compared at 50)
H = 30                   # a difference's step: 10^-H of the point's size
RELATIVE = mpmath.mpf(10) ** -35     # each value's bound, relative to the size of the terms it sums


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
    """update.* answers; ``gradients``: the route's own grad.<input> values at the given point. The loop
    runs at WORK and at WORK + 40 digits; their distance widens each bound (optim_route.two_precisions)."""
    return two_precisions(lambda digits: _run(question, graph, gradients, digits), WORK)


def _run(question, graph, gradients, digits) -> dict:
    table = question.get("update", dict)
    rule = table["rule"]
    values = read_values(question)
    params = table.get("params", list(values))
    groups = {p: g for g in table.get("groups", []) for p in g["params"]}
    given = table.get("grads")
    steps = len(next(iter(given.values()))) if given else int(table.get("steps", 1))
    out = {}
    with mpmath.workdps(digits):
        settings = {p: _settings(question, rule, table, groups.get(p, {})) for p in params}
        env = {n: check_mp.mp_array(v) for n, v in values.items()}
        state = {p: _start(question, rule, table, p, env[p].shape, settings[p]) for p in params}
        u = (check_mp.mp_array(question.matrix("upstream")) if question.has("upstream") else None)
        errors = {}
        for k in range(1, steps + 1):
            prefix = "update." if steps == 1 else f"update.{k}."
            ahead = {p: env[p] + settings[p]["momentum"] * state[p]["velocity"] for p in params
                     if rule == "classic" and settings[p].get("nesterov")}    # the classic Nesterov look-ahead
            moved = any(v != 0 for p in ahead for v in state[p]["velocity"].ravel())
            if given:
                grads = {p: check_mp.mp_array(question.matrix(p, source={p: given[p][k - 1]})) for p in params}
            elif k == 1 and not moved:
                grads = {p: _each(lambda v: v if isinstance(v, mpmath.mpf) else mpmath.mpf(float(v)),
                                  np.array(gradients[f"grad.{p}"], dtype=object).reshape(env[p].shape))
                         for p in params}
            else:
                point = {**env, **ahead}
                first = check_mp.evaluate(graph.source.expr, point, graph.source.constants, check_mp.Probe())
                weights = u if u is not None else _each(lambda _: mpmath.mpf(1), first)
                grads = {p: _difference(graph.source, point, p, weights) for p in params}
                if k > 1:
                    for p in params:
                        out[f"{prefix}grad.{p}"] = _bounded(grads[p], _each(lambda v: max(abs(v), 1), point[p]))
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
