"""The architecture kind's symbols and closed-form output-size formulas, built once and never evaluated."""

from __future__ import annotations

import sympy

from symdl.notation.display import CeilOf, FloorOf, MaxOf, Quantity


def S(name):
    return sympy.Symbol(name, integer=True)


I = sympy.Integer


AXES = {
    "h": dict(n=Quantity("H", "in"), out=Quantity("H", "out"), p0=S("p_t"), p1=S("p_b"), k=S("k_h"), s=S("s_h"),
              d=S("d_h"), P=S("P_h"), op=S("o_h"), word="height", rows="rows", end0="top",
              end1="bottom"),
    "w": dict(n=Quantity("W", "in"), out=Quantity("W", "out"), p0=S("p_l"), p1=S("p_r"), k=S("k_w"), s=S("s_w"),
              d=S("d_w"), P=S("P_w"), op=S("o_w"), word="width", rows="columns", end0="left",
              end1="right"),
}
C_in, C_out, F, G = Quantity("C", "in"), Quantity("C", "out"), S("F"), S("G")
N_in, N_out = Quantity("n", "in"), Quantity("n", "out")
N_W, N_b, N_L, MACS = S("N_W"), S("N_b"), S("N"), Quantity("MACs")
_CACHE: dict = {}


def full(item):
    """``item`` for the complete derivation only (shown with --detail full)."""
    item.audience = "full"
    return item


def instructor(item):
    """``item`` for the verification report (MACs, memory, checks)."""
    item.audience = "instructor"
    return item



def _formula(kind, axis):
    """The closed-form formula ``kind`` for ``axis`` ('h' or 'w'), built once, never evaluated."""
    key = (kind, axis)
    if key in _CACHE:
        return _CACHE[key]
    a = AXES[axis]
    n, p0, p1, k, s, d, P = a["n"], a["p0"], a["p1"], a["k"], a["s"], a["d"], a["P"]
    with sympy.evaluate(False):
        if kind == "floor":            # no dilation: floor((n + p0 + p1 - k)/s) + 1
            expr = sympy.Add(FloorOf(sympy.Mul(sympy.Add(n, p0, p1, sympy.Mul(-1, k)), sympy.Pow(s, -1))), 1)
        elif kind == "floor_d":
            inner = sympy.Add(n, p0, p1, sympy.Mul(-1, d, sympy.Add(k, -1)), -1)
            expr = sympy.Add(FloorOf(sympy.Mul(inner, sympy.Pow(s, -1))), 1)
        elif kind == "ceil":
            expr = sympy.Add(CeilOf(sympy.Mul(sympy.Add(n, p0, p1, sympy.Mul(-1, k)), sympy.Pow(s, -1))), 1)
        elif kind == "ceil_d":
            inner = sympy.Add(n, p0, p1, sympy.Mul(-1, d, sympy.Add(k, -1)), -1)
            expr = sympy.Add(CeilOf(sympy.Mul(inner, sympy.Pow(s, -1))), 1)
        elif kind == "same_out":         # 'same': ceil(n/s)
            expr = CeilOf(sympy.Mul(n, sympy.Pow(s, -1)))
        elif kind == "same_total":       # total 'same' padding
            expr = MaxOf(sympy.Add(sympy.Mul(sympy.Add(a["out"], -1), s), sympy.Mul(d, sympy.Add(k, -1)), 1,
                                   sympy.Mul(-1, n)), I(0))
        elif kind == "same_total_1":     # total 'same' padding, no dilation
            expr = MaxOf(sympy.Add(sympy.Mul(sympy.Add(a["out"], -1), s), k, sympy.Mul(-1, n)), I(0))
        elif kind == "same_before":
            expr = FloorOf(sympy.Mul(P, sympy.Pow(2, -1)))
        elif kind == "same_after":
            expr = sympy.Add(P, sympy.Mul(-1, p0))
        elif kind.startswith("tconv_torch"):   # (n - 1)s - p0 - p1 + d(k - 1) + 1 [+ o]
            tail = [sympy.Mul(d, sympy.Add(k, -1)), 1] if "_d" in kind else [k]
            if "_o" in kind:
                tail.append(a["op"])
            expr = sympy.Add(sympy.Mul(sympy.Add(n, -1), s), sympy.Mul(-1, p0), sympy.Mul(-1, p1), *tail)
        elif kind == "tconv_matlab":     # (n - 1)s + k - p0 - p1
            expr = sympy.Add(sympy.Mul(sympy.Add(n, -1), s), k, sympy.Mul(-1, p0), sympy.Mul(-1, p1))
        elif kind == "tconv_same":       # n s
            expr = sympy.Mul(n, s)
        elif kind == "tconv_keras_valid_1":  # n s + max(k - s, 0)
            expr = sympy.Add(sympy.Mul(n, s), MaxOf(sympy.Add(k, sympy.Mul(-1, s)), I(0)))
        elif kind == "tconv_keras_valid":  # n s + max(d(k-1) + 1 - s, 0)
            expr = sympy.Add(sympy.Mul(n, s), MaxOf(sympy.Add(sympy.Mul(d, sympy.Add(k, -1)), 1,
                                                              sympy.Mul(-1, s)), I(0)))
        else:
            raise KeyError(kind)
    _CACHE[key] = expr
    return expr


# evaluate=False on the constructor, not the sympy.evaluate(False) context: the same expression,
# without clearing SymPy's cache on the way in and out (see symdl.notation.printer.substitute)
def _product(*factors):
    return sympy.Mul(*factors, evaluate=False)


def _sum(*terms):
    return sympy.Add(*terms, evaluate=False)


def _ratio(a, b):
    return sympy.Mul(a, sympy.Pow(b, -1, evaluate=False), evaluate=False)
