"""The neuron kind's model answers in words: what part a shows, whether the neuron can learn again
(part b), the remedies, and the grader's rubric items. The long input-region analysis is elsewhere
(``recovery``), for the instructor."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import RelationChain, ValueShown, VectorShown
from symdl.kinds.neuron.notation import NeuronFormula
from symdl.notation.printer import terminating_decimal
from symdl.solution import Text, only

from .symbols import ALPHA, B, DL_DB, DL_DW, DL_DX, DL_DY, DY_DZ, ETA, W_VEC, X_VEC, Z, ZERO_VEC

Z_POS = RelationChain(Z, ">", 0)
Z_NONPOS = RelationChain(Z, "<=", 0)


def remedies():
    return Text("Remedies: a leaky ReLU, PReLU or ELU (a nonzero slope for ", RelationChain(Z, "<", 0), ", so the "
                "gradient never vanishes); He initialization; a smaller learning rate (one large step is what "
                "usually pushes a neuron into this state); a small positive bias at initialization; batch "
                "normalization before the activation.")


def part_a_verdict(n, z, dydz, dead, saturated):
    """The problem in one boxed paragraph, from the numbers."""
    act, up = n.activation, n.upstream
    update = RelationChain(W_VEC, "<-", sp.Add(W_VEC, -ETA * DL_DW, evaluate=False))
    if act.name == "relu" and dead:
        return Text("The problem: ", RelationChain(Z, "=", z, "<" if z < 0 else "=", 0),
                    ", so the ReLU is on its flat part and ", RelationChain(DY_DZ, "=", 0),
                    ". The chain rule multiplies every gradient by this zero: ", RelationChain(DL_DW, "=", ZERO_VEC),
                    ", ", RelationChain(DL_DB, "=", 0), " and ", RelationChain(DL_DX, "=", ZERO_VEC),
                    *((", although ", RelationChain(DL_DY, "=", up, "!=", 0)) if up != 0 else ()),
                    ". The update ", update, " leaves W and b where they are: the neuron is dead for this "
                    "input and cannot learn from it.", boxed=True)
    if act.name in ("sigmoid", "tanh") and saturated:
        return Text("The problem: ", RelationChain(Z, ValueShown(z)), " lies on a flat tail of the ", act.title,
                    ", so ", RelationChain(DY_DZ, ValueShown(dydz)), " and every gradient is the upstream "
                    "gradient times this tiny factor: the unit is saturated and its weights barely move.",
                    boxed=True)
    if up == 0:
        return Text("Here ", RelationChain(DL_DY, "=", 0), ": the loss does not depend on y for this sample, so "
                    "every gradient is zero whatever the activation does.", boxed=True)
    return Text("Here ", RelationChain(DY_DZ, ValueShown(dydz)), " is not zero: the gradient reaches W and b, "
                "so this sample does not show a neuron that cannot learn.", boxed=True)


def part_b_answer(n, z, dead, saturated):
    """(model items, the boxed verdict's short form for the summary) of part b."""
    act = n.activation
    if act.name == "relu" and dead:
        return _dead_relu(n, z), _dead_relu_short(n)
    if act.name == "relu":
        return ([Text("Yes, it is learning: ", RelationChain(Z, "=", z, ">", 0), " gives ", RelationChain(DY_DZ, "=", 1),
                      ", so this sample's gradient reaches W and b. It would stop learning only if ", Z_NONPOS,
                      " for every training input.", boxed=True), remedies()],
                "yes: its pre-activation is positive for this sample, so the gradient reaches W and b")
    if act.name == "leaky_relu":
        return ([Text("Yes: a leaky ReLU always passes a gradient, with slope ", RelationChain(ALPHA, "=", n.slope),
                      " for ", Z_NONPOS, ", so W and b keep moving with every sample (more slowly on the negative "
                      "side). It cannot die.", boxed=True)], "yes: the leaky ReLU always passes a gradient")
    if act.name in ("sigmoid", "tanh"):
        if saturated:
            return ([Text("Yes, but slowly: a saturated ", act.title, " passes a small gradient, not a zero one, so "
                          "W and b still move, by a tiny step each time. Samples with a smaller |z| give gradients of "
                          "normal size and pull it out.", boxed=True),
                     Text("Remedies: normalized inputs, a smaller initialization or weight decay (smaller |z|), "
                          "batch normalization before the activation, or a ReLU-type activation.")],
                    "yes, slowly: the gradient is small, not zero")
        return ([Text("Yes: the unit is not saturated here, so this sample's gradient reaches W and b.",
                      boxed=True)], "yes: not saturated")
    return ([Text("Yes: the identity passes every gradient unchanged; the question does not arise.", boxed=True)],
            "yes: the identity always passes the gradient")


def widest_input(n):
    """The input of the domain box with the largest pre-activation, and that pre-activation (exact)."""
    x = [hi if w > 0 else lo for w, lo, hi in zip(n.W, n.lows, n.highs)]
    return x, sum((w * v for w, v in zip(n.W, x)), sp.Integer(0)) + n.b


def _dead_relu_short(n):
    """Part b's verdict for a ReLU dead at this sample, in a line (the summary's words)."""
    _, z_max = widest_input(n)
    if z_max > 0:
        return ("yes, possibly: other inputs give a positive pre-activation and a nonzero gradient"
                + ("; weight decay pulls z towards b > 0" if n.b > 0 else ""))
    return "no: the pre-activation is at most 0 for every input of the domain (a dead ReLU)"


def _decay(n):
    b = n.b
    return (("weight decay shrinks W, so z tends to the bias ", RelationChain(B, "=", b, ">", 0),
             " and turns positive once W has shrunk enough (if the bias is not decayed)") if b > 0 else
            ("weight decay shrinks W, but z then tends to the bias ", RelationChain(B, "=", b, "<=", 0),
             ", so it cannot revive the neuron"))


def _dead_relu(n, z):
    """Part b for a ReLU dead at this sample: whether it can come back, decided from the domain's widest
    input (the largest pre-activation any input of the domain gives) and the bias."""
    x_best, z_max = widest_input(n)
    if z_max > 0:
        smaller = all(w <= 0 for w in n.W) and all(lo >= 0 for lo in n.lows)
        verdict = [Text("Answer: yes, possibly. This sample's gradients are all zero, so it cannot move the neuron; "
                        "but another input ", NeuronFormula("x_prime"), " with ",
                        RelationChain(NeuronFormula("pre_activation_at", "'"), ">", 0), " in a later mini-batch (or a "
                        "change upstream that moves x) passes a nonzero gradient. ",
                        *(("Every weight is at most 0 and the inputs are at least 0, so smaller inputs give a larger "
                           "z: ",) if smaller else ("For example ",)),
                        RelationChain(NeuronFormula("x_prime"), "=", VectorShown(x_best)), " gives ",
                        RelationChain(Z, "=", z_max, ">", 0), ". ",
                        *((("Weight decay pulls W towards 0 as well, so z tends to ", RelationChain(B, "=", n.b, ">", 0),
                            " for every input. ") if n.b > 0 else ())),
                        "Momentum from earlier steps can also move W and b. If ", Z_NONPOS,
                        " for every input it sees, it never will: a dead ReLU.", boxed=True)]
    else:
        verdict = [Text("Answer: no. ", RelationChain(Z, "<=", z_max, "<=", 0), " for every input of the domain "
                        "(the largest pre-activation, at ", VectorShown(x_best), "), so every gradient stays zero: a "
                        "dead ReLU. Only a change upstream (when x is the output of earlier layers) or momentum from "
                        "earlier steps can still move W and b; ", *_decay(n), ".", boxed=True)]
    return [*only("full",           # the reasoning at length for --detail full; the model answer is the box
        Text("For this sample every gradient is exactly zero (part a), so the neuron's own update cannot move "
             "it, whatever the learning rate."),
        Text("It can learn again only if its pre-activation becomes positive for some input: another training "
             "input ", NeuronFormula("x_prime"), " with ", RelationChain(NeuronFormula("pre_activation_at", "'"), ">", 0),
             " in a later mini-batch (its gradient is not zero), or a change upstream (when ", X_VEC,
             " is the output of earlier layers, their updates move it). Side effects of the optimizer can also "
             "move W and b without a gradient from this sample: ", *_decay(n), "; momentum carries on the velocity "
             "of earlier steps.")),
        *verdict,
        remedies(),
    ]


def _num(v) -> str:
    """A number in plain text: exact when it is a short decimal, else to 3 significant figures."""
    v = sp.nsimplify(v)
    text = terminating_decimal(v) if v.is_Rational else None
    return (text if text is not None and len(text) <= 8 else f"{float(v):.3g}")


def _vector(values) -> str:
    return "[" + ", ".join(_num(v) for v in values) + "]"


def credit(sol, question, n, dead, part_a, part_b):
    """The criteria of each part (ideas a full answer states, each with its model sentence from the
    numbers) and the accepted alternatives; the numeric answers are graded items of their own."""
    act, up = n.activation, n.upstream
    z = sol.answers["z"]
    if act.name == "relu" and dead:
        sol.criterion(part_a, "no-update", "Why it cannot learn: the zero derivative stops every gradient, so the "
                      "update leaves W and b unchanged.",
                      f"Since z = {_num(z)} <= 0, dy/dz = 0, so dL/dW = 0, dL/db = 0 "
                      f"although dL/dy = {_num(up)} != 0: the update W <- W - eta dL/dW "
                      "leaves W and b unchanged, a dead ReLU for this input.")
    else:
        sol.criterion(part_a, "diagnosis", "What the size of the gradient means for learning.",
                      f"The local derivative at z = {_num(z)} sets how much of dL/dy reaches W and b.")
    if not (act.name == "relu" and dead):
        sol.criterion(part_b, "learns", "Whether and how fast it learns, tied to the size of the local derivative.",
                      "It learns from this sample in proportion to dy/dz; it would stop only where "
                      "dy/dz is 0 (or tiny) for every input.")
        return
    sol.criterion(part_b, "dead-now", "Why it is dead for this input.",
                  f"For this input z = W^T x + b = {_num(z)} < 0, so dy/dz = 0 and every gradient is 0: "
                  "the neuron's own update cannot move it.", weight=3)
    sol.criterion(part_b, "revives-if-z-positive", "It comes back only if z turns positive for some input; which "
                  "inputs or updates could do it here.", _revival(n), weight=3)
    sol.criterion(part_b, "never-if-all-negative", "If z <= 0 for every training input it never learns again.",
                  "If W^T x + b <= 0 for every training input, no gradient ever reaches W and b: it stays dead.",
                  weight=2)
    sol.criterion(part_b, "remedies", "At least one remedy.",
                  "Remedies: a leaky ReLU, PReLU or ELU; He initialization; a smaller learning rate; a small "
                  "positive bias at initialization; batch normalization before the activation.", weight=2)
    sol.credit(part_b, Text("The answer that it can never learn again is accepted when it is tied to ", Z_NONPOS,
                            " for every input the neuron sees."), alternative=True)
    sol.credit(part_b, Text("The answer that other samples revive it is accepted when it says why: those samples "
                            "give ", Z_POS, " and so a nonzero gradient."), alternative=True)


def _revival(n) -> str:
    """The model sentence of "revives-if-z-positive": the inputs of the exam's domain that give z > 0
    (the corner of the domain where z is largest), and the updates that could move z there."""
    W, b, D = n.W, n.b, n.D
    corner = [n.highs[i] if W[i] > 0 else n.lows[i] for i in range(D)]
    z_max = sum((W[i] * corner[i] for i in range(D)), sp.Integer(0)) + b
    if z_max > 0:
        inputs = f"here x = {_vector(corner)} (z = {_num(z_max)}), for one, in a later mini-batch"
    else:
        inputs = f"but no input of the domain does (z is at most {_num(z_max)}), so only an update can"
    decay = (f"weight decay, which shrinks W so that z tends to b = {_num(b)} > 0" if b > 0 else
             f"not weight decay (z would tend to b = {_num(b)} <= 0)")
    return (f"It comes back only if W^T x + b > 0 for some input: {inputs}; or an update of the layers "
            f"upstream that moves x there; or {decay}.")


# the weight of each final answer within its part (normalized over the finals a question has)
SHARES = {"z": 2, "y": 1, "dy_dz": 2, "grad.W": 1, "grad.b": 1, "grad.x": 1, "dead": 1, "saturated": 1,
          "learns_again": 1, "update.W": 2, "update.b": 1, "update.z": 1, "update.y": 1}


def share_points(sol, question):
    """Each final answer's weight in its part's points (symdl.grading.rubric shares them; with the criterion of
    part a, weight 1, DI504's part a is z 2, y 1, dy/dz 2, each gradient 1, the verdict 1, why 1)."""
    for a in sol.finals():
        if a.name in SHARES:
            sol.describe(a.name, weight=SHARES[a.name])
