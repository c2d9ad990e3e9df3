"""The second route of optimizer steps, shared by the kinds' independent routes: every rule written again
entry by entry in mpmath on numpy object arrays, with PyTorch's defaults of its own. No derivation module
(symdl.ops.updates) is used."""

from __future__ import annotations

import mpmath
import numpy as np
from symdl.check import hp

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


def each(f, *arrays):
    return np.frompyfunc(f, len(arrays), 1)(*arrays).astype(object).reshape(arrays[0].shape)


def zeros(shape):
    out = np.empty(shape, dtype=object)
    out[...] = mpmath.mpf(0)
    return out


def step(rule, s, theta, g, state, t):
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
        if s.get("nesterov"):
            q["ahead"] = theta + s["momentum"] * state["velocity"]
        q["velocity"] = s["momentum"] * state["velocity"] - s["lr"] * g
        new = theta + q["velocity"]
    elif rule == "adagrad":
        q["sum"] = state["sum"] + g * g
        new = theta - s["lr"] * each(lambda gk, G: gk / (mpmath.sqrt(G) + s["eps"]), g, q["sum"])
    elif rule == "rmsprop":
        a = s["alpha"]
        q["s"] = a * state["s"] + (1 - a) * g * g
        if s.get("centered"):
            q["m"] = a * state["m"] + (1 - a) * g
            root = each(lambda sk, mk: mpmath.sqrt(sk - mk * mk) + s["eps"], q["s"], q["m"])
        else:
            root = each(lambda sk: mpmath.sqrt(sk) + s["eps"], q["s"])
        ratio = each(lambda gk, d: gk / d, g, root)
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
        new = theta - s["lr"] * each(lambda mk, vk: mk / (mpmath.sqrt(vk) + s["eps"]), q["m_hat"], q["v_hat"])
    q["theta"] = new
    return new, q




def two_precisions(run, work, extra=40):
    """``run(digits)`` (a dict of hp.Bounded) at ``work`` digits, each value's bound widened by ten times
    its distance to the same run at ``work + extra`` digits: the rounding noise a long trajectory
    carries (a value that is exactly 0 after three steps, 1e-62 in the route) is inside the bound."""
    low, high = run(work), run(work + extra)
    out = {}
    for key, a in low.items():
        b = high[key]
        if isinstance(a.value, np.ndarray):
            spread = each(lambda x, y: 10 * abs(x - y), a.value, b.value)
        else:
            spread = 10 * abs(a.value - b.value)
        out[key] = hp.Bounded(a.value, a.error + spread)
    return out
