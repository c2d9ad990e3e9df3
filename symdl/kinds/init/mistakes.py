"""The mistakes students make with an initialisation scale, each the closed form again with one slip:

- **kernel-left-out-of-fans**: the fans taken as the channel counts alone (a convolution's kernel size
  forgotten);
- **other-fan** (Kaiming): the other fan than the mode's (fan_out for fan_in and back);
- **sqrt3-forgotten** (uniform): the bound taken equal to the standard deviation;
- **gain-forgotten**: the gain left out (1 where it is not 1);
- **truncation-ignored** (a truncated normal): the standard deviation before truncation taken equal to the
  weights' (Keras's 0.8796 factor left out);
- **truncation-inverted**: the factor multiplied where it divides (or divided where it multiplies).
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from symdl.solution import Mistake

from .fields import read
from .explain import TRUNCATED_STD


def _scale(p):
    fan = {"fan_in": p.fan_in, "fan_out": p.fan_out, "fan_avg": sp.Rational(p.fan_in + p.fan_out, 2)}[p.mode]
    std = p.gain * sp.sqrt(sp.Integer(1) / fan)
    return {"std": std, "bound": sp.sqrt(3) * std}


def _truncation(p, solution) -> dict:

    why = ("you took the standard deviation before truncation equal to the weights' (the truncation narrows "
           "the normal by the factor c = 0.8796)")
    inverted = "you multiplied and divided by c = 0.8796 the other way round"
    if p.scheme == "truncated_normal":
        return {"std": [Mistake("truncation-ignored", p.stddev, why),
                        Mistake("truncation-inverted", p.stddev / TRUNCATED_STD, inverted)]}
    std = solution.answers["std"]
    return {"std_untruncated": [Mistake("truncation-ignored", std, why),
                                Mistake("truncation-inverted", std * TRUNCATED_STD, inverted)]}


def mistakes(question, solution) -> dict:
    p = read(question)
    if p.scheme == "truncated_normal":
        return _truncation(p, solution)
    runs = []
    if p.shape is not None and len(p.shape) > 2:
        maps = (p.shape[1], p.shape[0]) if p.layout == "pytorch" else (p.shape[-2], p.shape[-1])
        runs.append(("kernel-left-out-of-fans", "you counted the channels only, not the kernel's positions, in "
                     "the fans",
                     _scale(replace(p, fan_in=maps[0], fan_out=maps[1]))))
    if p.family == "kaiming" and p.mode != "fan_avg" and p.fan_in != p.fan_out:
        runs.append(("other-fan", "you used the other fan than the mode asks",
                     _scale(replace(p, mode="fan_out" if p.mode == "fan_in" else "fan_in"))))
    if p.gain != 1:
        runs.append(("gain-forgotten", "you left the gain out", _scale(replace(p, gain=sp.Integer(1)))))
    found: dict = {}
    for slug, why, values in runs:
        for name, value in values.items():
            if name in solution.answers and sp.simplify(value - solution.answers[name]) != 0:
                found.setdefault(name, []).append(Mistake(slug, value, why))
    if "bound" in solution.answers:
        found.setdefault("bound", []).append(Mistake("sqrt3-forgotten", solution.answers["std"],
                                                     "you took the bound equal to the standard deviation "
                                                     "(b = sqrt(3) sigma)"))
    if p.truncated:
        found.update(_truncation(p, solution))
    return found
