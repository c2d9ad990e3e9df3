"""The neuron kind's diagnosis (dead, saturated) and its recovery mechanisms, as prose."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import RelationChain, ValueShown
from symdl.kinds.neuron.notation import NormOf, PartialSymbol, VectorSymbol, pct_tex, prose_tex
from symdl.solution import Text

UE = sp.UnevaluatedExpr

from .symbols import DECAY, W_T, ALPHA, B, X_VEC, Z_MAX, Z_SAT, DL_DB, DL_DW, DL_DX, DL_DY, DY_DZ, ETA, TAU, W_VEC, Y, Z, ZERO_VEC


def diagnosis(n, z, dydz, dead, saturated):
    act = n.activation
    items = []
    up = n.upstream
    if up == 0:
        items.append(Text("Note first that the upstream gradient is ", RelationChain(DL_DY, "=", 0),
                          ": the loss does not depend on y for this sample, so every gradient below is zero "
                          "whatever the activation does."))
    if act.name == "relu":
        if dead:
            items.append(Text(
                "The problem: ", RelationChain(Z, "=", z, "<" if z < 0 else "=", 0),
                ", so the ReLU sits on its flat part: ", RelationChain(Y, "=", 0), " and ",
                RelationChain(DY_DZ, "=", 0), ". The chain rule multiplies every gradient by this zero: ",
                RelationChain(DL_DW, "=", ZERO_VEC), " and ",
                RelationChain(DL_DB, "=", 0), ", although the upstream gradient ",
                RelationChain(DL_DY, "=", up), " is not zero"
                + (" (the loss would fall if y grew, since it is negative)" if up < 0 else
                   " (the loss would fall if y shrank)" if up > 0 else "") + ". The update ",
                RelationChain(W_VEC, "<-", sp.Add(W_VEC, -ETA * DL_DW, evaluate=False)),
                " leaves W and b exactly where they are, whatever the learning rate: this sample teaches the "
                "neuron nothing, and the gradient passed down, ", DL_DX,
                ", is zero too. A ReLU whose pre-activation is negative for every input it sees is a "
                "dead ReLU: it can never leave that state through its own gradient."))
        else:
            items.append(Text(
                "Here ", RelationChain(Z, "=", z, ">", 0), ": the ReLU is on its linear part, ",
                RelationChain(DY_DZ, "=", 1), ", and the upstream gradient reaches W and b "
                "unchanged" + (" (here it is zero)" if up == 0 else "") + ". This sample does not show a dead neuron."))
    elif act.name == "leaky_relu":
        if z > 0:
            items.append(Text("Here ", RelationChain(Z, "=", z, ">", 0), ": the leaky ReLU is on its linear part and the "
                              "gradient reaches W and b unchanged."))
        else:
            items.append(Text(
                "Here ", RelationChain(Z, "=", z, "<=", 0), ", the negative part, where the leaky ReLU has slope ",
                RelationChain(ALPHA, "=", n.slope), ": the gradients are scaled by ", n.slope,
                " but not zero, so the neuron still learns from this sample, only more slowly. "
                "A leaky ReLU cannot die."))
    elif act.name in ("sigmoid", "tanh"):
        ratio = dydz / act.max_slope
        if saturated:
            items.append(Text(
                "The problem: ", RelationChain(Z, ValueShown(z)), " lies far on a flat tail of the ",
                act.title, ", so ", RelationChain(DY_DZ, ValueShown(dydz)),
                " is below the saturation threshold ", RelationChain(TAU, "=", n.threshold),
                ": the unit is saturated. Every gradient is the upstream gradient times this factor, only ",
                pct_tex(ratio), " of the largest slope ",
                act.max_slope, f" of the {act.title}, so the weights barely move "
                "(a vanishing gradient); learning is not stopped, it is very slow."))
        else:
            items.append(Text(
                "Here ", RelationChain(DY_DZ, ValueShown(dydz)), ", at least the threshold ",
                RelationChain(TAU, "=", n.threshold), ": the unit is not saturated (", pct_tex(ratio),
                " of the largest slope), and the gradient reaches W and b."))
    else:
        items.append(Text("The identity has ", RelationChain(DY_DZ, "=", 1),
                          " everywhere: the gradient always reaches W and b; this neuron cannot die or saturate."))
    return items


def mechanisms_relu(sec, n, z, z_max, frac, dead_domain):
    act, W, b, x = n.activation, n.W, n.b, n.x
    leaky = act.name == "leaky_relu"
    active_now = z > 0
    lines = []
    if leaky:
        lines.append(Text("A leaky ReLU never stops learning: on the negative side its slope ",
                          RelationChain(ALPHA, "=", n.slope), " still passes a gradient scaled by ", n.slope,
                          ", so W and b keep moving towards inputs where ", RelationChain(Z, ">", 0), " if the loss asks for it."))
        for item in lines:
            sec.add(item)
        return
    if active_now:
        sec.add(Text("This sample already activates the neuron (", RelationChain(Z, "=", z, ">", 0),
                     "), so it learns from it; the analysis below says how much of the domain keeps it learning."))
    pct = pct_tex(frac)
    if not dead_domain:
        lines.append(Text("1. Other samples. The update is an average over the mini-batch: any sample with ",
                          RelationChain(Z, ">", 0), " gives a nonzero gradient into W and b. A fraction ",
                          prose_tex(frac), " (", pct, ") of the domain activates the neuron, so, "
                          "if the training inputs spread over the domain, most mini-batches contain such samples "
                          "and the neuron does learn again: it is inactive for this sample, not dead."
                          if frac >= sp.Rational(1, 2) else
                          ", so training inputs that land in that part revive it."))
    else:
        lines.append(Text("1. Other samples cannot help: ", RelationChain(Z_MAX, "=", z_max, "<=", 0),
                          " means every input of the domain gives ", RelationChain(Z, "<=", 0),
                          ", hence zero gradient into W and b for every sample. The neuron is dead on the whole "
                          "domain and no data gradient can revive it."))
    Wn2 = (W.T * W)[0]
    if z <= 0 and Wn2 != 0:
        dist = -z / sp.sqrt(Wn2)
        imax = max(range(n.D), key=lambda i: abs(W[i]))
        move = -z / abs(W[imax])
        lines.append(Text("2. Changes upstream. If x is the output of earlier layers, their updates move x. The "
                          "smallest move that activates the neuron for this sample goes along W and has length ",
                          RelationChain(sp.Abs(Z) / NormOf(W_VEC), "=", _ratio(abs(z), sp.sqrt(UE(Wn2))), ValueShown(dist)),
                          "; along one coordinate, changing ", sp.Symbol(f"x_{imax + 1}"),
                          " (the largest weight in size, ",
                          RelationChain(sp.Symbol(f"W_{imax + 1}"), "=", W[imax]), ") by ",
                          RelationChain(sp.Abs(Z) / sp.Abs(sp.Symbol(f"W_{imax + 1}")), ValueShown(move)),
                          ". But this sample sends no gradient down through the neuron (",
                          RelationChain(PartialSymbol("L", X_VEC, "slash"), "=", ZERO_VEC),
                          "), so such a move can only come from other paths or other samples; raw input data "
                          "never moves." + (" And since the neuron is dead on the whole domain, only a move that "
                                            "leaves the domain would help." if dead_domain else "")))
    lines.append(_weight_decay(W, x, b))
    lines.append(Text("4. Momentum. With momentum or Adam, the velocity built up on earlier samples keeps moving "
                      "W and b for a while even though this sample's gradient is zero; this can carry the neuron "
                      "back into the active region, or further out of it."))
    if dead_domain:
        lines.append(Text("On this input box: dead on the whole box. Gradient descent on the data cannot revive it; only "
                          + ("weight decay (b > 0 here), " if b > 0 else "")
                          + "re-initialization or a leaky ReLU can."))
    else:
        lines.append(Text("On this input box: it can learn again. Its inactivity comes from this sample (",
                          RelationChain(Z, "=", z), "), not from the weights as a whole: ", pct,
                          " of the domain activates it, e.g. the witness ", VectorSymbol("x^*"), " with ",
                          RelationChain(Z, "=", z_max), "."))
    for item in lines:
        sec.add(item)



def _weight_decay(W, x, b):
    """Recovery mechanism 3: what weight decay alone does to z (the bias not decayed)."""
    wx = (W.T * x)[0]
    if b > 0:
        if wx < 0:
            factor = b / (-wx)
            return Text(
                "3. Weight decay. With no data gradient, weight decay alone acts: ",
                RelationChain(VectorSymbol("W_t"), "=", sp.Mul(DECAY, VectorSymbol("W_0"), evaluate=False)), ". If the bias is not decayed (the usual "
                "practice), z tends to ", RelationChain(B, "=", b, ">", 0), ": for this sample ",
                RelationChain(sp.Symbol("z_t"), "=", sp.Add(sp.Mul(DECAY, UE(wx), evaluate=False), UE(b), evaluate=False)),
                " turns positive once ", RelationChain(DECAY, "<", B / (-(W_T * X_VEC)), "=", _ratio(b, -wx), ValueShown(factor)),
                ", i.e. once W has shrunk by ", pct_tex(1 - factor),
                ", and then the neuron learns again. If the bias is decayed at the same rate, z keeps its sign ("
                "both terms shrink together) and decay cannot revive it.")
        return Text("3. Weight decay shrinks W towards 0, so z tends to ", RelationChain(B, "=", b, ">", 0),
                    " on every input (if the bias is not decayed): decay pushes the neuron back to life.")
    return Text("3. Weight decay shrinks W towards 0, so z tends to ", RelationChain(B, "=", b, "<=", 0),
                ": decay cannot revive it (it drives z to the bias, which is not positive).")


def mechanisms_saturating(sec, n, z, zs, frac, sat_domain):
    b = n.b
    pct = pct_tex(frac)
    no_weights = all(w == 0 for w in n.W)
    sec.add(Text("A saturated unit still learns, only slowly: its gradient is small, not zero. A fraction ", pct,
                 " of the domain lies in the non-saturated slab."))
    b_inside = bool(abs(b) < zs)
    decay = Text("Weight decay shrinks W, so z tends to the bias ", RelationChain(B, "=", b), ", which lies ",
                 "inside the slab (" if b_inside else "outside the slab (",
                 RelationChain(sp.Abs(B), "<" if b_inside else ">=", Z_SAT), "): ",
                 "decay pulls the unit out of saturation." if b_inside else
                 "decay alone does not bring it out of saturation.")
    if sat_domain:
        sec.add(Text("No input of the domain reaches the slab"
                     + (" (every weight is 0, so z = b everywhere)" if no_weights else "")
                     + ": every sample gives only a tiny gradient, and the unit creeps out of saturation very slowly, "
                     "or not at all if the loss pushes z further out."), decay)
        sec.add(Text("On this input box: it learns, but very slowly. Remedies: shrink the pre-activation (weight decay, a "
                     "smaller initialization, normalized inputs or batch normalization) or use a ReLU-type "
                     "activation."))
    else:
        sec.add(Text("Samples in the slab give gradients of normal size, so the unit keeps learning from them."),
                decay)
        sec.add(Text("On this input box: it can learn. ",
                     *(("Saturation slows learning on this sample (", RelationChain(sp.Abs(Z), ValueShown(abs(z))),
                        " against ", RelationChain(Z_SAT, ValueShown(zs)), ") but does not stop it.")
                       if abs(z) >= zs else
                       ("This sample is not saturated (", RelationChain(sp.Abs(Z), ValueShown(abs(z))), " against ",
                        RelationChain(Z_SAT, ValueShown(zs)), ")."))))


def _ratio(top, bottom):
    """top / bottom with the numbers shown as they are (not divided out)."""
    below = bottom if isinstance(bottom, sp.Pow) else UE(bottom)      # UE(top) / below, unevaluated
    return sp.Mul(UE(top), sp.Pow(below, -1, evaluate=False), evaluate=False)
