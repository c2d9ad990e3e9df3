"""The init kind's Solution: the fans from the weight's shape, the gain, the standard deviation and,
for a uniform draw, the bound, each in closed form with the numbers substituted (no LaTeX here)."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import ValueShown
from symdl.solution import Solution, Step, Text

from .fields import read

UE = sp.UnevaluatedExpr
N_IN, N_OUT, G, A, SIGMA, BOUND = sp.symbols(r"n_{in} n_{out} g a \sigma b")
SIGMA_0, C, CUT = sp.symbols(r"\sigma_0 c t")
PHI = sp.Function(r"\varphi")
NAMES = {"xavier_uniform": "Xavier (Glorot) uniform", "xavier_normal": "Xavier (Glorot) normal",
         "kaiming_uniform": "Kaiming (He) uniform", "kaiming_normal": "Kaiming (He) normal",
         "lecun_uniform": "LeCun uniform", "lecun_normal": "LeCun normal", "truncated_normal": "Truncated normal"}
# the standard deviation of N(0, 1) truncated to [-2, 2]: sqrt(1 - 4 phi(2) / (Phi(2) - Phi(-2))), Keras's
# 0.87962566103423978
TRUNCATED_STD = sp.sqrt(1 - 4 * sp.exp(-2) / (sp.sqrt(2 * sp.pi) * sp.erf(sp.sqrt(2))))


def _sub(formula, numbers):
    with sp.evaluate(False):
        return formula.xreplace({k: UE(sp.Integer(v) if isinstance(v, int) else v) for k, v in numbers.items()})


def solve(question) -> Solution:
    p = read(question)
    sol = Solution(question.id, question.kind)
    if p.truncated:
        sol.assume("The normal draw is truncated as Keras truncates it: a value more than two standard deviations "
                   "of the normal before truncation from 0 is drawn again. torch.nn.init.trunc_normal_(w, std=s) "
                   "cuts at the absolute values a = -2 and b = 2 instead: the same draw only with a = -2 s, "
                   "b = 2 s.")
    else:
        sol.assume("The initialisation follows torch.nn.init: the uniform draw is U(-b, b) with b = sqrt(3) sigma; "
                   "the normal draw is N(0, sigma^2), not truncated.")
    if p.scheme == "truncated_normal":
        _truncation(sol, p, given=True)
        return sol
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
    if p.family == "lecun":
        sec.add(Text("LeCun initialisation keeps the variance of the forward pass without a gain (Keras's scale "
                     "1): the fan-in alone counts."), Step("", lhs=G, result=p.gain))
    elif p.nonlinearity is None:
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
    elif p.family == "lecun":
        sec.add(Text("LeCun initialisation keeps the variance of the forward pass: the fan-in counts."))
        formula = 1 / sp.sqrt(N_IN)
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
    elif p.truncated:
        _truncation(sol, p, given=False, std=std)
    else:
        sec.add(Text(f"{NAMES[p.scheme]}: every weight is drawn from a normal distribution of mean 0 and standard "
                     "deviation ", std, "."))


def _shown(value):
    """A value inside a substituted formula: itself when rational, else rounded to 6 digits for display."""
    return UE(value if value.is_Rational else sp.Float(value.evalf(30), 6))


def _truncation(sol, p, given, std=None):
    """The truncated normal: the factor c, sigma_0 and the drawn sigma, and the cut-off 2 sigma_0."""
    sec = sol.section("The truncated normal")
    with sp.evaluate(False):
        c_formula = sp.sqrt(1 - 4 * PHI(2) / sp.erf(sp.sqrt(2)))
        phi_formula = sp.exp(-2) / sp.sqrt(2 * sp.pi)
    sec.add(Text("Cutting a normal distribution at two standard deviations and drawing again beyond them narrows "
                 "it: the standard deviation of N(0, 1) kept within [-2, 2] is, with ", PHI(2), " the normal "
                 "density at 2,"),
            Step("", lhs=PHI(2), formula=phi_formula, result=sp.exp(-2) / sp.sqrt(2 * sp.pi)),
            Step("", lhs=C, formula=c_formula, result=TRUNCATED_STD))
    c_shown = _shown(TRUNCATED_STD)
    if given:
        sigma_0, std = p.stddev, TRUNCATED_STD * p.stddev
        sec.add(Text("The given standard deviation is that of the normal before truncation; the weights drawn "
                     "have the smaller one:"),
                Step("", lhs=SIGMA_0, result=sigma_0),
                Step("", lhs=SIGMA, formula=C * SIGMA_0, substituted=sp.Mul(UE(sigma_0), c_shown, evaluate=False),
                     result=std))
        sol.answer("std", std, label=SIGMA, final=True)
        sol.answer("variance", std ** 2, label=SIGMA ** 2)
    else:
        sigma_0 = std / TRUNCATED_STD
        sec.add(Text("To give the weights the standard deviation above, the normal is drawn with a larger one "
                     "before truncation:"),
                Step("", lhs=SIGMA_0, formula=SIGMA / C,
                     substituted=sp.Mul(_shown(std), sp.Pow(c_shown, -1, evaluate=False), evaluate=False),
                     result=sigma_0))
        sol.answer("std_untruncated", sigma_0, label=SIGMA_0)
    cut = 2 * sigma_0
    sec.add(Step("", lhs=CUT, formula=2 * SIGMA_0, substituted=sp.Mul(2, _shown(sigma_0), evaluate=False),
                 result=cut))
    sol.answer("cutoff", cut, label=CUT)
    sec.add(Text(f"{NAMES[p.scheme]}: every weight is drawn from N(0, ", SIGMA_0 ** 2, "), a value beyond ", CUT,
                 " drawn again; the weights have the standard deviation ", SIGMA, " ", ValueShown(std), "."))


def sheet(question) -> list:
    """The question as the exam sheet shows it: the scheme, the shape (or fans), the mode and the gain's source."""
    p = read(question)
    words = [NAMES[p.scheme] + (" (Keras: truncated at two standard deviations)" if p.truncated and p.scheme !=
                                "truncated_normal" else "")]
    if p.scheme == "truncated_normal":
        return [Text(f"{words[0]} with standard deviation ", ValueShown(p.stddev, bare=True), " before truncation "
                     "(Keras: values beyond two standard deviations drawn again).")]
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
