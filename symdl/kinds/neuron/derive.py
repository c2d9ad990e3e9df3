"""The neuron kind's exact mathematics: box volumes below a plane by inclusion-exclusion, z_sat."""

from __future__ import annotations

import sympy as sp

from .fields import MAX_VOLUME_TERMS

def cube_below(c, r):
    """Exact vol{v in [0,1]^k : sum_i c_i v_i < r} for c_i > 0, by inclusion-exclusion.

    value = sum_S (-1)^|S| (r - c_S)_+^k / (k! prod c) over the subsets S of the k
    coordinates. Subsets are grouped by their sum sigma = c_S (a dynamic programme over the
    distinct sums below r), so decimal weights stay cheap for many inputs. Returns (value,
    terms) with terms the (sigma, N_sigma) pairs, N_sigma the signed count of subsets.
    """
    k = len(c)
    if k == 0:
        return (sp.Integer(1) if r > 0 else sp.Integer(0)), []
    if not r > 0:
        return sp.Integer(0), []
    r_float = float(r)

    def below(t):
        """t < r exactly; floats decide unless the two are within rounding of each other."""
        gap = float(t) - r_float
        if abs(gap) > 1e-9 * max(1.0, abs(r_float)):
            return gap < 0
        return bool(t < r)

    sums = {sp.Integer(0): 1}
    for ci in c:
        new = dict(sums)
        for sigma, weight in sums.items():
            t = sigma + ci
            if below(t):
                new[t] = new.get(t, 0) - weight
        sums = {sigma: w for sigma, w in new.items() if w != 0}
        if len(sums) > MAX_VOLUME_TERMS:
            raise OverflowError
    terms = sorted(sums.items(), key=lambda item: item[0])
    if r >= sum(c):
        return sp.Integer(1), terms       # the whole cube lies below the plane (the sum is exactly 1)
    value = sp.Add(*[w * (r - sigma) ** k for sigma, w in terms]) / (sp.factorial(k) * sp.Mul(*c))
    return value, terms


def saturation_z(act, threshold):
    """The |z| beyond which |A'(z)| < threshold, exact."""
    root = sp.sqrt(1 - 4 * threshold) if act.name == "sigmoid" else sp.sqrt(1 - threshold)
    if act.name == "sigmoid":
        return sp.log((1 + root) / (1 - root))
    return sp.atanh(root)


