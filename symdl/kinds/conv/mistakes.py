"""The mistakes students make with a convolution: the kind's exact window arithmetic (``exact``) run
again with one thing done wrong, each under one name on every answer it changes:

- **bias-forgotten** (a convolution with a bias): the window sums without the bias;
- **kernel-flipped**: the kernel rotated by 180 degrees (the textbook convolution, where the layer
  computes a cross-correlation), in the output and in the input's gradient, which reads the kernel;
- **max-grad-to-every-entry** (max pooling with a backward pass): the upstream value sent to every
  entry of the window, not only to its maximum (as average pooling would, without the 1/area).

A padding left out changes the output's size, not only its values, and is not listed.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from symdl.solution import Mistake

from . import exact as ex
from .fields import read


def _name(base, index, many):
    return f"{base}.{index + 1}" if many else base


def _conv(p):
    """{answer: value} of the output and the input's gradient for the problem ``p``."""
    out = {}
    for f, entries in enumerate(ex.conv_forward(p, ex.padded(p, p.x))):
        out[_name("output", f, p.F > 1)] = ex.to_matrix(p, entries, lambda e: e[1])
    if p.upstream is not None:
        H, W = p.in_size
        for c, entries in enumerate(ex.conv_grad_input(p)):
            out[_name("grad.input", c, p.C > 1)] = sp.Matrix(H, W, lambda a, b: entries[a, b][1])
    return out


def _every_entry(p):
    """dL/dX of max pooling with each window's upstream value sent to all of its entries."""
    t, _, l, _ = p.pad
    H, W = p.in_size
    out = {}
    for c in range(p.C):
        def entry(a, b):
            return sum((p.upstream[c][i, j] for i, j, _, _ in ex.covering(p, a + t, b + l)), sp.Integer(0))
        out[_name("grad.input", c, p.C > 1)] = sp.Matrix(H, W, entry)
    return out


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for the outputs and input gradients a mistake changes."""
    p = read(question)
    runs = []
    if p.operation == "conv":
        if p.has_bias and any(b != 0 for b in p.bias):
            runs.append(("bias-forgotten", "you left the bias out of the window sums",
                         _conv(replace(p, bias=[sp.Integer(0)] * p.F))))
        flipped = [[k[::-1, ::-1] for k in kern] for kern in p.kernels]
        runs.append(("kernel-flipped", "you flipped the kernel (the textbook convolution); the layer slides "
                     "the kernel as it is (a cross-correlation)", _conv(replace(p, kernels=flipped))))
    elif p.operation == "maxpool" and p.upstream is not None:
        runs.append(("max-grad-to-every-entry", "you sent each window's upstream value to every entry of "
                     "the window, not only to its maximum", _every_entry(p)))
    found: dict = {}
    for slug, why, values in runs:
        for name, value in values.items():
            if name in solution.answers and value != solution.answers[name]:
                found.setdefault(name, []).append(Mistake(slug, value, why))
    return found
