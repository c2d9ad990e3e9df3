"""The graph kind's independent route: the parsed function evaluated with mpmath, gradients by differences.

Nothing here uses the op table (symdl.ops) or the exact graph values. The output and each
node's forward value come from evaluating SymPy trees as parsed (each node keeps the parsed
subexpression it stands for) with mpmath at high precision. A gradient is a central
difference of L = u^T f in high precision, its step scaled to the point and shrunk until no
kink or singular argument (relu, abs, max/min, log, division, power) moves by more than a
part in 10^8 within it, so the step stays far inside the distance to the nearest kink.

At an exact tie (relu(0), |0|, max(a, a)) the derivative is the stated convention, the
symmetric subgradient: each tied node's local derivative is the mean of its two one-sided
ones. The gradient is multilinear in those local derivatives, so the convention equals the
mean, over every choice of side at every tie, of the derivative of the smooth piece chosen;
each piece is reached by shifting its tied arguments by a tiny offset to that side.
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import sympy

DPS = 60                 # digits of the forward values
STEP = 25                # first step: 10^-STEP of the point's size
SHRINK = 10              # a step that moves a kink argument too much is cut by 10^SHRINK
TRIES = 7
STABLE = mpmath.mpf("1e-8")
TIE_SHIFT = 60           # the first tied argument is moved 10^-TIE_SHIFT (of its size) to one side,
TIE_RATIO = 5            # each later one 10^TIE_RATIO times further, so that it outweighs what the
                         # shifts before it moved it by (ties are listed in evaluation order)
MAX_TIES = 8             # at most 2^8 side choices are averaged; past it, plain central differences


class Probe:
    """One evaluation: records kink and singular arguments, shifts tied ones to a chosen side."""

    def __init__(self, shifts=None):
        self.shifts = shifts or {}
        self.args = {}
        self.counter = 0

    def next_key(self):
        self.counter += 1
        return self.counter

    def kink(self, key, arg, scale=None):
        """The kink argument ``arg`` (where the derivative switches at 0), shifted if tied."""
        if self.shifts:
            arg = arg.copy()
            for index in np.ndindex(arg.shape):
                offset = self.shifts.get((key, index))
                if offset is not None:
                    size = scale[index] if scale is not None and scale[index] != 0 else mpmath.mpf(1)
                    arg[index] = arg[index] + offset * size
        self.args[key] = ("kink", arg)
        return arg

    def singular(self, key, arg):
        self.args[key] = ("singular", arg)


def mp(value):
    """An exact SymPy number (or int) as an mpf at the working precision."""
    if isinstance(value, sympy.Rational) or isinstance(value, int):
        value = sympy.Rational(value)
        return mpmath.mpf(int(value.p)) / int(value.q)
    number = sympy.N(value, mpmath.mp.dps + 10)
    if number.free_symbols or not number.is_real:
        raise ValueError(f"not a real number: {value}")
    return mpmath.mpf(sympy.Float(number, mpmath.mp.dps + 10)._mpf_)


def mp_array(matrix):
    """A SymPy matrix as a 2-D numpy object array of mpf."""
    rows = matrix.tolist()
    out = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            out[i, j] = mp(v)
    return out


def _map(f, a):
    return np.frompyfunc(f, 1, 1)(a).astype(object).reshape(a.shape)


def _full(a, value):
    out = np.empty(a.shape, dtype=object)
    out[...] = value
    return out


def _relu(probe, key, a):
    t = probe.kink(key, a)
    return np.where(_map(lambda v: v > 0, t).astype(bool), t, _full(t, mpmath.mpf(0)))


def _abs(probe, key, a):
    t = probe.kink(key, a)
    return _map(lambda v: v if v >= 0 else -v, t)


def _extreme(probe, key, a, b, larger):
    a, b = np.broadcast_arrays(a, b)
    scale = _map(lambda v: abs(v), a)
    d = probe.kink(key, (a - b).astype(object), scale)
    pick_a = _map(lambda v: v > 0 if larger else v < 0, d).astype(bool)
    shifted_a = (b + d).astype(object)          # a as moved by the shift (d = a' - b)
    return np.where(pick_a, shifted_a, b).astype(object)


def _div(probe, key, a, b):
    probe.singular(key, b)
    return (a / b).astype(object)


def _log(probe, key, a):
    probe.singular(key, a)
    return _map(mpmath.log, a)


def _pow(probe, key, a, c):
    if c == int(c) and c >= 0:
        n = int(c)
        return _map(lambda v: v ** n, a)
    probe.singular(key, a)
    exponent = mp(c)
    return _map(lambda v: mpmath.power(v, exponent), a)


def _sigmoid(a):
    return _map(lambda v: 1 / (1 + mpmath.exp(-v)), a)


def _times(a, b):
    """A product as the exam writes it: a scalar scales, two matrices multiply."""
    if a.shape == (1, 1) or b.shape == (1, 1):
        return (a * b).astype(object)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matrix product of {a.shape} and {b.shape}")
    return (a @ b).astype(object)


def _sum(a):
    return _full(np.empty((1, 1)), mpmath.fsum(a.ravel()))


def _mean(a):
    return _full(np.empty((1, 1)), mpmath.fsum(a.ravel()) / a.size)


# ------------------------------------------------------------------ parsed trees ---

def evaluate(expr, env, constants, probe):
    """The value of a parsed SymPy tree: a 2-D object array of mpf (a scalar is 1 x 1)."""
    if expr in constants:
        return mp_array(constants[expr])
    if isinstance(expr, sympy.Symbol):
        return env[expr.name]
    if expr.is_number:
        return _full(np.empty((1, 1)), mp(expr))
    args = expr.args
    if isinstance(expr, sympy.Add):
        parts = [evaluate(a, env, constants, probe) for a in args]
        total = parts[0]
        for p in parts[1:]:
            total = (total + p).astype(object)
        return total
    if isinstance(expr, sympy.Mul):
        out = None
        for factor in args:
            if isinstance(factor, sympy.Pow) and factor.exp == -1 and out is not None:
                out = _div(probe, probe.next_key(), out, evaluate(factor.base, env, constants, probe))
                continue
            value = evaluate(factor, env, constants, probe)
            out = value if out is None else _times(out, value)
        return out
    if isinstance(expr, sympy.Pow):
        if expr.base == sympy.E:
            return _map(mpmath.exp, evaluate(expr.exp, env, constants, probe))
        base = evaluate(expr.base, env, constants, probe)
        if expr.exp == -1:
            return _div(probe, probe.next_key(), _full(base, mpmath.mpf(1)), base)
        return _pow(probe, probe.next_key(), base, sympy.Rational(expr.exp) if expr.exp.is_Rational
                    else expr.exp)
    name = type(expr).__name__.lower()
    values = [evaluate(a, env, constants, probe) for a in args]
    return apply_named(name, values, probe, probe.next_key())


def apply_named(name, values, probe, key, param=None):
    """Op ``name`` (a graph op or a parsed function's name) applied to mpf arrays."""
    a = values[0]
    elementwise = {"exp": lambda: _map(mpmath.exp, a), "tanh": lambda: _map(mpmath.tanh, a),
                   "sigmoid": lambda: _sigmoid(a), "neg": lambda: _map(lambda v: -v, a),
                   "log": lambda: _log(probe, key, a), "relu": lambda: _relu(probe, key, a),
                   "abs": lambda: _abs(probe, key, a), "sum": lambda: _sum(a), "mean": lambda: _mean(a),
                   "transpose": lambda: a.T.copy()}
    if name in elementwise:
        return elementwise[name]()
    if name == "pow":
        return _pow(probe, key, a, param)
    b = values[1]
    binary = {"add": lambda: (a + b).astype(object), "sub": lambda: (a - b).astype(object),
              "mul": lambda: (a * b).astype(object), "div": lambda: _div(probe, key, a, b),
              "matmul": lambda: (a @ b).astype(object),
              "max": lambda: _extreme(probe, key, a, b, True), "min": lambda: _extreme(probe, key, a, b, False)}
    if name in binary:
        return binary[name]()
    raise ValueError(f"no independent evaluation for '{name}'")


# ------------------------------------------------------------------- differences ---

def _stable(base, moved):
    """True when no kink or singular argument changed sign or moved by more than STABLE of itself."""
    for key, (_, arg0) in base.args.items():
        if key not in moved.args:
            continue
        arg1 = moved.args[key][1]
        for v0, v1 in zip(arg0.ravel(), np.broadcast_to(arg1, arg0.shape).ravel()):
            if mpmath.sign(v0) != mpmath.sign(v1) or abs(v1 - v0) > STABLE * abs(v0):
                return False
    return True


def central(loss, size, shifts):
    """dL/dt at t = 0 for ``loss(t, probe)``, the step scaled to ``size`` and to the kinks."""
    size = abs(size) if size != 0 else mpmath.mpf(1)
    for attempt in range(TRIES):
        digits = STEP + SHRINK * attempt
        with mpmath.workdps(DPS + digits + 20):
            h = size * mpmath.mpf(10) ** (-digits)
            p0, pp, pm = Probe(shifts), Probe(shifts), Probe(shifts)
            loss(mpmath.mpf(0), p0)
            up, down = loss(h, pp), loss(-h, pm)
            if _stable(p0, pp) and _stable(p0, pm):
                return (up - down) / (2 * h)
    return mpmath.nan


def ties(loss):
    """The tied kink entries of ``loss`` at t = 0: exactly zero, not a rounding residue."""
    with mpmath.workdps(DPS + 40):
        low = Probe()
        loss(mpmath.mpf(0), low)
    with mpmath.workdps(2 * DPS + 80):
        high = Probe()
        loss(mpmath.mpf(0), high)
        out = []
        for key, (what, arg) in high.args.items():
            if what != "kink" or key not in low.args:
                continue
            for index in np.ndindex(arg.shape):
                v_high, v_low = arg[index], low.args[key][1][index]
                if v_high == 0 or abs(v_high) <= mpmath.mpf(10) ** (-DPS) * abs(v_low):
                    out.append((key, index))
    return sorted(out)


def derivative(loss, size, tied):
    """dL/dt at 0, the symmetric-subgradient convention at the ``tied`` kink entries."""
    if not tied or len(tied) > MAX_TIES:
        return central(loss, size, None)
    offsets = [mpmath.mpf(10) ** (TIE_RATIO * j - TIE_SHIFT) for j in range(len(tied))]
    total = mpmath.mpf(0)
    for sides in itertools.product((1, -1), repeat=len(tied)):
        shifts = {entry: side * offset for entry, side, offset in zip(tied, sides, offsets)}
        total += central(loss, size, shifts)
    return total / 2 ** len(tied)


# ------------------------------------------------------------------ the question ---

MP_BUDGET = 400_000      # entry evaluations (graph size x gradient entries) the mpmath route affords


def affordable(graph) -> bool:
    """True when every gradient entry of ``graph`` can be differenced in high precision."""
    size = sum(int(np.prod(n.shape)) for n in graph.nodes)
    entries = sum(int(np.prod(n.shape)) for n in graph.nodes if n.op != "const")
    return 3 * size * entries <= MP_BUDGET


def _loss_of(out, weights):
    return mpmath.fsum((weights * out).ravel())


def independent(question, graph, parsed, values, upstream):
    """Forward value of every node and output, and every gradient, all from mpmath.

    ``parsed`` is the function as read (latex_parse.Parsed), ``values`` the inputs as
    read from the spec (name -> exact matrix), ``upstream`` the exact upstream or None.
    ``graph`` supplies only the node names, their parsed subexpressions and which node
    feeds which (for the gradients of inner nodes); none of its values or rules is used.
    """
    def inputs(name=None, index=None, t=0):
        env = {n: mp_array(v) for n, v in values.items()}
        if name is not None:
            env[name][index] += t
        return env

    result = {}
    with mpmath.workdps(DPS):
        out = evaluate(parsed.expr, inputs(), parsed.constants, Probe())
        result["output"] = out
        for node in graph.nodes:
            if not node.is_leaf:
                result[f"forward.{node.id}"] = evaluate(node.expr, inputs(), parsed.constants, Probe())
    shape = out.shape

    def weights():
        return mp_array(upstream) if upstream is not None else _full(np.empty(shape), mpmath.mpf(1))

    def tree_loss(name, index):
        def loss(t, probe):
            return _loss_of(evaluate(parsed.expr, inputs(name, index, t), parsed.constants, probe), weights())
        return loss

    def graph_loss(node_id, index):
        def loss(t, probe):
            vals = {}
            for position, node in enumerate(graph.nodes):
                if node.op == "input":
                    vals[node.id] = mp_array(values[node.id])
                elif node.op == "const":
                    vals[node.id] = mp_array(node.value)
                else:
                    vals[node.id] = apply_named(node.op, [vals[i] for i in node.inputs], probe, position,
                                                node.param)
                if node.id == node_id:
                    vals[node.id] = vals[node.id].copy()
                    vals[node.id][index] += t
            return _loss_of(vals[graph.output.id], weights())
        return loss

    tree_ties = ties(tree_loss(None, None))
    graph_ties = ties(graph_loss(None, None))
    for node in graph.nodes:
        if node.op == "const":
            continue
        if node.op == "input":
            point = mp_array(values[node.id])
            make, tied = (lambda index, n=node.id: tree_loss(n, index)), tree_ties
        else:
            point = result[f"forward.{node.id}"]
            make, tied = (lambda index, n=node.id: graph_loss(n, index)), graph_ties
        grad = np.empty(point.shape, dtype=object)
        for index in np.ndindex(point.shape):
            grad[index] = derivative(make(index), point[index], tied)
        result[f"grad.{node.id}"] = grad
    return result
