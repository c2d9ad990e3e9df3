"""The graph kind's independent route: the parsed function evaluated with mpmath, gradients by differences.

Nothing here uses the op table (symdl/ops/) or the exact graph values. The output and each
node's forward value come from evaluating SymPy trees as parsed (each node keeps the parsed
subexpression it stands for) with mpmath at high precision. A gradient is a central
difference of L = u^T f in high precision, its step scaled to the point and shrunk until no
kink or singular argument (relu, abs, max/min, log, division, power) moves by more than a
part in 10^8 within it, so the step stays far inside the distance to the nearest kink.

At an exact tie (relu(0), |0|, max(a, a)) the derivative is the exam's stated convention
(its own table, SIDES, not the op table's): each tied node's local derivative is the mean of
its one-sided ones over the sides the convention takes (both, except relu at 0 under
"pytorch": only the left side, relu'(0) = 0). The route differences a function in which each
tied entry's kink is replaced by the straight line through it with that mean slope (relu(t) by
0 t or t / 2, |t| by 0 t, max(a, b) by b + (a - b) / 2): the gradient is multilinear in the
local derivatives (a path through the graph meets each entry once), so the derivative of that
function is the convention's gradient, found with one difference whatever the number of ties.

A tie of max or min follows the exam's tie convention ([exam] ties) by its own line: "split"
b + (a - b) / 2 (a max over k entries, a chain of pairwise ones, weighs the j-th tied entry
(j - 1) / j against the new one, so each gets 1/k), "first" a itself (the first argument, the
first entry in reading order), "all" a + b - c with c the tie's value at the point (both
slopes 1, its value unchanged).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from symdl.check import hp

from .check_ops import apply
from .check_prims import absolute, extreme, filled, map_entries, relu

DPS = 60                 # digits of the forward values
STEP = 25                # first step: 10^-STEP of the point's size
FINER = 15               # the second pass of the reverse accumulation steps 10^-FINER finer: its distance
                         # to the first bounds the differences' truncation (h^2 ~ 1e-50) as well as rounding
SHRINK = 10              # a step that moves a kink argument too much is cut by 10^SHRINK
TRIES = 7
STABLE = mpmath.mpf("1e-8")
BOOSTS = (0, 100, 500, 4500)   # extra digits tried in turn until a difference stands above the noise
SIGNIFICANT = 20         # digits a difference must carry above the rounding noise
# the sides of a tie whose one-sided derivatives are averaged, per convention and kink
SIDES = {"pytorch": {"relu": (-1,), "abs": (1, -1), "step": (1, -1),
                     "clamp_low": (1,), "clamp_high": (-1,)},
         "symmetric": {"relu": (1, -1), "abs": (1, -1), "step": (1, -1),
                       "clamp_low": (1, -1), "clamp_high": (1, -1)}}
# the slope of each kink on each side of 0 (a step function: flat on both sides; clamp: the weight
# of x against its bound, check_ops); a tie of max/min follows the tie convention (_extreme)
ONE_SIDED = {"relu": {1: 1, -1: 0}, "abs": {1: 1, -1: -1},
             "step": {1: 0, -1: 0}, "clamp_low": {1: 1, -1: 0}, "clamp_high": {1: 0, -1: 1}}


class Probe:
    """One evaluation: records kink and singular arguments; tied kink entries (``sides``: (key,
    index) -> the sides the convention averages) are evaluated on their mean-slope line."""

    def __init__(self, sides=None, base=None):
        self.sides = sides or {}
        self.base = base if base is not None else {}     # a tie's value at the point (shared by the probes)
        self.args = {}
        self.kinks = {}          # key -> 'relu', 'abs' or 'extreme' (max/min)
        self.counter = 0
        self.node = None

    def next_key(self):
        self.counter += 1
        return self.counter if self.node is None else (self.node, self.counter)

    def at(self, position):
        """Keys from here on belong to the graph node at ``position``: (position, 0) for the op,
        (position, 1), ... for the kinks inside it (a max over entries), the same in every pass."""
        self.node, self.counter = position, 0
        return (position, 0)

    def kink(self, key, arg, what="extreme"):
        """Record the kink argument ``arg`` (where the derivative switches at 0)."""
        self.args[key] = ("kink", arg)
        self.kinks[key] = what
        return arg

    def lines(self, key, kind):
        """(index, slope) of each tied entry of kink ``key``: the convention's mean one-sided slope."""
        for (k, index), sides in self.sides.items():
            if k == key:
                yield index, mpmath.mpf(sum(ONE_SIDED[kind][s] for s in sides)) / len(sides)

    def tie_rule(self, key, index):
        """The tie convention of kink entry (key, index) when it is a tied max/min, else None."""
        sides = self.sides.get((key, index))
        return sides[1] if sides and sides[0] == "tie" else None

    def tie_value(self, key, index, value):
        """The tie's value at the point: recorded by the first evaluation (t = 0) at this precision."""
        return self.base.setdefault((key, index, mpmath.mp.dps), value)

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


def _div(probe, key, a, b):
    probe.singular(key, b)
    return (a / b).astype(object)


def _log(probe, key, a):
    probe.singular(key, a)
    return map_entries(mpmath.log, a)


def _pow(probe, key, a, c):
    if c == int(c) and c >= 0:
        n = int(c)
        return map_entries(lambda v: v ** n, a)
    probe.singular(key, a)
    exponent = mp(c)
    return map_entries(lambda v: mpmath.power(v, exponent), a)


def _sigmoid(a):
    return map_entries(lambda v: 1 / (1 + mpmath.exp(-v)), a)


def _times(a, b):
    """A product as the exam writes it: a scalar scales, two matrices multiply."""
    if a.shape == (1, 1) or b.shape == (1, 1):
        return (a * b).astype(object)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matrix product of {a.shape} and {b.shape}")
    return (a @ b).astype(object)


def _sum(a):
    return filled(np.empty((1, 1)), mpmath.fsum(a.ravel()))


def _mean(a):
    return filled(np.empty((1, 1)), mpmath.fsum(a.ravel()) / a.size)


# ------------------------------------------------------------------ parsed trees ---

def evaluate(expr, env, constants, probe, memo=None):
    """The value of a parsed SymPy tree: a 2-D object array of mpf (a scalar is 1 x 1).

    A loop over the tree in post-order, not a recursion (a program of 1,000 lines nests 1,000
    deep); each subtree is evaluated once (``memo``: id of a subtree -> its value, shared by the
    calls that pass one), so a program whose names are used twice (h = ..., then h in two
    later lines) costs its size, not its number of paths.
    """
    memo = {} if memo is None else memo
    stack = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in memo:
            continue
        if ready:
            memo[id(e)] = _combine(e, memo, probe)
            continue
        if isinstance(e, sympy.Symbol):         # a constant's placeholder or an input
            memo[id(e)] = mp_array(constants[e]) if e in constants else env[e.name]
        elif e.is_Number or e.is_NumberSymbol:  # class flags: no look into deep trees
            memo[id(e)] = filled(np.empty((1, 1)), mp(e))
        else:
            stack.append((e, True))
            stack.extend((a, False) for a in reversed(_operands(e)))
    return memo[id(expr)]


def _operands(e):
    """The subtrees whose values ``_combine`` reads for ``e``."""
    if isinstance(e, sympy.Mul):       # a divisor after the first factor is read as its base
        return [f.base if k and isinstance(f, sympy.Pow) and f.exp == -1 else f for k, f in enumerate(e.args)]
    if isinstance(e, sympy.Pow):
        return [e.exp] if e.base == sympy.E else [e.base]
    return list(e.args)


def _combine(expr, memo, probe):
    """``expr``'s value from its operands' values (already in ``memo``)."""
    args = expr.args
    if isinstance(expr, sympy.Add):
        parts = [memo[id(a)] for a in args]
        total = parts[0]
        for p in parts[1:]:
            total = (total + p).astype(object)
        return total
    if isinstance(expr, sympy.Mul):
        out = None
        for k, factor in enumerate(args):
            if k and isinstance(factor, sympy.Pow) and factor.exp == -1:
                out = _div(probe, probe.next_key(), out, memo[id(factor.base)])
                continue
            value = memo[id(factor)]
            out = value if out is None else _times(out, value)
        return out
    if isinstance(expr, sympy.Pow):
        if expr.base == sympy.E:
            return map_entries(mpmath.exp, memo[id(expr.exp)])
        base = memo[id(expr.base)]
        if expr.exp == -1:
            return _div(probe, probe.next_key(), filled(base, mpmath.mpf(1)), base)
        return _pow(probe, probe.next_key(), base, sympy.Rational(expr.exp) if expr.exp.is_Rational
                    else expr.exp)
    name = type(expr).__name__.lower()
    return apply_named(name, [memo[id(a)] for a in args], probe, probe.next_key())


def apply_named(name, values, probe, key, param=None):
    """Op ``name`` (a graph op or a parsed function's name) applied to mpf arrays."""
    a = values[0]
    elementwise = {"exp": lambda: map_entries(mpmath.exp, a), "tanh": lambda: map_entries(mpmath.tanh, a),
                   "sigmoid": lambda: _sigmoid(a), "neg": lambda: map_entries(lambda v: -v, a),
                   "log": lambda: _log(probe, key, a), "relu": lambda: relu(probe, key, a),
                   "abs": lambda: absolute(probe, key, a), "sum": lambda: _sum(a), "mean": lambda: _mean(a),
                   "transpose": lambda: a.T.copy()}
    if name in elementwise:
        return elementwise[name]()
    vector = apply(name, values, probe, key)
    if vector is not None:
        return vector
    if name == "pow":
        return _pow(probe, key, a, param)
    b = values[1]
    binary = {"add": lambda: (a + b).astype(object), "sub": lambda: (a - b).astype(object),
              "mul": lambda: (a * b).astype(object), "div": lambda: _div(probe, key, a, b),
              "matmul": lambda: (a @ b).astype(object),
              "max": lambda: extreme(probe, key, a, b, True), "min": lambda: extreme(probe, key, a, b, False)}
    if name in binary:
        return binary[name]()
    raise ValueError(f"no independent evaluation for '{name}'")


# ------------------------------------------------------------------- differences ---

def _stable(base, moved):
    """True when no kink or singular argument changed sign or moved by more than STABLE of itself
    (a tied entry, evaluated on its line, may: it has no kink any more)."""
    for key, (_, arg0) in base.args.items():
        if key not in moved.args:
            continue
        arg1 = np.broadcast_to(moved.args[key][1], arg0.shape)
        for index in np.ndindex(arg0.shape):
            v0, v1 = arg0[index], arg1[index]
            if mpmath.sign(v0) != mpmath.sign(v1) or abs(v1 - v0) > STABLE * abs(v0):
                if (key, index) not in base.sides:
                    return False
    return True


def extra_digits(scale, size):
    """Digits beyond DPS that a step at a point of ``size`` needs where values reach ``scale``.

    A small entry added to a large one (5e-324 + 0.1) is lost unless the working precision
    spans both: the step is 10^-STEP of the entry, so the sum must carry that many more digits.
    """
    size = abs(size) if size != 0 else mpmath.mpf(1)
    if scale == 0 or scale <= size:
        return 0
    return int(mpmath.ceil(mpmath.log10(scale / size)))


def central(loss, size, sides, extra=0, magnitude=0, step=STEP):
    """dL/dt at t = 0 for ``loss(t, probe)``, the step scaled to ``size`` and to the kinks.

    ``sides`` (None, or (key, index) -> sides) are the tied kink entries, each on its line.
    The step is shrunk until no other kink or singular argument moves much within it; then the
    precision is raised (BOOSTS) until the difference carries SIGNIFICANT digits above the
    rounding noise (of ``magnitude``, the size of the terms L is made of), so a tiny
    derivative (sigmoid'(400) ~ 1.9e-174) is resolved; one that stays below the noise at
    the highest precision is 0.
    """
    size = abs(size) if size != 0 else mpmath.mpf(1)
    for attempt in range(TRIES):
        digits = step + SHRINK * attempt
        boosts = list(BOOSTS)
        while boosts:
            dps = DPS + digits + 20 + extra + boosts.pop(0)
            with mpmath.workdps(dps):
                h = size * mpmath.mpf(10) ** (-digits)
                shared = {}
                p0, pp, pm = Probe(sides, shared), Probe(sides, shared), Probe(sides, shared)
                loss(mpmath.mpf(0), p0)
                up, down = loss(h, pp), loss(-h, pm)
                if not (_stable(p0, pp) and _stable(p0, pm)):
                    break                                   # a smaller step
                value = (up - down) / (2 * h)
                noise = mpmath.mpf(10) ** (-dps) * max(abs(up), abs(down), magnitude) / h
                if abs(value) > mpmath.mpf(10) ** SIGNIFICANT * noise:
                    return +value
                if up == down:
                    boosts = boosts[-1:]                    # flat, or a change far below: the last try
        else:
            return +value if abs(value) > 1000 * noise else mpmath.mpf(0)
    return mpmath.nan


def ties(loss, extra=0, subgradients="symmetric", tie_rule="split"):
    """The tied kink entries of ``loss`` at t = 0 (exactly zero, not a rounding residue), each
    as (key, index, the sides its convention averages), a max/min's as (key, index, ("tie", tie_rule))."""
    with mpmath.workdps(DPS + 40 + extra):
        low = Probe()
        loss(mpmath.mpf(0), low)
    with mpmath.workdps(2 * DPS + 80 + extra):
        high = Probe()
        loss(mpmath.mpf(0), high)
        out = []
        for key, (what, arg) in high.args.items():
            if what != "kink" or key not in low.args:
                continue
            for index in np.ndindex(arg.shape):
                v_high, v_low = arg[index], low.args[key][1][index]
                if v_high == 0 or abs(v_high) <= mpmath.mpf(10) ** (-DPS) * abs(v_low):
                    kind = high.kinks[key]
                    out.append((key, index, ("tie", tie_rule) if kind == "extreme" else SIDES[subgradients][kind]))
    return sorted(out)


def derivative(loss, size, tied, scale=0, floor=0, magnitude=0, step=STEP):
    """dL/dt at 0 under the convention: the ``tied`` kink entries on their mean-slope lines.

    ``scale`` is the largest magnitude met (inputs, loss), ``floor`` the extra digits the
    smallest given number needs: see extra_digits.
    """
    extra = max(extra_digits(scale, size), floor)
    sides = {(key, index): chosen for key, index, chosen in tied}
    return central(loss, size, sides or None, extra, magnitude or scale, step)


# ------------------------------------------------------------------ the question ---

# up to this many nodes an input's gradient is a difference of the whole function (the wiring checked
# too); past it, a deep chain's gradient vanishes (0.25^n through n sigmoids) and the difference would
# need n digits more: the inputs' gradients then come from the same reverse accumulation of local
# differences as the inner nodes', linear in the nodes (the forward values still check the wiring)
WHOLE_NODES = 64
MP_BUDGET = 2_000_000    # entry operations the mpmath route affords (a few seconds)


def affordable(graph) -> bool:
    """True when every gradient entry of ``graph`` can be differenced in high precision."""
    def entries(node):
        return int(np.prod(node.shape))
    size = sum(entries(n) for n in graph.nodes)
    cost = 3 * size * (2 + sum(entries(n) for n in graph.nodes if n.op == "input"))
    for node in graph.nodes:
        if node.is_leaf:
            continue
        args = [graph.by_id[i] for i in node.inputs]
        work = max([entries(node)] + [entries(a) for a in args])
        if node.op == "matmul":
            work = entries(node) * args[0].shape[1]
        cost += 3 * sum(entries(a) for a in args if not a.is_leaf) * work
    return cost <= MP_BUDGET


def _loss_of(out, weights):
    """u^T out; an infinite entry (a causal mask's) is constant in every difference, so left out."""
    return mpmath.fsum(w * v for w, v in zip(weights.ravel(), out.ravel()) if not mpmath.isinf(v))


def independent(question, graph, parsed, values, upstream):
    """Forward value of every node and output, and every gradient, all from mpmath.

    ``parsed`` is the function as read (symdl.input.latex.Parsed), ``values`` the inputs as
    read from the spec (name -> exact matrix), ``upstream`` the exact upstream or None.
    ``graph`` supplies only the node names, their parsed subexpressions and which node
    feeds which (for the gradients of inner nodes); none of its values or rules is used.

    Input gradients: central differences of L = u^T f through the parsed function as a
    whole. Inner-node gradients: reverse accumulation over the graph's wiring in which each
    op's local vector-Jacobian product is itself a central difference of that op (mpmath,
    this module's functions), so no derivative rule is written anywhere; at a tie the
    local difference is the mean of the two one-sided ones, which is the convention.
    """
    read = {}                                # the inputs as mpf, once per working precision

    def inputs(name=None, index=None, t=0):
        prec = mpmath.mp.prec
        if prec not in read:
            read[prec] = {n: mp_array(v) for n, v in values.items()}
        env = {n: v.copy() for n, v in read[prec].items()}
        if name is not None:
            env[name][index] += t
        return env

    def forward(dps):
        with mpmath.workdps(dps):
            found = {"output": evaluate(parsed.expr, inputs(), parsed.constants, Probe())}
            env, memo = inputs(), {}
            for node in graph.nodes:         # in topological order: a node's parts are memoized
                value = evaluate(node.expr, env, parsed.constants, Probe(), memo)
                if not node.is_leaf:
                    found[f"forward.{node.id}"] = value
        return found

    result = _bounded(forward(DPS), forward(2 * DPS + 40))
    out = result["output"].value

    def weights():
        return mp_array(upstream) if upstream is not None else filled(np.empty(out.shape), mpmath.mpf(1))

    def tree_loss(name, index):
        def loss(t, probe):
            return _loss_of(evaluate(parsed.expr, inputs(name, index, t), parsed.constants, probe), weights())
        return loss

    with mpmath.workdps(DPS):
        given = [abs(v) for matrix in list(values.values()) + list(parsed.constants.values())
                 for v in mp_array(matrix).ravel()] + [abs(mp(n)) for n in _numbers(parsed.expr)]
        scale = max([abs(tree_loss(None, None)(0, Probe()))] + given)
        smallest = min([v for v in given if v != 0], default=mpmath.mpf(1))
    # a tiny given factor (5e-324 * x) makes every difference tiny: span it in every step
    floor = extra_digits(scale, smallest)
    whole = len(graph.nodes) <= WHOLE_NODES
    tie_rule = getattr(question, "ties", "split")      # the exam's tie convention of max/min, read as given
    inner = _inner_gradients(graph, values, weights, floor, question.subgradients, inputs_too=not whole,
                             tie_rule=tie_rule)
    tied = ties(tree_loss(None, None), floor, question.subgradients, tie_rule) if whole else ()
    for name, matrix in (values.items() if whole else ()):
        point = mp_array(matrix)
        grad, error = np.empty(point.shape, dtype=object), np.empty(point.shape, dtype=object)
        for index in np.ndindex(point.shape):
            # twice, the second step FINER digits finer: the two differ by the first's truncation
            # error, the bound that an exact 0 (A * g(B) at A = 0: 3e-56 left at the coarse step) meets
            coarse = derivative(tree_loss(name, index), point[index], tied, scale, floor)
            grad[index] = derivative(tree_loss(name, index), point[index], tied, scale, floor, step=STEP + FINER)
            error[index] = 2 * abs(grad[index] - coarse)
        result[f"grad.{name}"] = hp.Bounded(grad, error)
    result.update(inner)
    return result


def _numbers(expr):
    """The numbers written in ``expr``, found by a loop (a deep program would pass the recursion limit)."""
    found, seen, stack = [], set(), [expr]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if e.is_Number:
            found.append(e)
        stack.extend(e.args)
    return found


def _bounded(low, high):
    """Values found at two precisions as hp.Bounded: the higher one, within its distance to the
    lower (far above its own error), so that the rounding residue of an exact 0 (0.1 + 0.2 - 0.3
    leaves 1e-51 at 50 digits) agrees with 0 while a true 1e-174 keeps its digits."""
    out = {}
    for name, value in high.items():
        error = map_entries(lambda v: v, value)
        for index in np.ndindex(value.shape):
            error[index] = abs(value[index] - low[name][index])
        out[name] = hp.Bounded(value, error)
    return out


def _wired(graph, values, probe):
    """Every node's value through the graph's wiring, with this module's own op functions."""
    vals = {}
    for position, node in enumerate(graph.nodes):
        if node.op == "input":
            vals[node.id] = mp_array(values[node.id])
        elif node.op == "const":
            vals[node.id] = mp_array(node.value)
        else:
            vals[node.id] = apply_named(node.op, [vals[i] for i in node.inputs], probe, probe.at(position),
                                        node.param)
    return vals


def _inner_gradients(graph, values, weights, floor, subgradients, inputs_too=False, tie_rule="split"):
    """grad.<node> for every inner node (and with ``inputs_too`` every input): reverse
    accumulation of local differences, linear in the number of nodes.

    Done at two precisions: an entry that shrinks with the precision (a sum that cancels
    to exactly 0, left as rounding residue) is 0; any other keeps its high-precision value.
    The second pass also steps finer (FINER), so the two differ by the first's truncation error
    too. Each entry carries twice the distance between the two as its bound (hp.Bounded), as the
    forward values do: a residue of an exact 0 (a softmax row's gradient against equal upstream
    entries, 1e-163; a key bias's gradient, 1e-52 of truncation) is no disagreement with an exact
    0, while a true value keeps about 50 digits.
    """
    def whole(t, probe):
        return _loss_of(_wired(graph, values, probe)[graph.output.id], weights())
    tied = ties(whole, floor, subgradients, tie_rule)    # exact ties, told apart from rounding at two precisions
    low = _accumulate(graph, values, weights, tied, DPS + 20, floor, inputs_too)
    high = _accumulate(graph, values, weights, tied, 2 * DPS + 40, floor + DPS + 20, inputs_too, STEP + FINER)
    out = {}
    for name, value in high.items():
        residue, error = map_entries(lambda v: v, value), map_entries(lambda v: v, value)
        for index in np.ndindex(value.shape):
            v_high, v_low = value[index], low[name][index]
            error[index] = 2 * abs(v_high - v_low)      # twice: the distance is rounded where it is taken
            if v_high == 0 or abs(v_high) <= mpmath.mpf(10) ** (-DPS // 2) * abs(v_low):
                residue[index] = mpmath.mpf(0)
        out[name] = hp.Bounded(residue, error)
    return out


def _accumulate(graph, values, weights, tied, dps, extra, inputs_too=False, step=STEP):
    with mpmath.workdps(dps):
        vals = _wired(graph, values, Probe())
        grads = {graph.output.id: weights()}
    for position, node in reversed(list(enumerate(graph.nodes))):
        if node.is_leaf:
            continue
        g = grads.get(node.id)
        if g is None:
            g = grads[node.id] = filled(np.empty(vals[node.id].shape), mpmath.mpf(0))
        here = [entry for entry in tied if entry[0][0] == position]
        for slot, input_id in enumerate(node.inputs):
            if graph.by_id[input_id].op == "const" or (graph.by_id[input_id].op == "input" and not inputs_too):
                continue
            part = _local_vjp(node, position, slot, [vals[i] for i in node.inputs], g, here, extra, step)
            grads[input_id] = part if input_id not in grads else (grads[input_id] + part).astype(object)
    return {f"grad.{n.id}": grads.get(n.id, filled(np.empty(vals[n.id].shape), mpmath.mpf(0)))
            for n in graph.nodes if not n.is_leaf or (inputs_too and n.op == "input")}


def _local_vjp(node, position, slot, args, g, tied, floor, step=STEP):
    """g^T d node / d (its input ``slot``), entry by entry, by central differences of the op alone."""
    point = args[slot]
    grad = filled(np.empty(point.shape), mpmath.mpf(0))
    if all(v == 0 for v in g.ravel()):
        return grad
    with mpmath.workdps(DPS):
        probe = Probe()
        y = apply_named(node.op, args, probe, probe.at(position), node.param)
        scale = max([abs(v) for a in args + [y, g] for v in a.ravel() if not mpmath.isinf(v)] + [mpmath.mpf(0)])
        magnitude = max(scale, scale ** 2) * (y.size + max(a.size for a in args))   # terms of g^T y

    def loss_at(index):
        def loss(t, probe):
            moved = list(args)
            moved[slot] = point.copy()
            moved[slot][index] += t
            return _loss_of(apply_named(node.op, moved, probe, probe.at(position), node.param), g)
        return loss
    for index in np.ndindex(point.shape):
        if not mpmath.isinf(point[index]):      # a masked (-inf) entry: no change moves it, its gradient 0
            grad[index] = derivative(loss_at(index), point[index], tied, scale, floor, magnitude, step)
    return grad
