"""symdl's LaTeX printer: exact decimals shown as decimals, everything else rounded with \\approx."""

from __future__ import annotations

import mpmath
import sympy
from sympy.printing.latex import LatexPrinter

from symdl import hp
from symdl.solution import Tex

# Longest decimal expansion shown exactly; past it a value is rounded and marked \approx.
MAX_EXACT_DECIMALS = 10


def terminating_decimal(value: sympy.Rational):
    """The exact decimal string of ``value`` when it terminates within the limit, else None.

    Decided from the denominator's factors of 2 and 5 (at most MAX_EXACT_DECIMALS of each
    are divided out), so a huge fraction is never turned into a decimal string.
    """
    value = sympy.Rational(value)
    q = int(value.q)
    twos = (q & -q).bit_length() - 1
    if twos > MAX_EXACT_DECIMALS:
        return None
    q >>= twos
    fives = 0
    while q % 5 == 0 and fives <= MAX_EXACT_DECIMALS:
        q //= 5
        fives += 1
    if q != 1:
        return None
    places = max(twos, fives)
    if places > MAX_EXACT_DECIMALS:
        return None
    if places == 0:
        return _integer_text(int(value))
    scaled = abs(int(value.p) * 10**places // int(value.q))
    if scaled.bit_length() > MAX_EXACT_INTEGER_BITS:
        return None
    digits = str(scaled).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}"
    return ("-" if value < 0 else "") + text


# Longest integer shown digit by digit (about 30 digits); a longer one is rounded.
MAX_EXACT_INTEGER_BITS = 100


def _integer_text(n: int):
    """``n`` written out, or None when it is too long to show (never converted to a string then)."""
    return str(n) if n.bit_length() <= MAX_EXACT_INTEGER_BITS else None


def _mp(x):
    """A number (float, int, SymPy number, mpf) as an mpf at 30 digits."""
    if isinstance(x, mpmath.mpf):
        return x
    if isinstance(x, (int, sympy.Rational)):
        x = sympy.Rational(x)
        return hp.ratio(int(x.p), int(x.q))
    if isinstance(x, sympy.Float):
        return mpmath.mpf(x._mpf_)
    if isinstance(x, sympy.Basic):
        return mpmath.mpf(sympy.Float(sympy.N(x, 30, maxn=hp.MAXN), 30)._mpf_)
    return mpmath.mpf(x)


def format_float(x, sig: int = 4) -> str:
    """``x`` to ``sig`` significant digits as LaTeX (scientific form when very large/small).

    ``x`` may be a float, an int, an mpf or a SymPy number; the rounding is done in mpmath,
    so values past float64's range (e^{1000}, 5 x 10^{-435}) print with their true exponent.
    """
    with mpmath.workdps(30):
        x = _mp(x)
        if x == 0:
            return "0"
        if mpmath.isnan(x):
            return r"\mathrm{NaN}"
        if mpmath.isinf(x):
            return r"\infty" if x > 0 else r"-\infty"
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
        digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))
        if digits >= 10**sig:                       # rounding carried into a new digit
            exponent += 1
            digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))
        elif digits < 10 ** (sig - 1):              # log10 rounded just below a power of ten
            exponent -= 1
            digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))
        if -4 <= exponent < 7:                      # fixed point: sig digits, all integer digits
            decimals = max(sig - 1 - exponent, 0)
            scaled = int(mpmath.nint(abs(x) * mpmath.mpf(10) ** decimals))
    sign = "-" if x < 0 else ""
    if -4 <= exponent < 7:
        text = str(scaled).rjust(decimals + 1, "0")
        body = f"{text[:-decimals]}.{text[-decimals:]}" if decimals else text
        if "." in body:
            body = body.rstrip("0").rstrip(".")
        return "0" if body in ("", "0") else sign + body
    text = str(digits)
    mantissa = (text[0] + "." + text[1:]).rstrip("0").rstrip(".")
    return rf"{sign}{mantissa} \times 10^{{{exponent}}}"


class SymdlPrinter(LatexPrinter):
    """LatexPrinter with exam-style numbers and settings checked like SymPy's own."""

    printmethod = "_symdl_latex"
    _default_settings = dict(LatexPrinter._default_settings, sig_digits=5, approximate=False)

    def _print_Rational(self, expr):
        if self._settings["approximate"]:
            return format_float(expr, self._settings["sig_digits"])
        text = terminating_decimal(expr)
        if text is not None:
            return text
        if max(abs(int(expr.p)).bit_length(), int(expr.q).bit_length()) > MAX_EXACT_INTEGER_BITS:
            return format_float(expr, self._settings["sig_digits"])   # a fraction too long to write out
        return super()._print_Rational(expr)

    def _print_Integer(self, expr):
        text = _integer_text(int(expr))
        return text if text is not None else format_float(expr, self._settings["sig_digits"])

    def _print_Float(self, expr):
        return format_float(expr, self._settings["sig_digits"])

    def _print_Mul(self, expr):
        # Substituted products (numbers wrapped unevaluated): a \cdot b, negatives bracketed.
        if any(isinstance(a, sympy.UnevaluatedExpr) for a in expr.args) or (
                len(expr.args) > 1 and all(a.is_number for a in expr.args) and not expr.is_Rational):
            args = list(expr.args)
            den = [a.base for a in args if a.is_Pow and a.exp == -1]
            if den:
                num = [a for a in args if not (a.is_Pow and a.exp == -1)]
                with sympy.evaluate(False):
                    top = sympy.Mul(*num) if len(num) > 1 else (num[0] if num else sympy.Integer(1))
                    bottom = sympy.Mul(*den) if len(den) > 1 else den[0]
                return rf"\frac{{{self._print(top)}}}{{{self._print(bottom)}}}"
            sign = ""
            if len(args) > 1 and args[0] == -1:
                sign, args = "-", args[1:]
            parts = []
            for arg in args:
                text = self._print(arg)
                if text.lstrip().startswith("-") or arg.is_Add or (
                        isinstance(arg, sympy.UnevaluatedExpr) and arg.args[0].is_Add):
                    text = rf"\left({text}\right)"
                parts.append(text)
            return sign + r" \cdot ".join(parts)
        return super()._print_Mul(expr)

    def _print_Add(self, expr, order=None):
        if not any(isinstance(a, sympy.UnevaluatedExpr) for a in sympy.preorder_traversal(expr)):
            return super()._print_Add(expr, order=order)
        out = ""
        args = expr.args
        if len(args) > MAX_SHOWN_TERMS:     # a long substituted sum: its first and last terms
            args = args[:MAX_SHOWN_TERMS - 2] + (None,) + args[-2:]
        for i, term in enumerate(args):
            text = rf"\cdots\ ({len(expr.args)}\text{{ terms}})" if term is None else self._print(term)
            if i == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:].lstrip()
            else:
                out += " + " + text
        return out

    def _print_Pow(self, expr):
        # an unevaluated reciprocal of a number (substituted steps): \frac{1}{...}
        if expr.exp == -1 and (expr.base.is_number or isinstance(expr.base, sympy.UnevaluatedExpr)):
            return rf"\frac{{1}}{{{self._print(expr.base)}}}"
        return super()._print_Pow(expr)

    def _print_UnevaluatedExpr(self, expr):
        return self._print(expr.args[0])

    def _print_MatrixBase(self, expr):
        # A matrix too big for a page (and for TeX's input buffer) shows its corners only
        rows, cols = expr.shape
        if rows <= MAX_SHOWN_ROWS and cols <= MAX_SHOWN_COLUMNS:
            return super()._print_MatrixBase(expr)
        return elided_matrix(self, expr)

    def _print_Max(self, expr):
        return r"\max\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"

    def _print_Min(self, expr):
        return r"\min\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"


# The longest substituted sum shown whole; a longer one shows its first and last terms
MAX_SHOWN_TERMS = 12
# The largest matrix shown whole; a bigger one is shown by its corner entries
MAX_SHOWN_ROWS = 16
MAX_SHOWN_COLUMNS = 10
_CORNER = (3, 2)        # entries shown before and after the dots


def _kept(n: int, limit: int) -> list:
    """Indices of the rows (columns) shown, None where the dots stand."""
    if n <= limit:
        return list(range(n))
    head, tail = _CORNER
    return list(range(head)) + [None] + list(range(n - tail, n))


def elided_matrix(printer, matrix) -> str:
    """``matrix`` by its corner entries, with \\cdots, \\vdots and \\ddots for the rest."""
    rows, cols = matrix.shape
    lines = []
    for r in _kept(rows, MAX_SHOWN_ROWS):
        cells = []
        for c in _kept(cols, MAX_SHOWN_COLUMNS):
            if r is None:
                cells.append(r"\ddots" if c is None else r"\vdots")
            else:
                cells.append(r"\cdots" if c is None else printer._print(matrix[r, c]))
        lines.append(" & ".join(cells))
    body = "\\\\".join(lines)
    return (rf"\left[\begin{{matrix}}{body}\end{{matrix}}\right]_{{{rows}\times {cols}}}"
            r"\text{\footnotesize\ (shown in part; every entry is in the spec or answers.json)}")


def tex(expr, **settings) -> Tex:
    """LaTeX for ``expr`` (SymPy object, number, or already-made Tex)."""
    if isinstance(expr, Tex):
        return expr
    if isinstance(expr, bool):
        return Tex(r"\text{" + ("true" if expr else "false") + "}")
    if isinstance(expr, str):
        raise TypeError("plain strings are text, not math; wrap LaTeX from the printer in Tex")
    settings.setdefault("order", "none")
    return Tex(SymdlPrinter(settings).doprint(sympy.sympify(expr) if isinstance(expr, (int, float)) else expr))


def is_exact_decimal(value) -> bool:
    """True when ``value`` (number or matrix) prints exactly as decimals."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return _integer_text(value) is not None
    if isinstance(value, sympy.MatrixBase):
        return all(is_exact_decimal(v) for v in value)
    value = sympy.sympify(value)
    if value.is_Integer:
        return _integer_text(int(value)) is not None
    if value.is_Rational:
        return terminating_decimal(value) is not None
    return False


def value_tex(value, sig: int = 5):
    """(relation, LaTeX) for a result: ('=', exact decimal) or ('\\approx', rounded)."""
    if isinstance(value, Tex):
        return "=", value
    if isinstance(value, bool):
        return "=", tex(value)
    if is_exact_decimal(value):
        return "=", tex(value)
    return r"\approx", tex(numeric(value), sig_digits=sig, approximate=True)


def numeric(value):
    """``value`` evaluated to 30-digit Floats inside SymPy (matrices stay matrices).

    Never through a Python float, so e^{1000} or 5 x 10^{-435} keep their size; a huge
    exact fraction is rounded by hp.ratio (never written out in decimal).
    """
    if isinstance(value, sympy.MatrixBase):
        return value.applyfunc(_float30)
    return _float30(value)


def _float30(v):
    v = sympy.sympify(v)
    if not isinstance(v, sympy.Rational):
        v = v.doit()                     # an unevaluated exact zero (-2 + 2) would evalf to noise
    if isinstance(v, sympy.Rational):
        with mpmath.workdps(30):
            return sympy.Float(hp.ratio(int(v.p), int(v.q)), 30)
    return sympy.Float(sympy.N(v, 30, maxn=hp.MAXN), 30)


def substitute(expr, mapping):
    """``expr`` with the numbers of ``mapping`` put in and nothing evaluated.

    Numbers are wrapped in UnevaluatedExpr so that SymPy neither folds nor splits them
    (``-0.1`` stays one number instead of ``-1 * 0.1``); print the result with :func:`tex`.
    """
    wrapped = {k: (sympy.UnevaluatedExpr(v) if isinstance(v, sympy.Basic) and v.is_number else v)
               for k, v in mapping.items()}
    with sympy.evaluate(False):
        return expr.xreplace(wrapped)


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
    from symdl.display import vector_tex

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
