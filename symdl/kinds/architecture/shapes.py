"""Activation shapes and parameter layouts in each convention (MATLAB, PyTorch, Keras)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """An activation: H x W x C, a flat vector of C values (``flat``), or a sequence of W steps of
    C features each (``seq``, with H = 1; Keras and PyTorch write it [T, d], batch left out)."""

    h: int
    w: int
    c: int
    flat: bool = False
    seq: bool = False

    @property
    def numel(self):
        return self.h * self.w * self.c


def shape_list(shape: Shape, convention) -> list:
    """The activation's shape as written in ``convention``."""
    if shape.flat:
        return [1, 1, shape.c] if convention == "matlab" else [shape.c]
    if shape.seq:
        return [shape.w, shape.c]
    if convention == "pytorch":
        return [shape.c, shape.h, shape.w]
    return [shape.h, shape.w, shape.c]


def input_shape(size, convention) -> Shape:
    if len(size) == 1:
        return Shape(1, 1, size[0], flat=True)
    if len(size) == 2:                 # a sequence [T, d]
        return Shape(1, size[0], size[1], seq=True)
    if convention == "pytorch":
        c, h, w = size
    else:
        h, w, c = size
    return Shape(h, w, c)


def conv_weight_shape(convention, kh, kw, cin, f, groups) -> list:
    cg = cin // groups
    if convention == "pytorch":
        return [f, cg, kh, kw]
    if convention == "matlab" and groups > 1:
        return [kh, kw, cg, f // groups, groups]
    return [kh, kw, cg, f]


def conv_bias_shape(convention, f, groups) -> list:
    if convention == "matlab":
        return [1, 1, f // groups, groups] if groups > 1 else [1, 1, f]
    return [f]


def tconv_weight_shape(convention, kh, kw, cin, f, groups) -> list:
    if convention == "pytorch":
        return [cin, f // groups, kh, kw]
    return [kh, kw, f, cin]          # MATLAB and Keras: k_h x k_w x F x C_in


def fc_weight_shape(convention, n_in, n_out) -> list:
    return [n_in, n_out] if convention == "keras" else [n_out, n_in]


def fc_bias_shape(convention, n_out) -> list:
    return [n_out, 1] if convention == "matlab" else [n_out]


def channel_vector_shape(convention, c) -> list:
    return [1, 1, c] if convention == "matlab" else [c]




def categories(shape: Shape) -> str:
    """What a classification output over ``shape`` reports, in words."""
    if shape.flat or shape.h * shape.w == 1:
        return f"{shape.c} categories"
    return f"{shape.c} categories at each of the {shape.h} x {shape.w} positions"
