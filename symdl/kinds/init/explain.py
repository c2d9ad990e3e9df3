"""The init kind's Solution: the fans from the weight's shape, the gain, the standard deviation and,
for a uniform draw, the bound, each in closed form with the numbers substituted (no LaTeX here)."""

from __future__ import annotations

import sympy as sp

from symdl.solution import Solution, Step, Text

from .fields import read

UE = sp.UnevaluatedExpr
N_IN, N_OUT, G, A, SIGMA, BOUND = sp.symbols(r"n_{in} n_{out} g a \sigma b")
NAMES = {"xavier_uniform": "Xavier (Glorot) uniform", "xavier_normal": "Xavier (Glorot) normal",
         "kaiming_uniform": "Kaiming (He) uniform", "kaiming_normal": "Kaiming (He) normal"}


def _sub(formula, numbers):
    with sp.evaluate(False):
        return formula.xreplace({k: UE(sp.Integer(v) if isinstance(v, int) else v) for k, v in numbers.items()})


def solve(question) -> Solution:
    p = read(question)
    sol = Solution(question.id, question.kind)
    sol.assume("The initialisation follows torch.nn.init: the uniform draw is U(-b, b) with b = sqrt(3) sigma; "
               "the normal draw is N(0, sigma^2), not truncated.")
    _fans(sol, p)
    _gain(sol, p)
    _scale(sol, p)
    return sol


def _fans(sol, p):
    sec = sol.section("Fan-in and fan-out")
    if p.shape is not None:
        dims = " x ".join(str(v) for v in p.shape)
        if p.layout == "pytorch":
            out_maps, in_maps, kernel = p.shape[0], p.shape[1], p.shape[2:]
            where = "PyTorch stores the weight as [out, in, kernel...]"
        else:
            out_maps, in_maps, kernel = p.shape[-1], p.shape[-2], p.shape[:-2]
            where = "Keras stores the kernel as [kernel..., in, out]"
        sec.add(Text(f"The weight is {dims}; {where}: {in_maps} input and {out_maps} output maps"
                     + (f", each connection a {' x '.join(str(k) for k in kernel)} kernel." if kernel else ".")))
        for lhs, maps in ((N_IN, in_maps), (N_OUT, out_maps)):
            factors = [maps, *kernel]
            if len(factors) > 1:
                with sp.evaluate(False):
                    product = sp.Mul(*[UE(sp.Integer(v)) for v in factors])
                sec.add(Step("", lhs=lhs, formula=product, result=sp.Integer(p.fan_in if lhs is N_IN else p.fan_out)))
            else:
                sec.add(Step("", lhs=lhs, result=sp.Integer(maps)))
    else:
        sec.add(Step("", lhs=N_IN, result=sp.Integer(p.fan_in)), Step("", lhs=N_OUT, result=sp.Integer(p.fan_out)))
    sol.answer("fan_in", sp.Integer(p.fan_in), label=N_IN)
    sol.answer("fan_out", sp.Integer(p.fan_out), label=N_OUT)


def _gain(sol, p):
    sec = sol.section("The gain")
    if p.nonlinearity is None:
        sec.add(Text("The gain is given."), Step("", lhs=G, result=p.gain))
    elif p.nonlinearity == "leaky_relu":
        formula = sp.sqrt(2 / (1 + A ** 2))
        if p.slope_default:
            sol.assume(f"No slope is given for the leaky ReLU: a = {p.slope} as in torch.nn.init"
                       + (" (kaiming_*'s default a = 0, the plain ReLU)." if p.slope == 0 else
                          " (calculate_gain's default 0.01)."))
        sec.add(Text("For a leaky ReLU of slope a the gain keeps the variance of the activations:"),
                Step("", lhs=G, formula=formula, substituted=_sub(formula, {A: p.slope}), result=p.gain))
    else:
        why = {"linear": "a linear layer (no nonlinearity) keeps the variance: gain 1",
               "sigmoid": "PyTorch's calculate_gain takes 1 for the sigmoid",
               "tanh": "PyTorch's calculate_gain takes 5/3 for tanh",
               "relu": "a ReLU halves the second moment, so the gain is the square root of 2",
               "selu": "PyTorch's calculate_gain takes 3/4 for SELU"}[p.nonlinearity]
        sec.add(Text(why[0].upper() + why[1:] + "."), Step("", lhs=G, result=p.gain))
    sol.answer("gain", p.gain, label=G)


def _scale(sol, p):
    sec = sol.section("The standard deviation" + (" and the bound" if p.distribution == "uniform" else ""))
    numbers = {N_IN: p.fan_in, N_OUT: p.fan_out, G: p.gain}
    if p.family == "xavier":
        sec.add(Text("Xavier (Glorot) initialisation keeps the variance through the layer and back: it "
                     "averages the fans."))
        formula = G * sp.sqrt(2 / (N_IN + N_OUT))
    else:
        fan = {"fan_in": N_IN, "fan_out": N_OUT, "fan_avg": (N_IN + N_OUT) / 2}[p.mode]
        sec.add(Text({"fan_in": "Kaiming (He) initialisation, mode fan_in: the variance of the forward pass "
                                "is kept, so the fan-in counts.",
                      "fan_out": "Kaiming (He) initialisation, mode fan_out: the variance of the backward "
                                 "pass is kept, so the fan-out counts.",
                      "fan_avg": "Mode fan_avg: the average of the two fans counts."}[p.mode]))
        formula = G / sp.sqrt(fan)
    std = formula.subs(numbers)
    sec.add(Step("", lhs=SIGMA, formula=formula, substituted=_sub(formula, numbers), result=std))
    sol.answer("std", std, label=SIGMA, final=p.distribution == "normal")
    sol.answer("variance", sp.nsimplify(std ** 2), label=SIGMA ** 2)
    if p.distribution == "uniform":
        bound = sp.sqrt(3) * std
        sec.add(Text("A uniform draw on (-b, b) has variance b^2/3, so the bound is:"),
                Step("", lhs=BOUND, formula=sp.sqrt(3) * SIGMA, substituted=sp.Mul(sp.sqrt(3), UE(std), evaluate=False),
                     result=bound))
        sol.answer("bound", bound, label=BOUND, final=True)
        sec.add(Text(f"{NAMES[p.scheme]}: every weight is drawn from U(-b, b) with b = ", bound, "."))
    else:
        sec.add(Text(f"{NAMES[p.scheme]}: every weight is drawn from a normal distribution of mean 0 and standard "
                     "deviation ", std, "."))


def sheet(question) -> list:
    """The question as the exam sheet shows it: the scheme, the shape (or fans), the mode and the gain's source."""
    p = read(question)
    words = [NAMES[p.scheme]]
    if p.shape is not None:
        words.append(f"weight of shape {' x '.join(str(v) for v in p.shape)} "
                     f"({'PyTorch: [out, in, kernel...]' if p.layout == 'pytorch' else 'Keras: [kernel..., in, out]'})")
    else:
        words.append(f"fan-in {p.fan_in}, fan-out {p.fan_out}")
    if p.family == "kaiming":
        words.append(f"mode {p.mode}")
    if p.nonlinearity is not None:
        words.append(f"nonlinearity {p.nonlinearity}" + (f" with slope {p.slope}" if p.nonlinearity == "leaky_relu"
                                                          and not p.slope_default else ""))
    return [Text("; ".join(words) + ".")]
