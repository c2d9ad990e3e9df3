"""The independent route of a parameter update: the step written again in mpmath from the route's
own gradients, and the output at the new values from the function as read (check_mp.evaluate)."""

from __future__ import annotations

import mpmath
import numpy as np

from symdl import hp

from . import check_mp
from .fields import read_values

DEFAULTS = {"momentum": "0.9", "beta1": "0.9", "beta2": "0.999", "eps": "10^{-8}", "step": "0"}


def _number(question, table, key):
    text = table.get(key, DEFAULTS.get(key))
    return check_mp.mp(question.matrix(key, source={key: text})[0, 0])


def independent(question, graph, gradients) -> dict:
    """update.* answers from ``gradients`` (the route's own grad.<input> values)."""
    table = question.get("update", dict)
    rule = table["rule"]
    values = read_values(question)
    params = table.get("params", list(values))
    out, errors = {}, {}
    with mpmath.workdps(check_mp.DPS):
        lr = _number(question, table, "lr")
        env = {n: check_mp.mp_array(v) for n, v in values.items()}
        for p in params:
            theta = env[p]
            g = np.array(gradients[f"grad.{p}"], dtype=object).reshape(theta.shape)
            g = np.vectorize(lambda v: mpmath.mpf(float(v)) if not isinstance(v, mpmath.mpf) else v,
                             otypes=[object])(g)

            def given(key):
                state = table.get(key, {})
                return (check_mp.mp_array(question.matrix(p, source=state)) if p in state
                        else check_mp._full(theta, mpmath.mpf(0)))
            if rule == "sgd":
                new = theta - lr * g
            elif rule == "momentum":
                velocity = _number(question, table, "momentum") * given("velocity") + g
                out[f"update.velocity.{p}"] = velocity
                new = theta - lr * velocity
            else:
                b1, b2, eps = (_number(question, table, k) for k in ("beta1", "beta2", "eps"))
                t = int(_number(question, table, "step")) + 1
                m = b1 * given("m") + (1 - b1) * g
                v = b2 * given("v") + (1 - b2) * g * g
                out[f"update.m.{p}"], out[f"update.v.{p}"] = m, v
                hat = np.vectorize(lambda mk, vk: (mk / (1 - b1**t)) / (mpmath.sqrt(vk / (1 - b2**t)) + eps),
                                   otypes=[object])
                new = theta - lr * hat(m, v)
            for state, before in (("velocity", "velocity"), ("m", "m"), ("v", "v")):
                key = f"update.{state}.{p}"
                if key in out:                          # terms: the state before, g (g^2 for v)
                    out[key] = hp.Bounded(out[key], _bound(abs(given(before)) + abs(g) + g * g + abs(out[key])))
            errors[p] = _bound(abs(theta) + abs(new - theta))          # terms: theta and its step
            out[f"update.{p}"] = hp.Bounded(new, errors[p])
            env[p] = new
        source = graph.source

        def output(shift):
            moved = {k: (v + shift * errors[k] if k in errors else v) for k, v in env.items()}
            return check_mp.evaluate(source.expr, moved, source.constants, check_mp.Probe())
        value = output(0)
        # the new parameters' own bounds carried to the output (moved by them either way)
        spread = np.maximum(_map_abs(output(1) - value), _map_abs(output(-1) - value))
        out["update.output"] = hp.Bounded(value, 2 * spread + _bound(_map_abs(value)))
    return out


def _map_abs(a):
    return np.frompyfunc(abs, 1, 1)(a).astype(object)


def _bound(magnitude):
    """A few units of the 45th digit times the size of the terms (the route works at 50)."""
    return np.frompyfunc(lambda m: mpmath.mpf(hp.mp_bound(m, check_mp.DPS - 15, 4)), 1, 1)(magnitude).astype(object)
