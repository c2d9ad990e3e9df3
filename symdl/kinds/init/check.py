"""The init kind's independent route: the fans, the gain and the scales in float64 from the shape
alone, with math's square root (it never imports the derivation)."""

from __future__ import annotations

import math

GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}


def independent(p) -> dict:
    if p.shape is not None:
        dims = list(p.shape) if p.layout == "pytorch" else [p.shape[-1], p.shape[-2], *p.shape[:-2]]
        area = math.prod(dims[2:])
        fan_in, fan_out = dims[1] * area, dims[0] * area
    else:
        fan_in, fan_out = p.fan_in, p.fan_out
    if p.nonlinearity is None:
        gain = float(p.gain)
    elif p.nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1.0 + float(p.slope) ** 2))
    else:
        gain = GAINS[p.nonlinearity]
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[p.mode]
    std = gain * math.sqrt(1.0 / fan)       # xavier: fan_avg, gain * sqrt(2 / (n_in + n_out))
    out = {"fan_in": fan_in, "fan_out": fan_out, "gain": gain, "std": std, "variance": std * std}
    if p.distribution == "uniform":
        out["bound"] = math.sqrt(3.0 * std * std)
    return out
