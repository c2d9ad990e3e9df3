"""The graph kind's float64 route past the mpmath budget: each op with numpy's own functions, and its rounding bound."""

from __future__ import annotations

import numpy as np

from .check_ops import NUMPY, numpy_error as vector_error


def numpy_error(node, args, errors, value):
    """A bound on the rounding error of the float64 ``value`` of ``node`` (running error
    analysis): the error its arguments carry, carried through the op's derivative, plus the
    op's own roundings. ``errors`` are the arguments' bounds."""
    eps = float(np.finfo(float).eps)
    own = eps * np.abs(value)
    a = args[0]
    ea = errors[0]
    op = node.op
    if op in ("add", "sub"):
        return ea + errors[1] + own
    if op == "mul":
        return np.abs(a) * errors[1] + np.abs(args[1]) * ea + ea * errors[1] + own
    if op == "div":
        return (ea + np.abs(value) * errors[1]) / np.maximum(np.abs(args[1]) - errors[1], eps * np.abs(args[1])) + own
    if op == "matmul":
        inner = a.shape[1]
        return (np.abs(a) @ errors[1] + ea @ np.abs(args[1]) + ea @ errors[1]
                + (inner + 1) * eps * (np.abs(a) @ np.abs(args[1])))
    if op in ("max", "min"):
        return np.maximum(ea, errors[1])
    if op in ("relu", "abs", "neg", "transpose", "tanh", "sigmoid"):   # Lipschitz 1 (1/4 for sigmoid)
        return (ea.T if op == "transpose" else ea) + own
    if op == "exp":
        return np.abs(value) * ea * np.exp(np.minimum(ea, 1.0)) + own
    if op == "log":
        return ea / np.maximum(np.abs(a) - ea, eps * np.abs(a)) + own
    if op == "pow":
        p = float(node.param)
        return np.abs(p) * np.power(np.abs(a) + ea, p - 1) * ea + own
    if op in NUMPY:
        return vector_error(op, args, errors, value)
    if op in ("sum", "mean"):
        n = a.size
        total = (ea.sum() + n * eps * np.abs(a).sum()) / (n if op == "mean" else 1)
        return np.array([[total]]) + own
    raise ValueError(f"no error bound for '{op}'")


def numpy_op(node, args):
    """One node's float64 value with numpy's own functions, for graphs past check_mp.MP_BUDGET."""
    a = args[0]
    table = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
             "max": np.maximum, "min": np.minimum, "matmul": np.matmul,
             "exp": np.exp, "log": np.log, "tanh": np.tanh, "abs": np.abs, "neg": np.negative,
             "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)), "relu": lambda v: np.maximum(v, 0.0),
             "pow": lambda v: np.power(v, float(node.param)), "transpose": np.transpose,
             "sum": lambda v: np.array([[v.sum()]]), "mean": lambda v: np.array([[v.mean()]])}
    if node.op in NUMPY:
        return NUMPY[node.op](*args)
    if node.op not in table:
        raise ValueError(f"no independent evaluation for '{node.op}'")
    return table[node.op](*args) if node.op in ("add", "sub", "mul", "div", "max", "min", "matmul") \
        else table[node.op](a)
