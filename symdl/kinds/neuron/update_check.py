"""The second route of the neuron's optimizer steps: every rule entry by entry in mpmath at 90 digits
(symdl.check.optim_route, which shares nothing with symdl.ops.updates), the settings read again from the spec's
``update`` table over the route's own PyTorch defaults, the first gradient the independent route's own,
each later one from the route's activation by a central difference at 90 digits; the new output by the
route's own activation. Every value carries a bound of 1e-35 of the size of its terms."""

from __future__ import annotations

import mpmath
import numpy as np

from symdl.check import hp
from symdl.input.latex import parse_matrix, parse_number
from symdl.check.mp_route import exact, mp
from symdl.check.optim_route import DEFAULTS, STATES, each, step, two_precisions, zeros

WORK = 90
H = 30
RELATIVE = mpmath.mpf(10) ** -35
OWN = ("rule", "part", "steps", "groups")


def _mp(value):
    """A spec number, a Fraction or an mpf as an mpf at the working precision."""
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        value = parse_number(value)
    return mp(exact(value))


def _settings(rule, table):
    out = {}
    for source in (DEFAULTS[rule], table):
        for key, value in source.items():
            if key in OWN or isinstance(value, dict):
                continue
            out[key] = value if isinstance(value, bool) else _mp(value)
    out["nesterov"] = out.get("nesterov", rule == "nesterov")
    return out


def _start(rule, table, s, D):
    """The state before the first step per parameter: given, else zeros (no velocity: torch's start)."""
    out = {"W": {}, "b": {}}
    for key in STATES.get(rule, ()):
        if rule == "rmsprop" and ((key == "m" and not s.get("centered")) or (key == "velocity" and not s["momentum"])):
            continue
        given = table.get(key, {})
        for name, shape in (("W", (D, 1)), ("b", (1, 1))):
            if name in given:
                entries = [_mp(v) for v in parse_matrix(given[name])]
                out[name][key] = np.array(entries, dtype=object).reshape(shape)
            else:
                out[name][key] = None if rule in ("momentum", "nesterov") else zeros(shape)
    return out


def update_answers(n, routed, activation, table) -> dict:
    """update.* for every step, at WORK and WORK + 40 digits, each bound widened by their distance."""
    return two_precisions(lambda digits: _run(n, routed, activation, table, digits), WORK)


def _run(n, routed, activation, table, digits) -> dict:
    """update.* for every step; ``routed``: the route's own gradients at the given point, ``activation``:
    the route's own forward function A(t), ``table``: the spec's update table as written."""
    rule = table["rule"]
    out = {}
    with mpmath.workdps(digits):
        s = _settings(rule, table)
        own = {p: {**s, **{k: (v if isinstance(v, bool) else _mp(v)) for k, v in g.items() if k != "params"}}
               for g in table.get("groups", []) for p in g["params"]}       # parameter groups over the table
        D = len(n.W)
        x = np.array([_mp(v) for v in n.x], dtype=object).reshape(D, 1)
        up = _mp(n.upstream)
        env = {"W": np.array([_mp(v) for v in n.W], dtype=object).reshape(D, 1),
               "b": np.array([[_mp(n.b)]], dtype=object)}
        state = {name: _start(rule, table, own.get(name, s), D)[name] for name in ("W", "b")}
        grads = {"W": np.array([_mp(g) for g in routed["grad.W"]], dtype=object).reshape(D, 1),
                 "b": np.array([[_mp(routed["grad.b"])]], dtype=object)}
        steps = int(table.get("steps", 1)) if not isinstance(table.get("steps", 1), str) else int(parse_number(table["steps"]))
        errors = {}
        for k in range(1, steps + 1):
            prefix = "update." if steps == 1 else f"update.{k}."
            point = dict(env)
            for name in env:
                sn = own.get(name, s)
                if rule == "classic" and sn.get("nesterov"):      # the classic Nesterov look-ahead theta + mu v
                    point[name] = env[name] + sn["momentum"] * state[name]["velocity"]
            moved = any(v != 0 for name in point for v in (point[name] - env[name]).ravel())
            if k > 1 or moved:
                z = mpmath.fsum((point["W"] * x).ravel()) + point["b"][0, 0]
                h = mpmath.mpf(10) ** -H * max(1, abs(z))
                delta = up * (activation(z + h) - activation(z - h)) / (2 * h)
                grads = {"W": delta * x, "b": np.array([[delta]], dtype=object)}
                for name in ("W", "b") if k > 1 else ():
                    out[f"{prefix}grad.{name}"] = _shaped(grads[name], each(lambda v: RELATIVE * (1 + abs(v)),
                                                                          grads[name]), name)
            for name in ("W", "b"):
                t = int(s.get("step", 0)) + k
                new, q = step(rule, own.get(name, s), env[name], grads[name], state[name], t)
                size = _abs(env[name]) + _abs(grads[name])
                for key, value in q.items():
                    where = f"{prefix}{name}" if key == "theta" else f"{prefix}{key}.{name}"
                    if isinstance(value, np.ndarray):
                        out[where] = _shaped(value, each(lambda m: RELATIVE * m, size + _abs(value)), name)
                    else:
                        out[where] = hp.Bounded(value, RELATIVE * (1 + abs(value)))
                errors[name] = each(lambda m: RELATIVE * m, size + _abs(new))
                state[name].update({key: q[key] for key in state[name]})
                env[name] = new
        z = mpmath.fsum((env["W"] * x).ravel()) + env["b"][0, 0]
        z_error = mpmath.fsum((_abs(x) * errors["W"]).ravel()) + errors["b"][0, 0] \
            + RELATIVE * (mpmath.fsum(_abs(env["W"] * x).ravel()) + abs(env["b"][0, 0]))
        y = activation(z)
        y = mpmath.re(y) if isinstance(y, mpmath.mpc) else y
        out["update.z"] = hp.Bounded(z, z_error)
        out["update.y"] = hp.Bounded(y, z_error + RELATIVE * abs(y))    # each activation is 1-Lipschitz or less
    return out


def _abs(a):
    return each(abs, a)


def _shaped(value, error, name):
    """W as a column, b as a number, each with its bound."""
    if name == "b":
        return hp.Bounded(value[0, 0], error[0, 0])
    return hp.Bounded(value, error)
