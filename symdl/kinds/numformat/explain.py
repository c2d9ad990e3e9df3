"""The numformat kind's Solution: the format's limits, values rounded to it, loss scaling, int8 quantization."""

from __future__ import annotations

import sympy

from symdl.notation.printer import tex
from symdl.solution import Solution, Step, Tex, Text

from .fields import read
from .formats import FORMATS, qparams, quantize, round_to

DIGITS = {11: 6, 8: 5, 24: 9}     # significant digits that tell a format's neighbours apart (by p)
_ROUND_WORDS = "Rounding is to the nearest representable value, a tie to the one with an even last bit (IEEE 754's default)."


def _t(value):
    return tex(value) if value not in (sympy.oo, -sympy.oo) else Tex(r"\infty" if value > 0 else r"-\infty")


def _parts(question, asked):
    """The part each asked item belongs to: the question's parts in order when there is one per item."""
    keys = list(getattr(question, "parts", None) or {})
    return dict(zip(asked, keys)) if len(keys) == len(asked) else {name: None for name in asked}


def solve(question) -> Solution:
    problem = read(question)
    fmt = FORMATS[problem.format]
    sol = Solution(question.id, question.kind)
    asked = [name for name, on in (("limits", problem.limits), ("round", problem.values),
                                   ("scaling", problem.gradients), ("quantize", problem.qvalues)) if on]
    part = _parts(question, asked)
    if problem.values or problem.gradients:
        sol.assume(_ROUND_WORDS)
    if problem.limits:
        _limits(sol, fmt, part["limits"])
    if problem.values:
        sec = sol.section(f"Rounding to {fmt.name}", part=part["round"])
        for k, x in enumerate(problem.values, 1):
            _rounding(sol, sec, fmt, x, f"round.{k}", rf"x_{{{k}}}", part["round"])
    if problem.gradients:
        _scaling(sol, fmt, problem, part["scaling"])
    if problem.qvalues:
        _quantization(sol, problem, part["quantize"])
    return sol


def _limits(sol, fmt, part):
    sec = sol.section(f"The limits of {fmt.name}", part=part)
    p, emin, emax = fmt.p, fmt.emin, fmt.emax
    sec.add(Text(f"{fmt.name} has {fmt.bits} bits: 1 sign bit, {fmt.bits - p} exponent bits and {p - 1} "
                 f"fraction bits, so a normal number is ", Tex(r"1.f \times 2^{e}"), f" with {p - 1} bits f and ",
                 Tex(rf"{emin} \le e \le {emax}"), "."))
    rows = (("limits.max", "The largest finite value: every fraction bit 1, the largest exponent.",
             r"x_{\max}", rf"(2 - 2^{{{1 - p}}})\, 2^{{{emax}}}", fmt.max),
            ("limits.normal", "The smallest positive normal value: fraction 0, the smallest exponent.",
             r"x_{\min}", rf"2^{{{emin}}}", fmt.min_normal),
            ("limits.subnormal", "The smallest positive subnormal value: only the last fraction bit set.",
             r"x_{\mathrm{sub}}", rf"2^{{{emin} - {p - 1}}} = 2^{{{emin - p + 1}}}", fmt.min_subnormal),
            ("limits.eps", "The machine epsilon: the spacing of the numbers just above 1.",
             r"\varepsilon", rf"2^{{-{p - 1}}}", fmt.eps))
    for name, words, lhs, formula, value in rows:
        sec.add(Step(words, lhs=Tex(lhs), formula=Tex(formula), result=value, boxed=True))
        sol.answer(name, value, part=part, label=Tex(lhs), final=True)


def _rounding(sol, sec, fmt, x, name, label, part, final=True):
    """The working of fl(x) in ``fmt``; records the answers ``name`` (finite only) and ``name.overflow``."""
    r = round_to(fmt, x)
    lhs = Tex(rf"\mathrm{{fl}}({label})")
    if r.exponent is None:
        sec.add(Step("Zero is exact.", lhs=lhs, result=sympy.Integer(0), boxed=final))
    else:
        where = (Tex(rf"\lvert {label} \rvert < 2^{{{fmt.emin}}}"), ", below the smallest normal value: a subnormal, "
                 "on the grid of the smallest binade.") if r.subnormal else \
            (Tex(rf"2^{{{r.exponent}}} \le \lvert {label} \rvert < 2^{{{r.exponent + 1}}}"), ".")
        sec.add(Text(Tex(rf"{label} = {_t(x)}"), ": ", *where))
        sec.add(Step("The spacing of the format there:", lhs=Tex(r"\Delta"),
                     formula=Tex(rf"2^{{{r.exponent} - {fmt.p - 1}}}"), result=r.spacing))
        sec.add(Step("Divide by the spacing and round to the nearest integer (a tie to the even one).",
                     lhs=Tex("k"), formula=Tex(rf"\operatorname{{round}}(\lvert {label} \rvert / \Delta)"),
                     substituted=Tex(rf"\operatorname{{round}}({tex(r.ratio)})"), result=r.k))
        if r.overflow:
            sec.add(Text(f"k x spacing = ", Tex(tex(r.k * r.spacing)), " is larger than the largest finite value ",
                         Tex(tex(fmt.max)), ": the value overflows to infinity."))
            sec.add(Step("The rounded value:", lhs=lhs, result=r.value, boxed=final))
        else:
            sign = "-" if x < 0 else ""
            sec.add(Step("The rounded value and its rounding error:", lhs=lhs, formula=Tex(rf"{sign}k \Delta"),
                         result=r.value, boxed=final))
            sec.add(Step("", lhs=Tex(rf"\mathrm{{fl}}({label}) - {label}"), result=r.error))
            sol.answer(name, r.value, part=part, label=lhs, final=final, digits=DIGITS[fmt.p])
            sol.describe(name, figures=DIGITS[fmt.p])      # graded to the digits that tell neighbours apart
            sol.answer(f"{name}.error", r.error, part=part, label=Tex(rf"\mathrm{{fl}}({label}) - {label}"))
    sol.answer(f"{name}.overflow", r.overflow, part=part, label=Tex(rf"\mathrm{{fl}}({label}) = \pm\infty"))
    return r


def _scaling(sol, fmt, problem, part):
    s = problem.scale
    sec = sol.section(f"Loss scaling in {fmt.name}", part=part)
    sec.add(Text("The loss is multiplied by the scale S before the backward pass, so every gradient is computed "
                 "in the format as S g; the optimizer divides by S again in float32 (multiplying by the float32 "
                 "value of 1/S, as torch.cuda.amp.GradScaler does). S = ", Tex(tex(s)), "."))
    fp32 = FORMATS["fp32"]
    inverse = round_to(fp32, 1 / s).value
    scaled = []
    for k, g in enumerate(problem.gradients, 1):
        sec.add(Text(f"Gradient {k}: ", Tex(rf"g_{{{k}}} = {tex(g)}"), ". Without scaling it is stored as"))
        _rounding(sol, sec, fmt, g, f"scaling.plain.{k}", rf"g_{{{k}}}", part, final=False)
        sec.add(Text("Scaled, ", Tex(rf"S g_{{{k}}} = {tex(s * g)}"), " is stored as"))
        scaled.append(_rounding(sol, sec, fmt, s * g, f"scaling.scaled.{k}", rf"S g_{{{k}}}", part, final=False))
    overflow = any(r.overflow for r in scaled)
    sol.answer("scaling.overflow", overflow, part=part, final=True, label=Tex(r"\text{a scaled gradient overflows}"))
    if overflow:
        sec.add(Text("A scaled gradient overflowed to infinity: the step is skipped, and the scale is multiplied "
                     "by the backoff factor ", Tex(tex(problem.backoff)), ".", boxed=True))
    else:
        sec.add(Text("No scaled gradient overflowed: the step is taken with the unscaled gradients.", boxed=True))
    for k, r in enumerate(scaled, 1):
        if r.overflow:
            continue
        back = round_to(fp32, r.value * inverse).value
        sec.add(Step(f"Gradient {k} unscaled in float32:", lhs=Tex(rf"\hat g_{{{k}}}"),
                     formula=Tex(rf"\mathrm{{fl}}_{{32}}(\mathrm{{fl}}(S g_{{{k}}})\cdot \mathrm{{fl}}_{{32}}(1/S))"),
                     result=back, boxed=True))
        sol.answer(f"scaling.unscaled.{k}", back, part=part, label=Tex(rf"\hat g_{{{k}}}"), final=True, digits=6)
        sol.describe(f"scaling.unscaled.{k}", figures=6)
    following = s * problem.backoff if overflow else s
    sec.add(Step("The scale for the next step:", lhs=Tex("S'"), result=following, boxed=True))
    sol.answer("scaling.next", following, part=part, label=Tex("S'"), final=True)


def _quantization(sol, problem, part):
    q = qparams(problem.low, problem.high, problem.scheme, problem.dtype)
    sec = sol.section(f"{problem.dtype} quantization, {problem.scheme}", part=part)
    sec.add(Text("The range ", Tex(rf"[{tex(problem.low)}, {tex(problem.high)}]"), " widened to hold 0 is ",
                 Tex(rf"[x_{{\min}}, x_{{\max}}] = [{tex(q.low)}, {tex(q.high)}]"),
                 f"; {problem.dtype} holds the integers ", Tex(rf"q_{{\min}} = {q.qmin}"), " to ",
                 Tex(rf"q_{{\max}} = {q.qmax}"), "."))
    sym = Tex(r"s")
    if problem.scheme == "symmetric":
        sec.add(Step("The scale maps the larger magnitude to half the integer range:", lhs=sym,
                     formula=Tex(r"\frac{\max(\lvert x_{\min}\rvert, \lvert x_{\max}\rvert)}{(q_{\max} - q_{\min})/2}"),
                     result=q.scale, boxed=True))
        sec.add(Step("The zero point of a symmetric scheme is fixed:", lhs=Tex("z"), result=q.zero, boxed=True))
    else:
        sec.add(Step("The scale maps the range onto the integer range:", lhs=sym,
                     formula=Tex(r"\frac{x_{\max} - x_{\min}}{q_{\max} - q_{\min}}"),
                     substituted=Tex(rf"\frac{{{tex(q.high)} - ({tex(q.low)})}}{{{q.qmax} - ({q.qmin})}}"),
                     result=q.scale, boxed=True))
        sec.add(Step("The zero point is the integer that stands for 0 (clamped to the integer range):", lhs=Tex("z"),
                     formula=Tex(r"q_{\min} - \operatorname{round}(x_{\min} / s)"), result=q.zero, boxed=True))
    sol.answer("quant.scale", q.scale, part=part, label=sym, final=True)
    sol.answer("quant.zero", q.zero, part=part, label=Tex("z"), final=True)
    for k, x in enumerate(problem.qvalues, 1):
        ratio, rounded, level, back, error = quantize(q, x)
        sec.add(Text(f"Value {k}: ", Tex(rf"x_{{{k}}} = {tex(x)},\ x_{{{k}}} / s = {tex(ratio)}"),
                     ", rounded (a tie to the even integer), plus z, clamped to the integer range:"))
        sec.add(Step("", lhs=Tex(rf"q_{{{k}}}"), formula=Tex(r"\operatorname{clamp}(\operatorname{round}(x / s) + z, q_{\min}, q_{\max})"),
                     result=level, boxed=True))
        sec.add(Step("Dequantized, and the error:", lhs=Tex(rf"\hat x_{{{k}}}"), formula=Tex(rf"(q_{{{k}}} - z)\, s"),
                     result=back, boxed=True))
        sec.add(Step("", lhs=Tex(rf"\hat x_{{{k}}} - x_{{{k}}}"), result=error))
        sol.answer(f"quant.q.{k}", level, part=part, label=Tex(rf"q_{{{k}}}"), final=True)
        sol.answer(f"quant.deq.{k}", back, part=part, label=Tex(rf"\hat x_{{{k}}}"), final=True, digits=6)
        sol.describe(f"quant.deq.{k}", figures=6)
        sol.answer(f"quant.error.{k}", error, part=part, label=Tex(rf"\hat x_{{{k}}} - x_{{{k}}}"))
