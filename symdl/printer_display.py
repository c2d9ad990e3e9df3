"""How the printer prints symdl's display objects (symdl/display.py): one ``_print_<Class>`` each,
attached to :class:`symdl.printer.SymdlPrinter`, so that no kind writes LaTeX itself."""

from __future__ import annotations

import sympy

from symdl.display_base import GraphFormula, GraphParen, SoftmaxClassName
from symdl.printer import SymdlPrinter, tex, value_tex, vector_tex  # noqa: F401  (the printer is defined first)
from symdl.solution import Tex

# -- display objects (symdl.display): printed here so that no kind writes LaTeX ---------------------
_TEXT_ESCAPES = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "%": r"\%", "_": r"\_", "^": r"\hat{}", "~": r"\sim "}


def _text_in_math(text: str) -> str:
    r"""Plain text inside math as \text{...}, every special character escaped."""
    body = "".join(_TEXT_ESCAPES.get(ch, ch) for ch in str(text) if ord(ch) >= 32)
    return r"\text{" + body + "}"


def _print_Quantity(self, expr):
    base, sub, accent = expr.parts
    out = rf"\mathrm{{{base}}}" if len(base) > 1 else base
    if accent == "tilde":
        out = rf"\tilde{{{out}}}"
    if sub:
        out += r"_{\mathrm{" + sub.replace("_", r"\_") + "}}"
    return out


def _print_FloorOf(self, expr):
    return r"\left\lfloor " + self._print(expr.args[0]) + r" \right\rfloor"


def _print_CeilOf(self, expr):
    return r"\left\lceil " + self._print(expr.args[0]) + r" \right\rceil"


def _print_MaxOf(self, expr):
    return r"\max\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"


def _print_Dims(self, expr):
    if not expr.items:
        return r"\text{none}"
    return r" \times ".join(self._print(v) for v in expr.items)


def _print_Percent(self, expr):
    if expr.approx:
        value = tex(expr.value, sig_digits=expr.sig, approximate=True)
        return r"\approx " + value + r"\,\%"
    return self._print(sympy.sympify(expr.value)) + r"\,\%"


def _print_Lines(self, expr):
    from symdl.solution import Text

    def line(item):
        if isinstance(item, Text):
            return " ".join(_text_in_math(p) if isinstance(p, str) and not isinstance(p, Tex)
                            else self._print(p) for p in item.parts)
        if isinstance(item, str) and not isinstance(item, Tex):
            return _text_in_math(item)
        return self._print(item)
    return r"\begin{array}{l}" + r" \\ ".join(line(i) for i in expr.items) + r"\end{array}"


for _method in (_print_Quantity, _print_FloorOf, _print_CeilOf, _print_MaxOf, _print_Dims,
                _print_Percent, _print_Lines):
    setattr(SymdlPrinter, _method.__name__, _method)


# -- training-log display objects -----------------------------------------------------------------
def _print_LogEpochSpan(self, expr):
    return r"\Delta e"


def _print_LogIterationBound(self, expr):
    if expr.side == "row":
        return r"(e-1)\,I < i \le e\,I"
    if expr.side == "lower":
        if expr.i is None:
            return r"I \ge \lceil i/e \rceil"
        return rf"I \ge \lceil {expr.i}/{expr.e} \rceil = {expr.value}"
    if expr.i is None:
        return r"I \le \lfloor (i-1)/(e-1) \rfloor"
    return rf"I \le \lfloor {expr.i - 1}/{expr.e - 1} \rfloor = {expr.value}"


def _print_LogSetSize(self, expr):
    if expr.lo is None:
        return r"N \approx I\,B"
    return self._print(expr.lo) + r" \le N \le " + self._print(expr.hi)


def _print_LogFitSums(self, expr):
    sx, sy, sxx, sxy = (self._print(v) for v in expr.values)
    return (r"S_x = \sum x_k = " + sx + r",\ S_y = \sum y_k = " + sy
            + r",\ S_{xx} = \sum x_k^2 = " + sxx + r",\ S_{xy} = \sum x_k y_k = " + sxy)


_LOG_FIT_TERMS = {"sse": r"SSE = \sum (y_k - a - b x_k)^2 = ", "intercept": "a = ",
                  "centered": r"S_{xx}^{c} = S_{xx} - S_x^2/n = "}


def _print_LogFitTerm(self, expr):
    return _LOG_FIT_TERMS[expr.name] + self._print(expr.value)


def _print_LogTCritical(self, expr):
    value = self._print(expr.value)
    if expr.level is None:
        return r"t_{crit} \approx " + value
    return "t_{" + self._print(expr.level) + r",\," + str(expr.df) + r"} \approx " + value


def _print_LogCompoundRate(self, expr):
    return (r"\left(\frac{" + self._print(expr.last) + "}{" + self._print(expr.first) + r"}\right)^{1/"
            + self._print(expr.span) + "} - 1")


def _print_LogFixed(self, expr):
    return f"{float(expr.value):.{expr.decimals}f}"


for _method in (_print_LogEpochSpan, _print_LogIterationBound, _print_LogSetSize, _print_LogFitSums,
                _print_LogFitTerm, _print_LogTCritical, _print_LogCompoundRate, _print_LogFixed):
    setattr(SymdlPrinter, _method.__name__, _method)


# -- display objects added for the conv kind ----------------------------------------------------------

def _print_SumLines(self, expr):
    out = ""
    for n, term in enumerate(expr.terms):
        text = self._print(term)
        if expr.per_line and n and n % expr.per_line == 0:
            out += r" \\ &\qquad "
        out += text if n == 0 else (" - " + text[1:].lstrip() if text.startswith("-") else " + " + text)
    return out or "0"


def _print_SlashOf(self, expr):
    return r"\left(" + self._print(expr.numerator) + r"\right) / " + self._print(expr.denominator)


def _print_PartialOf(self, expr):
    of, wrt = self._print(expr.of), self._print(expr.wrt)
    if expr.fraction:
        return r"\frac{\partial " + of + r"}{\partial " + wrt + "}"
    return r"\partial " + of + r" / \partial " + wrt


def _print_MinusInfinity(self, expr):
    return r"-\infty"


def _conv_window_index(s, d, i, u):
    """The padded-input row (or column) under kernel entry u of output i: s(i-1) + d(u-1) + 1."""
    if s == 1 and d == 1:
        return f"{i}+{u}-1"
    return (f"{s}" if s > 1 else "") + f"({i}-1)+" + (f"{d}" if d > 1 else "") + f"({u}-1)+1"


def _print_ConvWindowSum(self, expr):
    f = "^{(f)}" if expr.filters else ""
    bias = "b_f + " if expr.filters else ("b + " if expr.bias else "")
    return (r"Y_{i,j}" + f + " = " + bias + (r"\sum_{c}" if expr.channels else "") + r"\sum_{u,v} K" + f +
            (r"_{c,u,v}" if expr.channels else "_{u,v}") + r"\, \tilde{X}" +
            (r"_{c,\," if expr.channels else "_{") +
            _conv_window_index(expr.stride[0], expr.dilation[0], "i", "u") + r",\, " +
            _conv_window_index(expr.stride[1], expr.dilation[1], "j", "v") + "}")


for _method in (_print_SumLines, _print_SlashOf, _print_PartialOf, _print_MinusInfinity, _print_ConvWindowSum):
    setattr(SymdlPrinter, _method.__name__, _method)


# -- neuron-kind display objects (symdl.display: VectorSymbol, PartialSymbol, ValueShown, RelationChain) --
_RELATION_TEX = {"-": "-", "=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", "<-": r"\leftarrow",
                 ":": ":", "in": r"\in", "~": r"\approx"}


def _print_VectorSymbol(self, expr):
    name = expr.name
    cut = min((i for i in (name.find("_"), name.find("^")) if i > 0), default=len(name))
    return r"\mathbf{" + name[:cut] + "}" + name[cut:]


def _print_PartialSymbol(self, expr):
    top, bottom, bold, style = expr.parts
    bottom = r"\mathbf{" + bottom + "}" if bold else bottom
    if style.startswith("slash"):
        body = rf"\partial {top}/\partial {bottom}"
        return r"\left|" + body + r"\right|" if style == "slash-abs" else body
    body = r"\frac{\partial " + top + r"}{\partial " + bottom + "}"
    return r"\left|" + body + r"\right|" if style == "abs" else body


def _print_ValueShown(self, expr):
    relation, body = value_tex(expr.value, expr.sig)
    return str(body) if expr.bare else f"{relation} {body}"


def _print_RelationChain(self, expr):
    from symdl.solution import Tex as _Tex

    out = []
    for item in expr.items:
        if isinstance(item, str) and not isinstance(item, _Tex):
            out.append(_RELATION_TEX[item])
        else:
            out.append(tex(item))
    return " ".join(out)


for _method in (_print_VectorSymbol, _print_PartialSymbol, _print_ValueShown, _print_RelationChain):
    setattr(SymdlPrinter, _method.__name__, _method)


def _print_VectorShown(self, expr):
    relation, body = vector_tex(expr.value)
    return f"{relation} {body}" if expr.relation else str(body)


def _print_MathText(self, expr):
    return _text_in_math(expr.text)


for _method in (_print_VectorShown, _print_MathText):
    setattr(SymdlPrinter, _method.__name__, _method)


def _print_BoxOf(self, expr):
    def interval(lo, hi):
        return f"[{tex(lo)}, {tex(hi)}]"
    if expr.power is not None:
        return interval(expr.lows[0], expr.highs[0]) + "^{" + str(expr.power) + "}"
    return r" \times ".join(interval(lo, hi) for lo, hi in zip(expr.lows, expr.highs))


SymdlPrinter._print_BoxOf = _print_BoxOf


def _print_NormOf(self, expr):
    return r"\lVert " + self._print(expr.args[0]) + r" \rVert_2"


SymdlPrinter._print_NormOf = _print_NormOf


def _print_ProbOf(self, expr):
    return "P(" + tex(expr.condition) + ")"


def _print_CasesOf(self, expr):
    rows = r" \\ ".join(tex(value) + " & " + tex(condition) for value, condition in expr.cases)
    return r"\begin{cases} " + rows + r" \end{cases}"


SymdlPrinter._print_ProbOf = _print_ProbOf
SymdlPrinter._print_CasesOf = _print_CasesOf


# -- the softmax kind's formulas (symdl.display.SoftmaxFormula): @1, @2 are the slots -------------------
SOFTMAX_FORMULAS = {
    "score": r"s_n = \mathbf{w}_n \cdot \mathbf{x} + B_n",
    "score_reg": r"s_n = \mathbf{w}_n \cdot \mathbf{x} + B_n + r_n",
    "row": r"\mathbf{w}_n",
    "term_l1": r"\sum_{i=1}^D |w_{N,i}|",
    "term_l2": r"\sum_i w_{N,i}^2",
    "norm_l1": r"r_n = \lVert \mathbf{w}_n \rVert_1",
    "norm_l2": r"r_n = \lVert \mathbf{w}_n \rVert_2^2",
    "all_l1": r"r = \sum_{n,i} |W_{n,i}|",
    "all_l2": r"r = \sum_{n,i} W_{n,i}^2",
    "sum_all_l1": r"\sum_{n,i} |W_{n,i}|",
    "sum_all_l2": r"\sum_{n,i} W_{n,i}^2",
    "shift": r"\frac{e^{s_k + c}}{\sum_j e^{s_j + c}} = \frac{e^{c}\, e^{s_k}}{e^{c} \sum_j e^{s_j}}"
             r" = \frac{e^{s_k}}{\sum_j e^{s_j}}.",
    "r_is": "r = @1",
    "r_n": "r_n",
    "r": "r",
    "penalty": r"\lambda \lVert W \rVert_1",
    "x_is": r"\mathbf{x} = @1",
    "e_minus_m": r"e^{-m}",
    "max_shift": r"m = \max_k s_k = s_{@1} = @2",
    "softmax": r"p_k = \frac{e^{s_k}}{\sum_j e^{s_j}} = \frac{e^{s_k - m}}{\sum_j e^{s_j - m}}",
    "probability": r"P(y = k \mid \mathbf{x}) = \frac{e^{s_k}}{\sum_j e^{s_j}}",
    "denominator": r"\sum_j e^{s_j - m}",
    "s_k": "s_k",
    "s_k_shifted": "s_k - m",
    "e_k": "e^{s_k - m}",
    "p_k_col": r"p_k = e^{s_k - m} / \sum_j e^{s_j - m}",
    "e_and_value": "@1 @2",
    "sum_p": r"\sum_k p_k",
    "sum_p_ratio": r"\frac{\sum_k e^{s_k - m}}{\sum_j e^{s_j - m}}",
    "approx_sum": r"@1 \approx @2",
    "argmax": r"\hat{y} = \arg\max_k p_k = @1",
    "argmax_named": r"\hat{y} = \arg\max_k p_k = @1\ (\text{class @2})",
    "p_value": "p_{@1} @2",
    "ce": r"-\ln p_y = \ln \sum_j e^{s_j - m} - (s_y - m)",
    "ce_substituted": r"\ln\Big(@1\Big) - \left(@2\right)",
    "p_minus_e_y": r"\mathbf{p} - \mathbf{e}_y",
    "g": r"\mathbf{g} = \frac{\partial L}{\partial \mathbf{s}}",
    "p_minus_e": r"\mathbf{p} - \mathbf{e}_{@1}",
    "delta_is": r"\Delta = @1",
    "dL_ds_j": r"\partial L/\partial s_j",
    "dL_ds_y": r"\partial L/\partial s_y",
    "g_xT": r"\mathbf{g}\, \mathbf{x}^T",
    "g_times": r"\mathbf{g} \cdot @1",
    "ds_dW": r"\partial s_n / \partial W_{n,i} = x_i",
    "diag_l1": r"\operatorname{diag}(\mathbf{g})\, \big(\mathbf{1}\,\mathbf{x}^T + \operatorname{sign}(W)\big)",
    "diag_l2": r"\operatorname{diag}(\mathbf{g})\, \big(\mathbf{1}\,\mathbf{x}^T + 2W\big)",
    "diag_times": r"\operatorname{diag}(\mathbf{g}) \cdot @1",
    "ds_dW_l1": r"\partial s_n / \partial W_{n,i} = x_i + \operatorname{sign}(W_{n,i})",
    "ds_dW_l2": r"\partial s_n / \partial W_{n,i} = x_i + 2 W_{n,i}",
    "all_grad_l1": r"\mathbf{g}\,\mathbf{x}^T + \Big(\sum_n g_n\Big) \operatorname{sign}(W)",
    "all_grad_l2": r"\mathbf{g}\,\mathbf{x}^T + \Big(\sum_n g_n\Big) 2W",
    "ds_dW_all_l1": r"\partial s_n / \partial W_{m,i} = \delta_{nm} x_i + \operatorname{sign}(W_{m,i})",
    "ds_dW_all_l2": r"\partial s_n / \partial W_{m,i} = \delta_{nm} x_i + 2 W_{m,i}",
    "sum_g": r"\sum_n g_n = @1",
    "dL_dW": r"\frac{\partial L}{\partial W}",
    "dL_dB": r"\frac{\partial L}{\partial \mathbf{B}}",
    "g_vec": r"\mathbf{g}",
    "p_col": "p_{@1}",
    "fixed4": "@1",
    "starred": r"@1^{\ast}",
}


def _softmax_class_text(name):
    """A class name for use inside \\text{...}: TeX's special characters escaped, the rest dropped."""
    out = []
    for ch in name:
        if ch in "&%$#_{}":
            out.append("\\" + ch)
        elif ch.isprintable() and ch not in "\\^~":
            out.append(ch)
    return "".join(out) or "?"


def _print_SoftmaxFormula(self, expr):
    def slot(arg):
        if isinstance(arg, SoftmaxClassName):
            return _softmax_class_text(arg)
        if isinstance(arg, str):             # printed math (Tex) or a literal piece such as "0.1234"
            return arg
        return self._print(sympy.sympify(arg) if isinstance(arg, int) else arg)

    import re

    return re.sub(r"@([1-9])", lambda m: slot(expr.args[int(m.group(1)) - 1]), SOFTMAX_FORMULAS[expr.name])


SymdlPrinter._print_SoftmaxFormula = _print_SoftmaxFormula


# -- the graph kind's display objects (symdl.display.Graph*) ----------------------------------------
def _graph_part(self, part):
    return part if isinstance(part, str) else self._print(part)


def _print_GraphGradient(self, expr):
    out = rf"\bar{{{expr.name}}}"
    return out if expr.via is None else out + rf"^{{({expr.via})}}"


def _print_GraphGradientSum(self, expr):
    terms = [self._print(t) for t in expr.terms]
    if len(terms) > expr.limit:
        terms = terms[:3] + [r"\cdots"] + terms[-2:]
    return " + ".join(terms)


def _print_GraphFormula(self, expr):
    """Written without recursion: a graph's function may nest hundreds of ops deep."""
    done = {}
    stack = [expr]
    while stack:
        item = stack[-1]
        pending = [p for p in (item.parts if isinstance(item, GraphFormula) else (item.part,))
                   if isinstance(p, (GraphFormula, GraphParen)) and id(p) not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        parts = [done[id(p)] if isinstance(p, (GraphFormula, GraphParen)) else _graph_part(self, p)
                 for p in (item.parts if isinstance(item, GraphFormula) else (item.part,))]
        done[id(item)] = (item.template.format(*parts) if isinstance(item, GraphFormula)
                          else r"\left(" + parts[0] + r"\right)")
    return done[id(expr)]


def _print_GraphParen(self, expr):
    return _print_GraphFormula(self, GraphFormula("{0}", expr))


for _method in (_print_GraphGradient, _print_GraphGradientSum, _print_GraphFormula, _print_GraphParen):
    setattr(SymdlPrinter, _method.__name__, _method)


# -- the neuron kind's formulas (symdl.display.NeuronFormula, BracketedValue, CornerSum) ------------
NEURON_FORMULAS = {
    "times": r"@1 \cdot @2",
    "pre_activation_at": r"\mathbf{W}^T\mathbf{x}@1 + b",
    "x_prime": r"\mathbf{x}'",
    "tanh_tail": r"1 - \tanh^2(@1) = \frac{1}{\cosh^2(@1)}",
    "zsat_sigmoid": r"\ln\frac{1 + \sqrt{1 - 4\tau}}{1 - \sqrt{1 - 4\tau}}",
    "zsat_tanh": r"\operatorname{artanh}\sqrt{1 - \tau}",
    "slab": r"\{\mathbf{x} : |\mathbf{W}^T\mathbf{x} + b| < z_{\mathrm{sat}}\} = \{\mathbf{x} : |@1| < @2\}",
    "slab_long": r"\begin{aligned} &\{\mathbf{x} : |\mathbf{W}^T\mathbf{x} + b| < z_{\mathrm{sat}}\} \\ &= "
                 r"\{\mathbf{x} : \big|@1\big| < @2\}\end{aligned}",
    "half_space": r"\{\mathbf{x} : \mathbf{W}^T\mathbf{x} + b > 0\} = \{\mathbf{x} : @1 > 0\}",
    "half_space_long": r"\begin{aligned} &\{\mathbf{x} : \mathbf{W}^T\mathbf{x} + b > 0\} \\ &= "
                       r"\{\mathbf{x} : @1 > 0\}\end{aligned}",
    "witness": r"\mathbf{x}_0 @1 @2.",
    "x_star_i": r"x^*_i",
    "x_star": r"\mathbf{x}^*",
    "x_max": r"\mathbf{x}_{\max}",
    "x_rel": r"x_i = x^*_i \mp (u_i - l_i)\, v_i",
    "z_rel": r"z = z_{\max} - \sum_i c_i v_i",
    "c_def": r"c_i = |W_i|\,(u_i - l_i)",
    "plane": r"\sum_i c_i v_i = r",
    "F_def": r"F(r) = \operatorname{vol}\Big\{\mathbf{v} \in [0,1]^k : \sum_i c_i v_i < r\Big\} = "
             r"\frac{1}{k!\,\prod_i c_i} \sum_{S \subseteq \{1,\dots,k\}} (-1)^{|S|}"
             r"\Big(r - \sum_{i \in S} c_i\Big)_+^{\,k}",
    "sum_c": r"\sum_i c_i",
    "v_flip": r"v_i \to 1 - v_i",
    "F_flip": r"F(r) = 1 - F\big(\textstyle\sum_i c_i - r\big)",
    "sum_c_minus_r": r"\sum_i c_i - r @1",
    "F_closed": r"@1\frac{1}{@2!\,\prod_i c_i}\sum_S (-1)^{|S|}\Big(@3 - \sum_{i \in S} c_i\Big)_+^{\,@2}",
    # the parameter update (issue 13): one step of SGD, momentum or Adam
    "sgd": r"@1 - \eta\, @2",
    "velocity": r"\mu\, @1 + @2",
    "adam_m": r"\beta_1 @1 + (1 - \beta_1)\, @2",
    "adam_v": r"\beta_2 @1 + (1 - \beta_2) \left(@2\right)^{\odot 2}",
    "adam_hat": r"\frac{@1}{1 - @2^{@3}}",
    "adam_step": r"@1 - \eta\, \frac{@2}{\sqrt{@3} + \epsilon}",
    "new": r"@1'",
    "state": r"@1_{@2}",
    "new_state": r"@1'_{@2}",
    "hat_state": r"\hat{@1}_{@2}",
    "decayed": r"@1 + \lambda\, @2",
    "minus_times": r"@1 - @2 \cdot @3",
    "lin_comb": r"@1 \cdot @2 + @3 \cdot @4",
    "mu_sub": r"@1 \cdot @2 + @3",
    "lin_comb_sq": r"@1 \cdot @2 + @3 \cdot @4^{\odot 2}",
    "pow10": r"10^{@1}",
    "adam_sub": r"@1 - @2 \cdot \frac{@3}{\sqrt{@4} + @5}",
    "z_new": r"\mathbf{W}'^T \mathbf{x} + b'",
    "paren": r"\left(@1\right)",
    "A_of": r"A\left(@1\right)",
}


def _neuron_slot(self, arg):
    if isinstance(arg, str):                 # printed math (Tex) or a plain piece such as "1 - "
        return arg
    return self._print(sympy.sympify(arg) if isinstance(arg, int) else arg)


def _print_NeuronFormula(self, expr):
    import re

    return re.sub(r"@([1-9])", lambda m: _neuron_slot(self, expr.args[int(m.group(1)) - 1]),
                  NEURON_FORMULAS[expr.name])


def _print_BracketedValue(self, expr):
    return r"\left(" + expr.name + r"\right)"


def _print_CornerSum(self, expr):
    """(lead) 1/(k! prod c) ( sum of signed counts times (r - sigma)^k ), broken into aligned lines."""
    k, body = expr.k, ""
    for i, (sigma, weight) in enumerate(expr.terms):
        rest = expr.r - sigma
        rest = rest if rest.is_Rational else sympy.Float(float(rest), 5)
        piece = r"\left(" + tex(rest) + r"\right)^{" + str(k) + "}"
        count = "" if abs(weight) == 1 else str(abs(weight)) + r"\,"
        if i and i % (6 if k <= 6 else 4) == 0:
            body += r" \\ &\qquad "
        sign = ("-" if weight < 0 else "") if i == 0 else f" {'-' if weight < 0 else '+'} "
        body += sign + count + piece
    c_prod = sympy.Mul(*expr.c)
    prod = (r" \cdot ".join(tex(ci) for ci in expr.c) if k <= 8
            else tex(c_prod) if value_tex(c_prod)[0] == "=" else r"\prod_i c_i")
    return expr.lead + r"\frac{1}{" + str(k) + r"! \cdot " + prod + r"}\Big(" + body + r"\Big)"


for _method in (_print_NeuronFormula, _print_BracketedValue, _print_CornerSum):
    setattr(SymdlPrinter, _method.__name__, _method)


# -- the softmax kind's further formulas (the extra term's discussion, the model answers) ------------
SOFTMAX_FORMULAS.update({
    "r_values": r"\mathbf{r} = @1",
    "p_vec": r"\mathbf{p} @1",
    "s_vec": r"\mathbf{s}",
})
SOFTMAX_FORMULAS.update({           # the model answer's matrix steps (one line per case, not one per class)
    "r_vec": r"\mathbf{r}",
    "r_rows_l1": r"\big[\lVert \mathbf{w}_1 \rVert_1\ \cdots\ \lVert \mathbf{w}_N \rVert_1\big]^T",
    "r_rows_l2": r"\big[\lVert \mathbf{w}_1 \rVert_2^2\ \cdots\ \lVert \mathbf{w}_N \rVert_2^2\big]^T",
    "score_mat": r"W\mathbf{x} + \mathbf{B}",
    "score_mat_reg": r"W\mathbf{x} + \mathbf{B} + @1",
    "vec_sum": r"@1 + @2",
    "vec_sum_reg": r"@1 + @2 + @3",
    "p_exp_k": r"p_k = e^{s_k - m} / \sum_j e^{s_j - m}",
    "p_exp_sub": r"\frac{1}{@1}\, @2",
})
