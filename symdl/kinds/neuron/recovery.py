"""The neuron kind's part b: the domain's extremes, the active half-space or slab, its exact volume."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import RelationChain, ValueShown, VectorShown, product, sum_tex, vector_tex
from symdl.kinds.neuron.notation import CornerSum, NeuronFormula, PartialSymbol, _plain_number, linear_tex, result_tex
from symdl.notation.printer import tex
from symdl.solution import Math, Step, Tex, Text

from .derive import cube_below, saturation_z
from .diagnosis import mechanisms_relu, mechanisms_saturating
from .fields import UE
from .symbols import ACTIVE_FRACTION, F_OF, P_OUTSIDE_HIGH, P_OUTSIDE_LOW, TAU, X_0, X_STAR, Y, Z, Z_MAX, Z_MIN, Z_SAT

def recovery(sol, sec, n, z, Ws, xs, bs):
    act, D = n.activation, n.D
    W, b = n.W, n.b
    # extremes of z on the box, at vertices
    x_hi = [n.highs[i] if W[i] > 0 else n.lows[i] for i in range(D)]
    x_lo = [n.lows[i] if W[i] > 0 else n.highs[i] for i in range(D)]
    z_max = sum((W[i] * x_hi[i] for i in range(D)), sp.Integer(0)) + b
    z_min = sum((W[i] * x_lo[i] for i in range(D)), sp.Integer(0)) + b
    sol.answer("domain.z_max", z_max)
    sol.answer("domain.z_min", z_min)
    lin = linear_tex(list(W), xs, b)
    long_form = sum(1 for w in W if w != 0) > 8
    if long_form:
        lin = linear_tex(list(W), xs, b, per_line=7)
    nz = [i for i in range(D) if W[i] != 0]
    c = [abs(W[i]) * (n.highs[i] - n.lows[i]) for i in nz]
    box = x_hi, x_lo, z_max, z_min, lin, long_form, nz, c

    if act.name == "identity":
        sec.add(Text("With the identity activation the gradient never vanishes: ", RelationChain(PartialSymbol("y", "z", "slash"), "=", 1),
                     " for every input, so the neuron learns from every sample and the question does not arise. "
                     "Its active fraction is the whole domain."))
        sol.answer("active_fraction", sp.Integer(1))
        sol.answer("dead_on_domain", False)
        return

    if act.name in ("relu", "leaky_relu"):
        _half_space(sol, sec, n, z, Ws, xs, bs, box)
        return
    _slab(sol, sec, n, z, box)


def _slab(sol, sec, n, z, box):
    """Part b for sigmoid/tanh: the non-saturated slab, its witness and its volume."""
    act, D, W, b = n.activation, n.D, n.W, n.b
    x_hi, x_lo, z_max, z_min, lin, long_form, nz, c = box
    # sigmoid / tanh: the non-saturated slab
    zs = saturation_z(act, n.threshold)
    sec.add(Text("The unit passes a useful gradient where ", RelationChain(PartialSymbol("y", "z", "slash-abs"), ">=", TAU),
                 ". Solving ", RelationChain(Y * (1 - Y) if act.name == "sigmoid" else 1 - Y ** 2, "=", TAU),
                 " for z gives the edge of that region:"))
    sec.add(Step("", lhs=Z_SAT, formula=NeuronFormula("zsat_" + act.name),
                 substituted=Tex(tex(zs, ln_notation=True)), result=zs))
    sec.add(Text("The unit is not saturated on the slab between two parallel planes,"),
            Math(NeuronFormula("slab_long" if long_form else "slab", lin, ValueShown(zs, bare=True))))
    sol.answer("saturation_z", zs)
    sec.add(Step("On the domain, z ranges between its values at two opposite vertices:",
                 lhs=Z_MAX, formula=sum_tex([product(W[i], x_hi[i]) for i in range(D)] + [UE(b)]),
                 result=z_max))
    sec.add(Step("", lhs=Z_MIN, formula=sum_tex([product(W[i], x_lo[i]) for i in range(D)] + [UE(b)]),
                 result=z_min))
    if z_min <= 0 <= z_max:
        t = sp.Integer(0) if z_max == z_min else -z_min / (z_max - z_min)
        witness = sp.Matrix([x_lo[i] + t * (x_hi[i] - x_lo[i]) for i in range(D)])
        sec.add(Text("Since ", RelationChain(Z_MIN, "<=", 0, "<=", Z_MAX), ", the segment between the two vertices "
                     "crosses z = 0; a witness input with z = 0, the steepest point of the curve, is"),
                Math(NeuronFormula("witness", *vector_tex(witness))))
    else:
        witness = sp.Matrix(x_hi if z_max < 0 else x_lo)
    sol.answer("witness", witness)
    z_w = (W.T * witness)[0] + b
    sol.answer("witness.z", z_w)
    sat_domain = bool(z_min >= zs or z_max <= -zs)
    sol.answer("saturated_on_domain", sat_domain)
    if not (z_min <= 0 <= z_max):
        sec.add(Text("The closest vertex to z = 0 is ", RelationChain(X_0, "=", VectorShown(witness)),
                     " with ", RelationChain(Z, ValueShown(z_w)), ": ",
                     "it is saturated too, so the unit is saturated on the whole domain." if sat_domain else
                     "it is not saturated, so some inputs of the domain give useful gradients."))
    frac = _volume(sec, c, nz, z_max, kind="slab", zs=zs)
    sol.answer("active_fraction", frac)
    mechanisms_saturating(sec, n, z, zs, frac, sat_domain)


def _half_space(sol, sec, n, z, Ws, xs, bs, box):
    """Part b for the ReLUs: the active half-space, its best vertex and its volume."""
    act, D, W, b = n.activation, n.D, n.W, n.b
    x_hi, x_lo, z_max, z_min, lin, long_form, nz, c = box
    sec.add(Text("The neuron passes a gradient ", "" if act.name == "relu" else "of full size ",
                 "exactly where it is active, on the open half-space"),
            Math(NeuronFormula("half_space_long" if long_form else "half_space", lin)))
    sec.add(Text("Over the domain, a linear function is largest at a vertex of the box: take ",
                 NeuronFormula("x_star_i"), " at the upper end where ", RelationChain(sp.Symbol("W_i"), ">", 0), " and at the lower end otherwise, ",
                 RelationChain(X_STAR, "=", VectorShown(x_hi)), "."))
    sec.add(Step("The largest pre-activation on the domain:", lhs=RelationChain(Z_MAX, "=", sp.Function("z")(X_STAR)),
                 formula=sum_tex([Ws[i] * sp.Symbol(f"x^*_{i + 1}") for i in range(D)] + [bs]),
                 substituted=sum_tex([product(W[i], x_hi[i]) for i in range(D)] + [UE(b)]), result=z_max))
    dead_domain = bool(z_max <= 0)
    sol.answer("dead_on_domain", dead_domain if act.name == "relu" else False)
    if z_max > 0:
        sec.add(Text("So an input of the domain does activate the neuron: the witness ",
                     X_STAR, " gives ", RelationChain(Z, "=", z_max, ">", 0),
                     ", and so does every input near it."))
    else:
        sec.add(Text("Even the best input of the domain gives ", RelationChain(Z_MAX, "=", z_max, "<=", 0),
                     ": no input in the domain activates the neuron."))
    frac = _volume(sec, c, nz, z_max, kind="active")
    sol.answer("active_fraction", frac)
    mechanisms_relu(sec, n, z, z_max, frac, dead_domain)
    return


def _volume(sec, c, nz, z_max, kind, zs=None):
    """The exact fraction of the box where the neuron is active (half-space or slab)."""
    k = len(c)
    if k == 0:
        if kind == "active":
            return _show_volume(sec, c, z_max, None, ACTIVE_FRACTION)[0]
        hi, _ = _show_volume(sec, c, z_max + zs, None, P_OUTSIDE_LOW)
        lo, _ = _show_volume(sec, c, z_max - zs, None, P_OUTSIDE_HIGH)
        sec.add(Step("", lhs=ACTIVE_FRACTION, formula=RelationChain(ValueShown(hi, bare=True), "-", ValueShown(lo, bare=True)),
                     result=hi - lo))
        return hi - lo
    sec.add(Text("To measure the active part exactly, write each input relative to the vertex ",
                 NeuronFormula("x_star" if kind == "active" else "x_max"),
                 " where z is largest, ", NeuronFormula("x_rel"), " with ",
                 RelationChain(sp.Symbol("v_i"), "in", sp.Interval(0, 1)), ": then ", NeuronFormula("z_rel"), " with ",
                 NeuronFormula("c_def"), ". Inputs with ", RelationChain(sp.Symbol("W_i"), "=", 0),
                 " do not matter. The fraction of the box below the plane ", NeuronFormula("plane"),
                 " is the volume of a corner simplex cut by the unit cube, by inclusion and exclusion over the cube's "
                 "corners:"))
    sec.add(Math(NeuronFormula("F_def")))
    weights = [part for i, ci in zip(nz, c) for part in (", ", RelationChain(sp.Symbol(f"c_{i + 1}"), "=", ci))][1:]
    sec.add(Text(f"Here k = {k}: ", *weights, ".") if k else Text("Here k = 0."))
    if kind == "active":
        frac, _ = _show_volume(sec, c, z_max, F_OF(Z_MAX), ACTIVE_FRACTION)
    else:
        hi, _ = _show_volume(sec, c, z_max + zs, F_OF(Z_MAX + Z_SAT), P_OUTSIDE_LOW)
        lo, _ = _show_volume(sec, c, z_max - zs, F_OF(sp.Add(Z_MAX, -Z_SAT, evaluate=False)), P_OUTSIDE_HIGH)
        frac = hi - lo
        sec.add(Step("The fraction of the domain where the unit is not saturated:",
                     lhs=ACTIVE_FRACTION,
                     formula=RelationChain(P_OUTSIDE_LOW, "-", P_OUTSIDE_HIGH),
                     substituted=RelationChain(ValueShown(hi, bare=True), "-", ValueShown(lo, bare=True)),
                     result=frac))
    return frac


def _show_volume(sec, c, r, name, meaning):
    """F(r) for the cube, shown step by step; past the middle, via the complement 1 - F(sum c - r)."""
    k = len(c)
    total = sum(c, sp.Integer(0))
    lhs = RelationChain(meaning, "=", name) if name is not None else meaning
    if k == 0:
        value = sp.Integer(1) if r > 0 else sp.Integer(0)
        sec.add(Text("No input has a nonzero weight, so z is the same on the whole domain:"),
                Step("", lhs=meaning, result=value))
        return value, []
    if not r > 0:
        sec.add(Text("Since ", RelationChain(sp.Symbol("r"), ValueShown(r), "<=", 0),
                     ", nothing of the cube lies below the plane:"),
                Step("", lhs=lhs, result=sp.Integer(0)))
        return sp.Integer(0), []
    if r >= total:
        sec.add(Text("Since ", RelationChain(sp.Symbol("r"), ValueShown(r), ">=", NeuronFormula("sum_c"), "=", total),
                     ", the whole cube lies below the plane:"),
                Step("", lhs=lhs, result=sp.Integer(1)))
        return sp.Integer(1), []
    flip = bool(r > total / 2)
    rr = total - r if flip else r
    inner, terms = cube_below(c, rr)
    value = 1 - inner if flip else inner
    if flip:
        sec.add(Text("Past the middle of the cube it is shorter to measure the complement, a corner at the "
                     "opposite vertex (where z is smallest): by the symmetry ", NeuronFormula("v_flip"), ", ",
                     NeuronFormula("F_flip"), " with ",
                     NeuronFormula("sum_c_minus_r", ValueShown(rr)), "."))
    lead = "1 - " if flip else ""
    if len(terms) <= 40:
        subst = CornerSum(lead, k, c, terms, rr)
        text = (f"Subsets S with the same sum give the same bracket: grouped by that sum, only the "
                f"{len(terms)} sum{'s' if len(terms) > 1 else ''} below "
                + ("the threshold" if not rr.is_Rational else _plain_number(rr))
                + " contribute, each with its signed count of subsets"
                + (":" if rr.is_Rational else " (brackets rounded here, summed exactly):"))
    else:
        subst = None
        text = (f"{len(terms)} distinct subset sums lie below the threshold; their terms are summed exactly (too "
                "many to list).")
    relation, shown = result_tex(value)
    sec.add(Step(text, lhs=lhs,
                 formula=NeuronFormula("F_closed", lead, k, ValueShown(rr, bare=True)),
                 substituted=subst, result=shown, relation=relation))
    return value, terms

