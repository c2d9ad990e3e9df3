"""The neuron kind's Solution: part a (forward and backward pass, the diagnosis) and part b (recovery)."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import RelationChain, ValueShown, display_tex, product, sum_tex, vector_tex
from symdl.kinds.neuron.notation import BracketedValue, CasesOf, NeuronFormula, PartialSymbol, _factor_tex
from symdl.notation.printer import substitute, value_tex
from symdl.solution import Solution, Step, Tex, Text, only

from . import update, verdict

from .diagnosis import diagnosis
from .fields import UE, read
from .figures import figure
from .recovery import recovery
from .symbols import (A_OF, ALPHA, B, DL_DB, DL_DW, DL_DX, DL_DY, DL_DZ, DY_DZ, SIGMA_OF, TAU, W_T, W_VEC, X_VEC, Y,
                      Z)

def solve(question) -> Solution:
    n = read(question)
    act = n.activation
    sol = Solution(question.id, question.kind)
    part_a = "a" if "a" in question.parts else None
    part_b = "b" if "b" in question.parts else None
    symbols = ([sp.Symbol(f"W_{i + 1}") for i in range(n.D)], [sp.Symbol(f"x_{i + 1}") for i in range(n.D)],
               sp.Symbol("b"))

    sec = sol.section("Forward pass, backward pass and what goes wrong", part=part_a)
    z, y_exact, dydz = _forward(sol, sec, question, n, symbols, part_a)
    _backward(sol, sec, n, dydz, part_a)
    sec.add(*only("full", figure(n, z, y_exact, dydz)))

    # ---------------------------------------------------------------- diagnosis
    dead = bool(dydz == 0)
    sol.ties = ["z"] if act.name in ("relu", "leaky_relu") and z == 0 else []   # z at the kink: require's "no tie"
    sol.answer("dead", dead, part=part_a, label="dead for this input", final=act.name == "relu")
    saturated = None
    if act.name in ("sigmoid", "tanh"):
        saturated = bool(abs(dydz) < n.threshold)
        sol.answer("saturated", saturated, part=part_a, label="saturated", final=True)
        sol.assume(Text("The ", act.title, " unit is called saturated when ",
                        RelationChain(PartialSymbol("y", "z", "abs"), "<", TAU, "=", n.threshold),
                        "" if question.has("saturation") else " (a conventional threshold)", "."))
    sec.add(verdict.part_a_verdict(n, z, dydz, dead, saturated))
    sec.add(*only("full", *diagnosis(n, z, dydz, dead, saturated)))

    # ---------------------------------------------------------------- part b
    sec = sol.section("Can the neuron learn again?", part=part_b)
    items, short = verdict.part_b_answer(n, z, dead, saturated)
    sec.add(*items)
    sol.answer("learns_again", short, part=part_b, label="can it learn again?", final=True)
    verdict.credit(sol, question, n, dead, part_a, part_b)
    _region(sol, question, n, z, symbols, part_b)
    if n.update is not None:
        update.explain(sol, n, sol.answers["grad.W"], sol.answers["grad.b"], question)
    verdict.share_points(sol, question)
    return sol


def _forward(sol, sec, question, n, symbols, part):
    """The forward pass and the local derivative: (z, y, dy/dz), each an answer of ``part``."""
    act, D = n.activation, n.D
    Ws, xs, bs = symbols
    intro = ["The neuron computes "]
    intro.append(display_tex(question, "model") if question.has("model")
                 else RelationChain(Y, "=", A_OF(sp.Add(W_T * X_VEC, B, evaluate=False))))
    intro += [f" with {D} inputs and the {act.title} activation "]
    intro.append(RelationChain(A_OF(Z), "=", act.formula))
    if act.name == "leaky_relu":
        intro += [", slope ", RelationChain(ALPHA, "=", n.slope)]
    intro.append(". First the pre-activation z, then y, then the gradients by the chain rule.")
    sec.add(Text(*intro))
    if act.name == "leaky_relu" and not question.has("slope"):
        sol.assume(Text("The leaky ReLU slope is taken as ", RelationChain(ALPHA, "=", n.slope),
                        " (the PyTorch default; no slope was stated)."))
    z = (n.W.T * n.x)[0] + n.b
    terms_sym = [Ws[i] * xs[i] for i in range(D)] + [bs]
    terms_num = [product(n.W[i], n.x[i]) for i in range(D)] + [UE(n.b)]
    sec.add(Step("The pre-activation, the weighted sum written out term by term:",
                 lhs=Z, formula=sum_tex(terms_sym), substituted=sum_tex(terms_num), result=z, boxed=True))
    sol.answer("z", z, part=part, label=Z, final=True)

    alpha = n.slope if n.slope is not None else sp.Integer(0)
    y_exact = n.A(z)
    sec.add(Step("The output of the activation:", lhs=Y, formula=act.formula,
                 substituted=_activation_substituted(act, z, alpha), result=y_exact, boxed=True))
    sol.answer("y", y_exact, part=part, label=Y, final=True)

    dydz, dydz_items = _local_derivative(act, z, y_exact, alpha, n.dA)
    if act.name in ("relu", "leaky_relu") and z == 0:
        sol.assume(Text("At the kink z = 0 the derivative of the ", act.title, " is taken as ",
                        RelationChain(DY_DZ, "=", dydz),
                        " (the convention of PyTorch and TensorFlow)." if n.subgradients == "pytorch" else
                        " (the mean of the two one-sided slopes, as central differences give)."))
    dydz_items[-1].boxed = True
    sec.add(*dydz_items)
    sol.answer("dy_dz", dydz, part=part, label=DY_DZ, final=True)
    return z, y_exact, dydz


def _region(sol, question, n, z, symbols, part):
    """The input-region analysis (the active half-space or slab, its exact share of the input box), for
    the instructor: a claim about the inputs only when the question states a box, else about an assumed one."""
    sec = sol.section("Can the neuron learn again? The input region", part=part, audience="instructor")
    sec.add(n.domain_note)
    try:
        recovery(sol, sec, n, z, *symbols)
    except OverflowError:
        raise question.error("W", "the exact active fraction needs too many terms; "
                                  "use fewer inputs with a nonzero weight") from None
    for name in ("domain.z_max", "domain.z_min", "dead_on_domain", "active_fraction", "saturation_z",
                 "witness", "witness.z", "saturated_on_domain"):
        if name in sol.meta:
            sol.describe(name, part=part)


def _backward(sol, sec, n, dydz, part=None):
    """Part a's backward pass: dL/dz by the chain rule, then into W, b and x."""
    dLdy, dydz_s, dLdz_s = DL_DY, DY_DZ, DL_DZ
    gz = n.upstream * dydz
    sec.add(Step("Chain rule through the activation, with the given upstream gradient:",
                 lhs=dLdz_s, formula=dLdy * dydz_s,
                 substituted=substitute(dLdy * dydz_s, {dLdy: n.upstream, dydz_s: dydz})
                 if dydz.is_Rational else NeuronFormula("times", Tex(_factor_tex(n.upstream)), ValueShown(dydz, bare=True)),
                 result=gz))
    sol.answer("grad.z", gz, part=part, label=dLdz_s)

    gW = n.x * gz
    gx = n.W * gz
    sec.add(Text("Chain rule into the weights, the bias and the input (the gradient passed to the layer below), "
                 "since ", RelationChain(PartialSymbol("z", "W_i", "slash"), "=", sp.Symbol("x_i")), ", ",
                 RelationChain(PartialSymbol("z", "b", "slash"), "=", 1), " and ",
                 RelationChain(PartialSymbol("z", "x_i", "slash"), "=", sp.Symbol("W_i")), ":"),
            _vector_step(DL_DW, X_VEC, gz, n.x, gW))
    sol.answer("grad.W", gW, part=part, label=DL_DW, final=True)
    sec.add(Step("", lhs=RelationChain(DL_DB, "=", dLdz_s), result=gz, relation="=", boxed=True))
    sol.answer("grad.b", gz, part=part, label=DL_DB, final=True)
    sec.add(_vector_step(DL_DX, W_VEC, gz, n.W, gx))
    sol.answer("grad.x", gx, part=part, label=DL_DX, final=True)


def _activation_substituted(act, z, alpha):
    if act.name == "sigmoid":
        return sp.Mul(UE(1), sp.Pow(sp.Add(1, sp.exp(UE(-z), evaluate=False), evaluate=False), -1,
                                    evaluate=False), evaluate=False)
    return substitute(act.formula, {Z: z, ALPHA: alpha})


def _local_derivative(act, z, y, alpha, dA):
    """(exact dy/dz, the items that derive it) for the activation at z."""
    lhs = DY_DZ
    if act.name in ("relu", "leaky_relu"):
        low = sp.Integer(0) if act.name == "relu" else alpha
        value = dA(z)
        closed = CasesOf((1, RelationChain(Z, ">", 0)),
                         (ALPHA if act.name == "leaky_relu" else 0, RelationChain(Z, "<=", 0)))
        why = RelationChain(Z, "=", z, ">" if z > 0 else "<" if z < 0 else "=", 0)
        case = "first" if z > 0 else "second" if z < 0 or value == low else "kink"
        return value, [Text("The local derivative of the activation; here ", why,
                            ", the " + case + " case:" if case != "kink" else ", the kink (the convention below):"),
                       Step("", lhs=lhs, formula=closed, result=value)]
    if act.name == "sigmoid":
        # y (1 - y) with 1 - y = e^{-z}/(1 + e^{-z}) written out: no cancellation when y is 1 to 200 digits
        value = dA(z)
        return value, [Text("The local derivative of the sigmoid, in terms of its output ", RelationChain(Y, "=", SIGMA_OF(Z)), ":"),
                       Step("", lhs=lhs, formula=Y * (1 - Y), substituted=_tail_sub(act, z, y) or
                            _y_sub(Y * (1 - Y), y), result=value)]
    if act.name == "tanh":
        value = dA(z)
        return value, [Text("The local derivative of tanh, in terms of its output ", RelationChain(Y, "=", sp.tanh(Z)), ":"),
                       Step("", lhs=lhs, formula=1 - Y ** 2, substituted=_tail_sub(act, z, y) or
                            _y_sub(1 - Y ** 2, y), result=value)]
    return sp.Integer(1), [Step("The identity passes its input unchanged:", lhs=lhs, formula=sp.Integer(1),
                                result=sp.Integer(1))]


def _tail_sub(act, z, y):
    """Where y shows as +-1 when rounded, the derivative written without the cancellation, else None."""
    if value_tex(y)[1] not in ("1", "-1"):
        return None
    if act.name == "sigmoid":
        return NeuronFormula("times", y, sp.exp(-z) / (1 + sp.exp(-z)))
    return NeuronFormula("tanh_tail", z)


def _y_sub(expr, y):
    """``expr`` in y with the value of y put in: an exact decimal as itself, else rounded."""
    relation, body = value_tex(y)
    if relation == "=":
        return substitute(expr, {Y: y})
    with sp.evaluate(False):
        return expr.xreplace({Y: BracketedValue(body)})


def _vector_step(lhs, vector_name, gz, vals, result):
    """dL/d(vector) = dL/dz * vector: compact closed form, the numbers, the result as a row^T."""
    relation, body = vector_tex(result)
    factor = _factor_tex(gz) if gz.is_Rational else value_tex(gz)[1]
    substituted = NeuronFormula("times", Tex(factor), vector_tex(vals)[1])
    return Step("", lhs=lhs, formula=sp.Mul(DL_DZ, vector_name, evaluate=False),
                substituted=substituted, result=Tex(body), relation=relation, boxed=True)

