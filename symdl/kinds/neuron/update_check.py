"""The second route of the neuron's parameter update: the optimizer's step entry by entry in Python
Fractions (SGD, momentum) or mpmath at 50 digits (Adam's square root), from the gradients the
independent route found; the new output by the route's own activations. No derivation module is used."""

from __future__ import annotations

from fractions import Fraction

import mpmath

from symdl.mp_route import DPS, exact, mp, number


def _plain(value):
    """A route value (Fraction, or a SymPy Float of 50 digits) as a Fraction or an mpf."""
    return value if isinstance(value, Fraction) else mp(exact(value))


def _step(u, p, g, state, conv):
    """One parameter entry: (new value, {state name: new value}); ``conv`` makes every number a Fraction
    (all exact) or an mpf (a gradient from the complex-step route)."""
    p, g, state = conv(p), conv(g), {k: conv(v) for k, v in state.items()}
    lr, wd = conv(exact(u.lr)), conv(exact(u.weight_decay))
    g = g + wd * p
    if u.rule == "sgd":
        return p - lr * g, {}
    if u.rule == "momentum":
        vel = conv(exact(u.momentum)) * state["velocity"] + g
        return p - lr * vel, {"velocity": vel}
    b1, b2, eps = (conv(exact(v)) for v in (u.beta1, u.beta2, u.eps))
    m = b1 * state["m"] + (1 - b1) * g
    v = b2 * state["v"] + (1 - b2) * g * g
    m_hat, v_hat = mp(m) / mp(1 - b1 ** u.t), mp(v) / mp(1 - b2 ** u.t)
    return mp(p) - mp(lr) * m_hat / (mpmath.sqrt(v_hat) + mp(eps)), {"m": m, "v": v}


def update_answers(n, routed, activation) -> dict:
    """update.W, update.b, the states and the new z and y; ``routed``: the route's own gradients,
    ``activation``: the route's own forward function A(t)."""
    u = n.update
    out = {}
    with mpmath.workdps(DPS):
        new = {}
        grads = {"W": [_plain(g) for g in routed["grad.W"]], "b": [_plain(routed["grad.b"])]}
        values = {"W": [exact(w) for w in n.W], "b": [exact(n.b)]}
        rational = u.rule != "adam" and all(isinstance(g, Fraction) for g in grads["W"] + grads["b"])
        conv = (lambda v: v) if rational else mp
        for name in ("W", "b"):
            entries, states = [], {}
            for i, (p, g) in enumerate(zip(values[name], grads[name])):
                state = {k: exact(u.state[k][name][i] if name == "W" else u.state[k][name]) for k in u.state}
                value, after = _step(u, p, g, state, conv)
                entries.append(value)
                for k, v in after.items():
                    states.setdefault(k, []).append(v)
            new[name] = entries
            shape = (lambda xs: [number(x) for x in xs]) if name == "W" else (lambda xs: number(xs[0]))
            out[f"update.{name}"] = shape(entries)
            for k, v in states.items():
                out[f"update.{k}.{name}"] = shape(v)
        z = sum((w * conv(exact(x)) for w, x in zip(new["W"], n.x)), conv(Fraction(0))) + new["b"][0]
        out["update.z"] = number(z)
        y = activation(z)
        out["update.y"] = number(y if isinstance(y, Fraction) else mpmath.re(y))
    return out
