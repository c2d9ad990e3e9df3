"""A node's irrational value kept by name: its local closed form over earlier names, evaluated once.

Substituting each node's closed form into the next makes the forward and backward values of a
nested graph grow exponentially (sigma nested 10 deep: an expression SymPy evaluates for
minutes). Instead, an entry whose exact closed form grows past COMPACT_OPS operations becomes a
``Named`` number: a SymPy atom that stands for that entry (``z_3[0]``), keeps its local formula
(in the rationals and earlier ``Named`` numbers the entry was computed from, never their
expansion) and its value, evaluated once from that formula at WORK_BITS bits. SymPy treats it as
a real number: evalf, comparisons, sign and printing read the stored value. A request for more
precision than is stored recomputes the ancestors that lack it in topological order (a loop, not a
recursion), each from its own local formula, so a chain of any length never nests.
"""

from __future__ import annotations

import itertools

import mpmath
import sympy
import sympy.core.evalf as _evalf
from mpmath.libmp import mpf_pos, round_nearest

COMPACT_OPS = 12          # an entry of more SymPy operations than this is kept by name
WORK_BITS = 512           # bits each named value is evaluated to (about 154 digits)
SLACK_BITS = 256          # a request up to this many bits past the stored precision is served (evalf's guard
                          # bits; a deeper cancellation re-evaluates the ancestors at its precision)
MAXN = 6000               # digits evalf may chase a cancellation to (hp.MAXN)
RESOLVED_BITS = 8         # an evaluation with fewer correct bits than this (after the chase) is an exact 0
_COUNTER = itertools.count()


class Named(sympy.AtomicExpr):
    """A real number known by its local formula over earlier Named numbers, with its value."""

    is_number = True
    is_real = True
    is_finite = True
    is_commutative = True
    __slots__ = ("label", "formula", "inputs", "_bits", "_mpf", "_key", "vanishes")

    def __new__(cls, formula, label):
        obj = sympy.AtomicExpr.__new__(cls)
        obj.label = label
        obj.formula = formula
        obj.inputs = tuple(formula.atoms(Named))
        obj._key = next(_COUNTER)
        obj._bits, obj._mpf, obj.vanishes = 0, None, False
        obj._evaluate(WORK_BITS)
        return obj

    # -- identity: one atom per entry ------------------------------------------------
    def _hashable_content(self):
        return (self.label, self._key)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = sympy.AtomicExpr.__hash__

    def __reduce__(self):           # a copy or a pickle keeps the number (as a Float), not the chain
        return sympy.Float._new, (self._mpf, self._bits)

    # -- the value ---------------------------------------------------------------------
    def _evaluate(self, bits):
        """Evaluate the local formula at ``bits`` (its inputs served from their stored values)."""
        digits = int(bits / 3.3219) + 1
        value = self.formula.evalf(digits, maxn=MAXN)
        if value.is_zero:                      # decided exactly by evalf
            value = sympy.Float(0, 1)
        if not isinstance(value, sympy.Float):
            re, im = value.as_real_imag()
            if im != 0 and abs(sympy.N(im, 10)) > 0 or not isinstance(re, sympy.Float):
                raise ValueError(f"{self.label} is not a real number")
            value = re
        # evalf chases a cancellation up to MAXN digits and reports the bits it got right: none at
        # all means the terms cancel to past MAXN digits, an exact 0 as far as any route can tell
        self.vanishes = value._prec < RESOLVED_BITS
        self._mpf, self._bits = value._mpf_, bits

    def mpf_at(self, bits):
        """The value as an mpf tuple rounded to ``bits``; ancestors short of precision are
        re-evaluated first, oldest first, so that no evaluation recurses through the chain."""
        if bits > self._bits + SLACK_BITS:
            target = bits + SLACK_BITS
            order, seen, stack = [], set(), [(self, False)]
            while stack:                      # post-order over the ancestors lacking precision
                node, done = stack.pop()
                if done:
                    order.append(node)
                    continue
                if id(node) in seen or node._bits >= target:
                    continue
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((i, False) for i in node.inputs if i._bits < target)
            for node in order:
                node._evaluate(target)
        return mpf_pos(self._mpf, bits, round_nearest)

    def _eval_evalf(self, prec):
        return sympy.Float._new(self.mpf_at(prec), prec)

    def _as_mpf_val(self, prec):
        return self.mpf_at(prec)

    def _sign(self):
        return mpmath.mpf(self._mpf)

    def _eval_is_positive(self):
        return bool(self._sign() > 0)

    def _eval_is_negative(self):
        return bool(self._sign() < 0)

    def _eval_is_zero(self):
        return False if self._sign() != 0 else None

    def _eval_is_extended_positive(self):
        return self._eval_is_positive()

    def _eval_is_extended_negative(self):
        return self._eval_is_negative()

    def doit(self, **hints):
        return self

    # -- printing: the number, as the working shows a long value ---------------------
    def _symdl_latex(self, printer):          # symdl's printer (its printmethod): the rounded number
        return printer._print(sympy.Float._new(self.mpf_at(100), 30))

    def _latex(self, printer):
        return printer._print(sympy.Float._new(self.mpf_at(100), 30))

    def _sympystr(self, printer):
        return f"{self.label}~{mpmath.nstr(mpmath.mpf(self._mpf), 15)}"


def _evalf_named(x, prec, options):
    """SymPy's evalf row for a Named number: its stored value (no generic re/im fallback)."""
    return x.mpf_at(prec), None, prec, None


if not _evalf.evalf_table:          # the table is made on first use: make it before adding a row
    _evalf._create_evalf_table()
_evalf.evalf_table[Named] = _evalf_named


def _size_past(entry, limit) -> bool:
    """True when ``entry``'s tree has more than ``limit`` nodes (a walk that stops there)."""
    stack, seen = [entry], 0
    while stack:
        seen += 1
        if seen > limit:
            return True
        stack.extend(stack.pop().args)
    return False


def _long(entry) -> bool:
    """More than COMPACT_OPS operations: an operation has at least one node of its own, so a tree of
    at most that many nodes is short and one of four times as many long, without counting."""
    if isinstance(entry, sympy.Rational) or not _size_past(entry, COMPACT_OPS):
        return False
    return _size_past(entry, 4 * COMPACT_OPS) or sympy.count_ops(entry) > COMPACT_OPS


def _named(entry, label):
    """``entry`` kept by name, or an exact 0 when its terms cancel (an attention row's gradient summed
    against equal keys): shown and graded as 0, never as the 1e-6371 its rounding leaves."""
    number = Named(entry, label)
    return sympy.S.Zero if number.vanishes or _residue(number) else number


def _residue(number) -> bool:
    """True when a tiny value (below 2^-WORK_BITS) is the rounding residue of an exact 0: evaluated
    again with twice the digits to chase a cancellation, it moves by more than 10 orders (a true
    value, sigma'(400) ~ 1e-174 or one a chase of 6,000 digits resolves, stays; (1/2 - 1/2)^2 left
    as 1e-12842 by that chase does not)."""
    value = abs(mpmath.mpf(number._mpf))
    if value >= mpmath.mpf(2) ** -WORK_BITS:
        return False
    other = number.formula.evalf(int(WORK_BITS / 3.3219) + 1, maxn=2 * MAXN)
    if other.is_zero or value == 0:
        return True
    return abs(mpmath.log10(abs(mpmath.mpf(sympy.Float(other)._mpf_))) - mpmath.log10(value)) > 10


def compact(matrix, label):
    """``matrix`` with each entry longer than COMPACT_OPS operations kept by name (``label[k]``)."""
    if matrix is None:
        return matrix
    entries = list(matrix)
    long = [_long(v) for v in entries]
    if not any(long):
        return matrix
    kept = [_named(v, f"{label}[{k}]") if is_long else v for k, (v, is_long) in enumerate(zip(entries, long))]
    return sympy.ImmutableMatrix(matrix.rows, matrix.cols, kept)
