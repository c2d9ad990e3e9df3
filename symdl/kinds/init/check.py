"""The init kind's independent route: the fans, the gain and the scales in float64 from the shape
alone, with math's square root (it never imports the derivation); a truncated normal's narrowing from
Simpson's rule over the density (no erf, no closed form)."""

from __future__ import annotations

import math

GAINS = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0), "selu": 0.75}
SIMPSON_STEPS = 20_000


def truncated_std() -> float:
    """The standard deviation of N(0, 1) kept within [-2, 2]: sqrt(int x^2 phi / int phi) over [-2, 2], each
    integral by Simpson's rule (the common factor 1/sqrt(2 pi) cancels)."""
    h = 4.0 / SIMPSON_STEPS
    mass = second = 0.0
    for i in range(SIMPSON_STEPS + 1):
        x = -2.0 + i * h
        w = 1 if i in (0, SIMPSON_STEPS) else (4 if i % 2 else 2)
        density = math.exp(-x * x / 2)
        mass += w * density
        second += w * x * x * density
    return math.sqrt(second / mass)


def independent(p) -> dict:
    if p.scheme == "truncated_normal":
        std = float(p.stddev) * truncated_std()
        return {"std": std, "variance": std * std, "cutoff": 2.0 * float(p.stddev)}
    if p.shape is not None:
        dims = list(p.shape) if p.layout == "pytorch" else [p.shape[-1], p.shape[-2], *p.shape[:-2]]
        area = math.prod(dims[2:])
        fan_in, fan_out = dims[1] * area, dims[0] * area
    else:
        fan_in, fan_out = p.fan_in, p.fan_out
    if p.scheme.startswith("lecun"):
        gain = 1.0
    elif p.nonlinearity is None:
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
    if p.truncated:
        out["std_untruncated"] = std / truncated_std()
        out["cutoff"] = 2.0 * out["std_untruncated"]
    return out
